"""The typed errors every platform connector raises, whatever the platform said.

Callers decide on the type, never on a platform's message text: ``retryable`` errors are tried
again later (``RateLimited`` says when), the rest end as a visible, explained failure.
The base class is ``civildesk.inbox.connectors.ConnectorError`` so the reply path, which predates
the connectors, handles these without knowing them.
"""

from __future__ import annotations

from datetime import datetime

from civildesk.inbox.connectors import ConnectorError

__all__ = [
    "AuthExpired",
    "ConnectorError",
    "InvalidRequest",
    "NotSupported",
    "PermissionDenied",
    "PolicyWindowClosed",
    "RateLimited",
    "Transient",
]


class RateLimited(ConnectorError):
    """The platform asked us to slow down; ``retry_at`` is when its limit resets (UTC, aware)."""

    def __init__(self, message: str = "the platform's rate limit was reached", *, retry_at: datetime) -> None:
        super().__init__(message, retryable=True)
        self.retry_at = retry_at


class Transient(ConnectorError):
    """A 5xx, a timeout or a dropped connection: worth trying again."""

    def __init__(self, message: str = "the platform did not answer in time or failed") -> None:
        super().__init__(message, retryable=True)


class AnswerLost(Transient):
    """The request went out but its answer never came (read timeout, connection dropped after
    sending): the platform may have carried it out. Retrying is right for what is idempotent
    there (hide, block); a caller that must not do a thing twice (publishing) stops and lets a
    person check the platform instead (issue 8: a lost answer re-posted a scheduled post)."""

    in_doubt = True  # read with getattr by callers that do not import this module


class AuthExpired(ConnectorError):
    """The account's token is expired or revoked: an admin must reconnect the account."""


class PermissionDenied(ConnectorError):
    """The token is valid but lacks the permission (scope, role on the Page) for this call."""


class PolicyWindowClosed(ConnectorError):
    """A platform rule forbids it now: Meta's 7-day private reply, 24-hour DM window, one
    private reply per comment. Checked before calling, and mapped from the platform's error."""


class NotSupported(ConnectorError):
    """The platform offers no API for this (reporting anywhere; LinkedIn hide/block/DM).
    The desk turns it into a human task instead."""


class InvalidRequest(ConnectorError):
    """The platform rejected the request itself (too long, unknown id, already deleted)."""
