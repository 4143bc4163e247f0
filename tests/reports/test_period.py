"""Weeks are London weeks: Monday 00:00 to Monday 00:00 on the wall clock, whatever UTC says."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from civildesk.reports.period import BadPeriod, Period, last_full_week, parse_week, recent_weeks, week_of


def test_the_default_is_the_last_week_that_has_ended() -> None:
    # Monday 7 December 2026, 00:30: last week (30 Nov - 6 Dec) has just ended.
    assert last_full_week(datetime(2026, 12, 7, 0, 30, tzinfo=UTC)).first_day == date(2026, 11, 30)
    # Sunday 6 December, 23:30: that week is not over, so the week before it.
    assert last_full_week(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)).first_day == date(2026, 11, 23)


def test_a_summer_week_starts_at_london_midnight_not_utc_midnight() -> None:
    week = parse_week("2026-W27")  # Monday 29 June 2026, BST
    assert week.start == datetime(2026, 6, 28, 23, 0, tzinfo=UTC)
    # Sunday 23:30 BST is in the week; Monday 00:30 BST is the next one.
    assert week.contains(datetime(2026, 7, 5, 22, 30, tzinfo=UTC))
    assert not week.contains(datetime(2026, 7, 5, 23, 30, tzinfo=UTC))
    # And "Monday 00:30 UTC" is read as the London Sunday night, still last week, in summer.
    assert last_full_week(datetime(2026, 7, 5, 23, 30, tzinfo=UTC)).first_day == date(2026, 6, 29)


def test_the_week_the_clocks_go_back_has_169_hours() -> None:
    week = week_of(date(2026, 10, 21))  # clocks go back on Sunday 25 October 2026
    assert week.first_day == date(2026, 10, 19)
    assert (week.end - week.start).total_seconds() == 169 * 3600
    assert week.iso_week == "2026-W43"
    assert week.title == "19 October 2026 to 25 October 2026"


@pytest.mark.parametrize("text", ["", "2026-49", "2026-W60", "2026-W00", "W49", "2026-W4", "x2026-W49"])
def test_a_week_that_does_not_exist_is_refused(text: str) -> None:
    with pytest.raises(BadPeriod):
        parse_week(text)


def test_a_period_covers_at_least_one_day() -> None:
    with pytest.raises(BadPeriod):
        Period(date(2026, 11, 23), 0)


def test_the_week_chooser_offers_this_week_first() -> None:
    weeks = recent_weeks(datetime(2026, 12, 2, 10, 0, tzinfo=UTC), 2)
    assert [w.iso_week for w in weeks] == ["2026-W49", "2026-W48", "2026-W47"]
