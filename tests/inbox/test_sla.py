"""The "same working day" clock: when is a reply due, and when is it at risk or late?

All times below are written on the London wall clock unless they say UTC, because that is how
the communications team reads them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from civildesk.inbox.sla import NoWorkingDays, WorkingHours, describe_remaining

LONDON = ZoneInfo("Europe/London")
DESK = WorkingHours.build()  # Mon-Fri 09:00-17:00 Europe/London, England & Wales bank holidays


def london(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("received", "due", "story"),
    [
        # 2026-11-25 is a Wednesday.
        (london(2026, 11, 25, 10, 0), london(2026, 11, 25, 17, 0), "mid-morning: due at 5pm today"),
        (london(2026, 11, 25, 9, 0), london(2026, 11, 25, 17, 0), "first minute of the day"),
        (london(2026, 11, 25, 7, 30), london(2026, 11, 25, 17, 0), "before opening: the whole day is left"),
        (london(2026, 11, 25, 0, 5), london(2026, 11, 25, 17, 0), "just after midnight"),
        (london(2026, 11, 25, 15, 59), london(2026, 11, 25, 17, 0), "just before the late cut-off"),
        (london(2026, 11, 25, 16, 0), london(2026, 11, 26, 17, 0), "last working hour: next day"),
        (london(2026, 11, 25, 16, 59), london(2026, 11, 26, 17, 0), "16:59: nobody can answer in a minute"),
        (london(2026, 11, 25, 17, 0), london(2026, 11, 26, 17, 0), "on the stroke of five"),
        (london(2026, 11, 25, 23, 59), london(2026, 11, 26, 17, 0), "late evening"),
        # Weekends roll to Monday.
        (london(2026, 11, 27, 16, 30), london(2026, 11, 30, 17, 0), "Friday late: Monday"),
        (london(2026, 11, 27, 18, 0), london(2026, 11, 30, 17, 0), "Friday evening: Monday"),
        (london(2026, 11, 28, 11, 0), london(2026, 11, 30, 17, 0), "Saturday: Monday"),
        (london(2026, 11, 29, 23, 0), london(2026, 11, 30, 17, 0), "Sunday night: Monday"),
        (london(2026, 11, 30, 8, 0), london(2026, 11, 30, 17, 0), "Monday early: Monday"),
    ],
)
def test_due_times_on_ordinary_days(received: datetime, due: datetime, story: str) -> None:
    assert DESK.due_at(received) == due, story


@pytest.mark.parametrize(
    ("received", "due", "story"),
    [
        # Easter 2026: Good Friday 3 April and Easter Monday 6 April are bank holidays.
        (london(2026, 4, 2, 16, 30), london(2026, 4, 7, 17, 0), "Thursday before Easter, late: Tuesday"),
        (london(2026, 4, 3, 10, 0), london(2026, 4, 7, 17, 0), "Good Friday morning: Tuesday"),
        (london(2026, 4, 6, 9, 30), london(2026, 4, 7, 17, 0), "Easter Monday in 'office hours': Tuesday"),
        # Christmas 2026: Fri 25, Sat 26, Boxing Day substitute Mon 28.
        (london(2026, 12, 24, 12, 0), london(2026, 12, 24, 17, 0), "Christmas Eve is a working day"),
        (london(2026, 12, 24, 16, 15), london(2026, 12, 29, 17, 0), "Christmas Eve late: Tuesday 29th"),
        (london(2026, 12, 28, 10, 0), london(2026, 12, 29, 17, 0), "substitute Boxing Day is a holiday"),
        # Late summer bank holiday 2026 is Monday 31 August.
        (london(2026, 8, 28, 17, 30), london(2026, 9, 1, 17, 0), "bank holiday weekend: Tuesday"),
        # New Year's Day 2027 is a Friday.
        (london(2026, 12, 31, 16, 45), london(2027, 1, 4, 17, 0), "New Year's Eve late: Monday 4th"),
    ],
)
def test_bank_holidays_in_england_and_wales_are_not_working_days(
    received: datetime, due: datetime, story: str
) -> None:
    assert DESK.due_at(received) == due, story


def test_scottish_holidays_are_not_english_ones() -> None:
    # 2 January is a bank holiday in Scotland only; St Andrew's Day (30 Nov) likewise.
    scotland = WorkingHours.build(holiday_subdivision="SCT")
    assert scotland.due_at(london(2026, 11, 30, 10)) == london(2026, 12, 1, 17)
    assert DESK.due_at(london(2026, 11, 30, 10)) == london(2026, 11, 30, 17)


class TestTheClocksChanging:
    """BST starts at 01:00 UTC on Sunday 29 March 2026 and ends at 01:00 UTC on 25 October 2026."""

    def test_due_time_is_five_pm_on_the_wall_clock_in_both_seasons(self) -> None:
        winter = DESK.due_at(london(2026, 3, 27, 18, 0))  # Friday evening, GMT
        assert winter == london(2026, 3, 30, 17, 0)
        assert winter.astimezone(UTC).time() == time(16, 0)  # Monday is in BST

        summer = DESK.due_at(london(2026, 10, 23, 18, 0))  # Friday evening, BST
        assert summer == london(2026, 10, 26, 17, 0)
        assert summer.astimezone(UTC).time() == time(17, 0)  # Monday is back on GMT

    def test_message_in_the_repeated_hour_in_october(self) -> None:
        first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
        second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT, an hour later
        assert DESK.due_at(first) == DESK.due_at(second) == london(2026, 10, 26, 17)

    def test_working_time_over_the_weekend_the_clocks_go_forward(self) -> None:
        friday = london(2026, 3, 27, 16, 30)
        monday = london(2026, 3, 30, 17, 0)
        # Half an hour on Friday plus a full Monday; the lost hour was on a Sunday night.
        assert DESK.working_seconds(friday, monday) == (30 + 8 * 60) * 60
        # The wall-clock gap is an hour shorter than the calendar suggests.
        elapsed = monday.astimezone(UTC) - friday.astimezone(UTC)
        assert elapsed == timedelta(days=3, minutes=30) - timedelta(hours=1)

    def test_a_seven_day_desk_still_works_eight_hours_on_changeover_sunday(self) -> None:
        weekly = WorkingHours.build(days=range(7))
        for sunday in (date(2026, 3, 29), date(2026, 10, 25)):
            opens, closes = weekly.at(sunday, time(9)), weekly.at(sunday, time(17))
            assert weekly.working_seconds(opens - timedelta(hours=3), closes + timedelta(hours=3)) == 8 * 3600
            assert weekly.due_at(opens) == closes


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (london(2026, 11, 25, 8, 59), False),
        (london(2026, 11, 25, 9, 0), True),
        (london(2026, 11, 25, 16, 59), True),
        (london(2026, 11, 25, 17, 0), False),
        (london(2026, 11, 28, 12, 0), False),  # Saturday
        (london(2026, 12, 25, 12, 0), False),  # Christmas Day
        (datetime(2026, 7, 1, 8, 30, tzinfo=UTC), True),  # 09:30 BST
        (datetime(2026, 7, 1, 16, 30, tzinfo=UTC), False),  # 17:30 BST
        (datetime(2026, 1, 7, 16, 30, tzinfo=UTC), True),  # 16:30 GMT
    ],
)
def test_in_and_out_of_hours(moment: datetime, working: bool) -> None:
    assert DESK.is_working_time(moment) is working


class TestSlaStates:
    due = london(2026, 11, 25, 17, 0)

    def test_plenty_of_time_is_on_track(self) -> None:
        assert DESK.state(self.due, london(2026, 11, 25, 10)) == "on_track"

    def test_the_last_working_hour_is_at_risk(self) -> None:
        assert DESK.state(self.due, london(2026, 11, 25, 16, 0)) == "at_risk"
        assert DESK.state(self.due, london(2026, 11, 25, 16, 59)) == "at_risk"

    def test_after_the_due_time_is_breached(self) -> None:
        assert DESK.state(self.due, london(2026, 11, 25, 17, 1)) == "breached"
        assert DESK.state(self.due, london(2026, 11, 27, 9)) == "breached"

    def test_answered_in_time_is_met_and_late_is_missed(self) -> None:
        now = london(2026, 11, 26, 9)
        assert DESK.state(self.due, now, answered_at=london(2026, 11, 25, 16, 59)) == "met"
        assert DESK.state(self.due, now, answered_at=london(2026, 11, 25, 17, 1)) == "missed"

    def test_friday_afternoon_is_not_at_risk_for_a_message_due_monday(self) -> None:
        monday_due = london(2026, 11, 30, 17)
        assert DESK.state(monday_due, london(2026, 11, 27, 16, 30)) == "on_track"
        assert DESK.state(monday_due, london(2026, 11, 30, 16, 30)) == "at_risk"


def test_desk_opens_next() -> None:
    assert DESK.opens_next(london(2026, 11, 27, 18)) == london(2026, 11, 30, 9)
    assert DESK.opens_next(london(2026, 11, 25, 7)) == london(2026, 11, 25, 9)
    assert DESK.opens_next(london(2026, 11, 25, 11)) == london(2026, 11, 25, 11)


def test_closure_days_added_by_the_admin_are_skipped() -> None:
    closed = WorkingHours.build(closed_dates=[date(2026, 11, 26)])
    assert closed.due_at(london(2026, 11, 25, 16, 30)) == london(2026, 11, 27, 17)


def test_a_later_late_cutoff_keeps_more_messages_on_the_same_day() -> None:
    lenient = WorkingHours.build(late_grace_minutes=15)
    assert lenient.due_at(london(2026, 11, 25, 16, 30)) == london(2026, 11, 25, 17)
    assert lenient.due_at(london(2026, 11, 25, 16, 50)) == london(2026, 11, 26, 17)


def test_a_calendar_without_working_days_is_refused() -> None:
    with pytest.raises(NoWorkingDays):
        WorkingHours.build(days=[])
    always_closed = WorkingHours.build(holiday_country=None)
    object.__setattr__(always_closed, "is_holiday", lambda day: True)
    with pytest.raises(NoWorkingDays):
        always_closed.due_at(london(2026, 11, 25, 10))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        DESK.due_at(datetime(2026, 11, 25, 10))


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(hours=2, minutes=5), "2 h 05 min left"),
        (timedelta(minutes=9), "9 min left"),
        (-timedelta(minutes=45), "overdue by 45 min"),
        (timedelta(days=3, hours=1), "3 d 1 h left"),
    ],
)
def test_the_clock_reads_like_a_sentence(delta: timedelta, text: str) -> None:
    now = london(2026, 11, 25, 10)
    assert describe_remaining(now + delta, now) == text
