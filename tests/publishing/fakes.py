"""A recording fake platform for publishing tests (tests only, never used at run time)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from civildesk.inbox.connectors import ConnectorError


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so no ``except Exception`` in the task sees it;
    the task dies with nothing recorded after the point it is raised."""


class Transient(ConnectorError):
    def __init__(self, message: str = "503 from the platform") -> None:
        super().__init__(message, retryable=True)


class RateLimited(ConnectorError):
    def __init__(self, retry_at: datetime) -> None:
        super().__init__(f"rate limited until {retry_at.isoformat()}", retryable=True)
        self.retry_at = retry_at


class PermissionDenied(ConnectorError):
    def __init__(self, message: str = "the app lost the permission to post") -> None:
        super().__init__(message, retryable=False)


def platform_errors() -> tuple[type[ConnectorError], type[ConnectorError], type[ConnectorError]]:
    """The platforms package's own errors once it exists, else the stand-ins above."""
    try:
        from civildesk.platforms import errors  # type: ignore[import-not-found]
    except ImportError:
        return Transient, RateLimited, PermissionDenied
    return errors.Transient, errors.RateLimited, errors.PermissionDenied


@dataclass
class RecordingPublisher:
    """Accepts posts and remembers each one; can be told to fail, or to "die" before or after
    the platform has the post."""

    name: str = "recording-fake-publisher (tests only)"
    published: list[tuple[str, str, str]] = field(default_factory=list)  # (account, text, key)
    calls: int = 0
    fail_next: list[BaseException] = field(default_factory=list)
    die_after_publish: bool = False
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # The image is accepted for the shared contract; the tests check only account, text and key.
    def publish(self, account_id: str, text: str, *, idempotency_key: str = "", media_url: str = "") -> str:
        self.calls += 1
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.published.append((account_id, text, idempotency_key))
        if self.die_after_publish:
            self.die_after_publish = False
            raise WorkerKilled("killed after the platform accepted the post")
        return f"post-{next(self._ids)}"


_current: RecordingPublisher | None = None


def factory(platform: str, account_id: str) -> RecordingPublisher:
    assert _current is not None, "the publisher fixture is not active"
    return _current


def install(fake: RecordingPublisher | None) -> None:
    global _current
    _current = fake


class KillingPublisher:
    """For the real-process test: writes each post to $CIVILDESK_TEST_PUBLISH_LOG, then, when
    $CIVILDESK_TEST_KILL is "after", kills its own process with SIGKILL (no cleanup runs)."""

    name = "killing-fake-publisher (tests only)"

    # Key and image accepted for the shared contract; the log needs only account and text.
    def publish(self, account_id: str, text: str, *, idempotency_key: str = "", media_url: str = "") -> str:
        import os
        import signal

        with open(os.environ["CIVILDESK_TEST_PUBLISH_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{account_id}\t{text}\n")
            log.flush()
            os.fsync(log.fileno())
        if os.environ.get("CIVILDESK_TEST_KILL") == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return "p-1"


def killing_factory(platform: str, account_id: str) -> KillingPublisher:
    return KillingPublisher()
