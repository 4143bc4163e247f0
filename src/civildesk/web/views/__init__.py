"""The desk's pages. Views stay thin: check the role, call the inbox services, render."""
