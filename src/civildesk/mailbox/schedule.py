"""When to read the mailbox next. Pure: the back-off as a small function, tested on its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

MAX_BACKOFF: Final = timedelta(minutes=30)


def next_delay(*, interval_seconds: int, consecutive_failures: int) -> timedelta:
    """The poll interval while the mailbox works; after failures, double each time (from the
    interval, at least 30 s) up to 30 minutes, so an outage is retried without hammering a server
    that may be refusing logins because of us."""
    interval = timedelta(seconds=max(1, interval_seconds))
    if consecutive_failures <= 0:
        return interval
    base = max(timedelta(seconds=30), interval)
    delay: timedelta = base * (2 ** min(consecutive_failures - 1, 16))
    cap: timedelta = max(MAX_BACKOFF, interval)
    return min(delay, cap)
