"""The period a report covers: whole local days in the desk's time zone (Europe/London).

A week is Monday 00:00 to the next Monday 00:00 on the London wall clock, so a week that contains
the clocks changing is 167 or 169 hours long, and Sunday night's messages are never cut off at 23:00
UTC. No Django here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class BadPeriod(ValueError):
    """The week asked for is not a real ISO week (``2026-W49``)."""


@dataclass(frozen=True, slots=True)
class Period:
    first_day: date
    days: int = 7
    timezone: str = "Europe/London"

    def __post_init__(self) -> None:
        if self.days < 1:
            raise BadPeriod("a period covers at least one day")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    @property
    def dates(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.days)]

    @property
    def start(self) -> datetime:
        """The first moment in the period (aware, UTC)."""
        return datetime.combine(self.first_day, time(0), tzinfo=self.tz).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first moment *after* the period (aware, UTC): the period is [start, end)."""
        return datetime.combine(
            self.first_day + timedelta(days=self.days), time(0), tzinfo=self.tz
        ).astimezone(UTC)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def iso_week(self) -> str:
        """``2026-W49`` for a Monday-to-Sunday week (the key in URLs and file names)."""
        year, week, _ = self.first_day.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def title(self) -> str:
        first, last = self.first_day, self.last_day
        return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"


def week_of(day: date, timezone: str = "Europe/London") -> Period:
    """The Monday-to-Sunday week that contains ``day``."""
    return Period(day - timedelta(days=day.weekday()), 7, timezone)


def last_full_week(now: datetime, timezone: str = "Europe/London") -> Period:
    """The most recent Monday-to-Sunday week that has ended by ``now`` (London wall clock)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return week_of(today - timedelta(days=7), timezone)


def parse_week(text: str, timezone: str = "Europe/London") -> Period:
    """``2026-W49`` -> that week; anything else is a ``BadPeriod``."""
    match = _ISO_WEEK.match(text.strip())
    if match is None:
        raise BadPeriod(f"not a week: {text!r} (expected e.g. 2026-W49)")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise BadPeriod(f"not a week: {text!r}") from exc
    return Period(monday, 7, timezone)


def recent_weeks(now: datetime, count: int, timezone: str = "Europe/London") -> list[Period]:
    """This week (so far) first, then the ``count`` weeks before it, newest first."""
    current = week_of(now.astimezone(ZoneInfo(timezone)).date(), timezone)
    return [week_of(current.first_day - timedelta(days=7 * n), timezone) for n in range(count + 1)]
