"""Try an action again until the platform lets it through, honouring what the platform said.

``RateLimited`` waits until its ``retry_at`` (X's reset header, Meta's estimated time to regain
access, LinkedIn's doubling back-off); ``Transient`` waits 1, 2, 4 ... seconds. Anything else
is final and raised at once. A 429 storm therefore delays an action but never drops it, until
the wait would exceed ``max_wait``: then the last error is raised for the caller's task queue
to schedule (``retry_at`` tells it when).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from civildesk.platforms.errors import RateLimited, Transient
from civildesk.platforms.http import Clock, utcnow

T = TypeVar("T")


def call_with_backoff(
    action: Callable[[], T],
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Clock = utcnow,
    max_attempts: int = 8,
    max_wait: timedelta = timedelta(minutes=15),
) -> T:
    for attempt in range(1, max_attempts + 1):
        try:
            return action()
        except RateLimited as exc:
            wait = max((exc.retry_at - clock()).total_seconds(), 0.0)
            if attempt == max_attempts or wait > max_wait.total_seconds():
                raise
            sleep(wait)
        except Transient:
            if attempt == max_attempts:
                raise
            sleep(float(2 ** (attempt - 1)))
    raise AssertionError("unreachable")  # pragma: no cover
