"""The public side of the desk: the house-rules page (no login) and its "was this page helpful?" rating."""
