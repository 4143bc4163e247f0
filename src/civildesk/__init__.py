"""civildesk: a social media desk that applies a published moderation policy."""

__version__ = "0.1.0"
