"""Suggested times fall outside the desk's working hours (the same calendar as the SLA)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from civildesk.inbox.sla import WorkingHours
from civildesk.publishing.slots import MIN_LEAD, SPACING, in_working_hours, suggest

HOURS = WorkingHours.build()  # Mon-Fri 09:00-17:00 Europe/London, England & Wales bank holidays
WEDNESDAY_9AM = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_suggestions_are_never_in_working_hours_and_are_in_order() -> None:
    found = suggest(HOURS, WEDNESDAY_9AM, count=20)
    assert len(found) == 20
    assert found == sorted(found)
    assert not any(HOURS.is_working_time(s) for s in found)
    assert all(s >= WEDNESDAY_9AM + MIN_LEAD for s in found)


def test_weekdays_offer_mornings_and_evenings_and_weekends_the_whole_day() -> None:
    found = [HOURS.local(s) for s in suggest(HOURS, WEDNESDAY_9AM, count=20)]
    wednesday = [s.time() for s in found if s.date() == date(2026, 11, 25)]
    assert wednesday == [time(18, 0), time(19, 30)]  # 07:30 has passed, 10:00 and 12:30 are in hours
    saturday = [s.time() for s in found if s.date() == date(2026, 11, 28)]
    assert time(10, 0) in saturday and time(12, 30) in saturday


def test_bank_holidays_are_treated_like_weekends() -> None:
    # Friday 25 December 2026 is a bank holiday: midday is outside working hours.
    found = [HOURS.local(s) for s in suggest(HOURS, datetime(2026, 12, 24, 20, 0, tzinfo=UTC), count=5)]
    assert datetime(2026, 12, 25, 10, 0).time() in [s.time() for s in found if s.date() == date(2026, 12, 25)]


def test_busy_times_are_not_suggested_again() -> None:
    first = suggest(HOURS, WEDNESDAY_9AM, count=3)
    again = suggest(HOURS, WEDNESDAY_9AM, count=3, busy=[first[0]])
    assert first[0] not in again
    assert all(abs(s - first[0]) >= SPACING for s in again)


def test_working_hours_warning() -> None:
    assert in_working_hours(HOURS, WEDNESDAY_9AM + timedelta(hours=2))
    assert not in_working_hours(HOURS, datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
