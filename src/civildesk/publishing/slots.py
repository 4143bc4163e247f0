"""Suggested times for a scheduled post: outside the desk's working hours. Pure.

The Trust schedules posts "to appear outside of these hours" (policy-source.md), so the
composer suggests the next few times when nobody is at the desk: early morning and evening on
working days, and through the day at weekends, on bank holidays and on closure days. Whether a
moment is working time is the desk's one calendar, ``civildesk.inbox.sla.WorkingHours`` (the
policy's hours with the admin's overrides); nothing here re-implements it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Final

from civildesk.inbox.sla import WorkingHours

# Wall-clock times worth suggesting; those inside working hours on a given day are skipped.
CANDIDATE_TIMES: Final[tuple[time, ...]] = (
    time(7, 30),
    time(10, 0),
    time(12, 30),
    time(18, 0),
    time(19, 30),
)
# Far enough ahead for every platform (Facebook's floor is 10 minutes).
MIN_LEAD: Final = timedelta(minutes=15)
# Two posts closer than this compete with each other: a busy slot is not suggested.
SPACING: Final = timedelta(minutes=60)
_SEARCH_DAYS: Final = 60


def suggest(
    hours: WorkingHours,
    now: datetime,
    *,
    count: int = 8,
    busy: Iterable[datetime] = (),
    times: tuple[time, ...] = CANDIDATE_TIMES,
) -> list[datetime]:
    """The next ``count`` candidate times outside working hours, at least ``MIN_LEAD`` ahead and
    at least ``SPACING`` from every time in ``busy`` (posts already scheduled)."""
    taken = sorted(b.astimezone(UTC) for b in busy)
    earliest = now + MIN_LEAD
    day = hours.local(now).date()
    out: list[datetime] = []
    for _ in range(_SEARCH_DAYS):
        for clock in times:
            candidate = hours.at(day, clock)
            if candidate < earliest or hours.is_working_time(candidate):
                continue
            # A wall-clock time that does not exist (the spring-forward hour) comes back shifted.
            if hours.local(candidate).time() != clock:
                continue
            if any(abs(candidate.astimezone(UTC) - b) < SPACING for b in taken):
                continue
            out.append(candidate)
            if len(out) >= count:
                return out
        day += timedelta(days=1)
    return out


def in_working_hours(hours: WorkingHours, moment: datetime) -> bool:
    """True when a post would appear while the desk is staffed (allowed, but not the Trust's habit)."""
    return hours.is_working_time(moment)
