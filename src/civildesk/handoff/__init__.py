"""Passing a message on to a team in the policy's directory (PALS, complaints, safeguarding, ...)."""
