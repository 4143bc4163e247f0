"""Working hours and the "same working day" response target, as pure functions of time.

The published policy says the team works Monday to Friday, 9am to 5pm, and aims "to respond to
messages on the same day". That sentence needs a precise rule before a clock can be shown:

- A message that arrives on a working day before the *late cut-off* (by default one hour before
  closing, 16:00) is due at closing time (17:00) that same day. Arriving before 09:00 counts: the
  officers still have the whole day.
- A message that arrives in the last working hour (16:00-17:00), after closing, on a weekend, on
  an England & Wales bank holiday or on a closure day is due at closing time on the *next working
  day*. Nobody can be expected to answer a 16:59 message in one minute, and nobody is at the desk
  at night (crisis messages are answered at once by the auto-reply and the on-call alert instead).
- All of this is read on the wall clock in Europe/London, so due times follow the clocks changing:
  17:00 is 17:00 GMT in winter and 17:00 BST (16:00 UTC) in summer.

"At risk" is measured in *working* time left, so a message due Monday 17:00 is not at risk on
Friday afternoon, and one due today at 17:00 is at risk from 16:00.

No Django here: the desk builds a ``WorkingHours`` from policy.yaml (and the admin's overrides).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import holidays as holidays_lib

SlaState = Literal["on_track", "at_risk", "breached", "met", "missed"]
OPEN_STATES: frozenset[SlaState] = frozenset({"on_track", "at_risk", "breached"})
# Far enough to cross any run of holidays and closures; a calendar with no working day at all is
# a configuration error, reported rather than looped over forever.
_MAX_SEARCH_DAYS = 800


class NoWorkingDays(ValueError):
    """The calendar has no working day within two years: hours or closures are misconfigured."""


def _parse_time(value: str | time) -> time:
    if isinstance(value, time):
        return value
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def bank_holidays(country: str = "GB", subdivision: str | None = "ENG") -> Callable[[date], bool]:
    """Public holidays from the ``holidays`` package (GB/ENG = England & Wales bank holidays,
    including substitute days when a holiday falls at a weekend)."""
    calendar = holidays_lib.country_holidays(country, subdiv=subdivision)
    return lambda day: day in calendar


def _no_holidays(day: date) -> bool:
    return False


@dataclass(frozen=True)
class WorkingHours:
    timezone: str = "Europe/London"
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # 0 = Monday
    start: time = time(9, 0)
    end: time = time(17, 0)
    # Minutes before closing after which a new message rolls over to the next working day.
    late_grace_minutes: int = 60
    is_holiday: Callable[[date], bool] = field(default=_no_holidays, compare=False)
    closed_dates: frozenset[date] = frozenset()
    at_risk_minutes: int = 60

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("working hours must end after they start")
        if not self.days:
            raise NoWorkingDays("no working days configured")

    @classmethod
    def build(
        cls,
        *,
        timezone: str = "Europe/London",
        days: Iterable[int] = (0, 1, 2, 3, 4),
        start: str | time = "09:00",
        end: str | time = "17:00",
        holiday_country: str | None = "GB",
        holiday_subdivision: str | None = "ENG",
        late_grace_minutes: int = 60,
        closed_dates: Iterable[date] = (),
        at_risk_minutes: int = 60,
    ) -> WorkingHours:
        return cls(
            timezone=timezone,
            days=frozenset(days),
            start=_parse_time(start),
            end=_parse_time(end),
            late_grace_minutes=late_grace_minutes,
            is_holiday=bank_holidays(holiday_country, holiday_subdivision)
            if holiday_country
            else _no_holidays,
            closed_dates=frozenset(closed_dates),
            at_risk_minutes=at_risk_minutes,
        )

    # -- the calendar ------------------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def late_cutoff(self) -> time:
        day = datetime.combine(date(2000, 1, 3), self.end) - timedelta(minutes=self.late_grace_minutes)
        return max(day.time(), self.start)

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime: civildesk only handles timezone-aware times")
        return moment.astimezone(self.tz)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.closed_dates and not self.is_holiday(day)

    def is_working_time(self, moment: datetime) -> bool:
        here = self.local(moment)
        return self.is_working_day(here.date()) and self.start <= here.time() < self.end

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for offset in range(1, _MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise NoWorkingDays(f"no working day within {_MAX_SEARCH_DAYS} days of {day}")

    def at(self, day: date, clock: time) -> datetime:
        """Wall-clock time on ``day`` in the desk's zone (zoneinfo applies GMT or BST)."""
        return datetime.combine(day, clock, tzinfo=self.tz)

    def opens_next(self, moment: datetime) -> datetime:
        """When the desk is next staffed at or after ``moment``."""
        here = self.local(moment)
        if self.is_working_day(here.date()):
            if here.time() < self.start:
                return self.at(here.date(), self.start)
            if here.time() < self.end:
                return moment
        return self.at(self.next_working_day(here.date()), self.start)

    # -- the response target -----------------------------------------------------------------

    def due_at(self, received: datetime) -> datetime:
        """When a reply is due under "same working day" (see the module docstring)."""
        here = self.local(received)
        if self.is_working_day(here.date()) and here.time() < self.late_cutoff:
            return self.at(here.date(), self.end)
        return self.at(self.next_working_day(here.date()), self.end)

    def working_seconds(self, begin: datetime, finish: datetime) -> float:
        """Staffed time between two moments (0 if ``finish`` is not after ``begin``)."""
        # Same-zone aware datetimes subtract on the wall clock in Python; UTC makes every
        # difference a real elapsed time across the clocks changing.
        begin, finish = begin.astimezone(UTC), finish.astimezone(UTC)
        if finish <= begin:
            return 0.0
        total = 0.0
        day = self.local(begin).date()
        last = self.local(finish).date()
        while day <= last:
            if self.is_working_day(day):
                opens = self.at(day, self.start).astimezone(UTC)
                closes = self.at(day, self.end).astimezone(UTC)
                lo, hi = max(opens, begin), min(closes, finish)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def state(self, due: datetime, now: datetime, answered_at: datetime | None = None) -> SlaState:
        if answered_at is not None:
            return "met" if answered_at.astimezone(UTC) <= due.astimezone(UTC) else "missed"
        if now.astimezone(UTC) > due.astimezone(UTC):
            return "breached"
        if self.working_seconds(now, due) <= self.at_risk_minutes * 60:
            return "at_risk"
        return "on_track"


def describe_remaining(due: datetime, now: datetime) -> str:
    """A short clock for the inbox: "2 h 05 min left" or "overdue by 45 min" (wall time)."""
    seconds = int((due.astimezone(UTC) - now.astimezone(UTC)).total_seconds())
    overdue = seconds < 0
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {mins:02d} min"
    else:
        text = f"{mins} min"
    return f"overdue by {text}" if overdue else f"{text} left"
