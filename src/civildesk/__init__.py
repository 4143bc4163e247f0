"""civildesk: a social media desk that applies a published moderation policy."""

from civildesk.native import guard as _guard_native

__version__ = "0.1.0"

# Before any detector is imported: a compiled core older than its source must not run.
_guard_native()
