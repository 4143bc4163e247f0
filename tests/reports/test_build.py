"""The week in conftest.py, reported: every figure below is worked out by hand in the comments."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from civildesk.reports import build
from civildesk.reports.build import build_report, moderation_figures
from civildesk.reports.figures import Report
from civildesk.reports.sections import sections
from tests.reports.conftest import READ_AT, week_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(week: dict[str, Any], posts: list[Any]) -> Report:
    return build_report(week_period(), now=READ_AT)


def test_only_messages_posted_in_the_london_week_count(report: Report) -> None:
    # 22 Nov 23:59 and 30 Nov 00:00 fall either side of the week.
    assert report.total == 7


def test_volume_by_platform_and_day(report: Report) -> None:
    assert [v for v, _ in report.platforms] == ["x", "facebook", "instagram", "linkedin"]
    assert dict(report.by_platform) == {"X": 2, "Facebook": 3, "Instagram": 1, "LinkedIn": 1}
    assert [(v.day, v.counts) for v in report.volume] == [
        (date(2026, 11, 23), (1, 1, 0, 0)),
        (date(2026, 11, 24), (0, 0, 1, 0)),
        (date(2026, 11, 25), (0, 0, 0, 1)),
        (date(2026, 11, 26), (1, 0, 0, 0)),
        (date(2026, 11, 27), (0, 0, 0, 0)),  # a quiet Friday is still a day on the chart
        (date(2026, 11, 28), (0, 1, 0, 0)),
        (date(2026, 11, 29), (0, 1, 0, 0)),
    ]


def test_labels_most_frequent_first_then_by_name(report: Report) -> None:
    assert report.labels == (
        ("crisis", 2),
        ("question", 2),
        ("abuse", 1),
        ("complaint", 1),
        ("criticism", 1),
        ("profanity", 1),
    )


def test_crisis_count_and_time_to_first_reply(report: Report) -> None:
    # Saturday: the automatic reply after 2 minutes (a person on Monday does not make it longer).
    # Sunday: the automatic reply failed; a person's reply got through 20 minutes after posting.
    assert report.crisis.count == 2 and report.crisis.replied == 2 and report.crisis.unreplied == 0
    assert report.crisis.median_minutes == pytest.approx(11.0)
    assert report.crisis.longest_minutes == pytest.approx(20.0)


def test_sla_met_percent(report: Report) -> None:
    # Met: complaint, late question, both crises. Missed: criticism (late), forgotten (overdue).
    # The hidden abuse owed no reply and is left out of the percentage.
    sla = report.sla
    assert (sla.met, sla.missed, sla.pending, sla.no_reply_owed) == (4, 2, 0, 1)
    assert sla.percent_met == pytest.approx(66.666, abs=0.01)


def test_median_first_response_is_in_working_minutes(report: Report) -> None:
    # 60 (same hour), 90 (Mon 16:30 -> Tue 10:00), 480 (Tue noon -> Wed noon), 15 (Sat night ->
    # Mon 09:15), 0 (Sunday night, nobody at work): the median is 60.
    assert report.responses_counted == 5
    assert report.median_first_response_minutes == pytest.approx(60.0)


def test_top_recurring_authors(report: Report) -> None:
    # Amy wrote twice on X (her Instagram account is another author); Bob twice on Facebook; Carl
    # and Dana once each, so they are not "recurring".
    rows = [(a.name, a.platform, a.messages, a.top_label) for a in report.top_authors]
    assert rows == [("Amy (@amy)", "X", 2, "complaint"), ("Bob (@bob)", "Facebook", 2, "crisis")]


def test_scheduled_posts_published_and_failed(report: Report) -> None:
    # Cancelled targets, cancelled posts and next week's post are not counted.
    assert (report.posts.published, report.posts.failed, report.posts.unknown, report.posts.waiting) == (
        2,
        1,
        1,
        0,
    )


def test_a_message_still_waiting_but_not_yet_due_is_pending(desk_db: Any) -> None:
    from tests.reports.conftest import utc

    desk_db.message(utc(29, 12))  # Sunday: due Monday 17:00
    on_monday_morning = build_report(week_period(), now=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert (on_monday_morning.sla.pending, on_monday_morning.sla.percent_met) == (1, None)
    on_tuesday = build_report(week_period(), now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert (on_tuesday.sla.missed, on_tuesday.sla.percent_met) == (1, 0.0)


def test_an_empty_week_reports_zeros_not_errors(desk_db: Any) -> None:
    report = build_report(week_period(), now=READ_AT)
    assert report.total == 0 and report.sla.percent_met is None
    assert report.median_first_response_minutes is None and report.crisis.median_minutes is None
    summary = {row[0]: row[1] for row in sections(report)[0].rows}
    assert summary["Same-working-day replies met"] == "–"


# --- moderation: read from civildesk.moderation.reporting when it provides the figures ----------


@pytest.fixture
def fake_reporting(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    module = types.ModuleType("tests.reports.fake_moderation_reporting")
    calls: list[tuple[datetime, datetime]] = []

    def actions_by_type(start: datetime, end: datetime) -> dict[str, int]:
        calls.append((start, end))
        return {"hide": 3, "block": 1}

    module.actions_by_type = actions_by_type  # type: ignore[attr-defined]
    module.criticism_overrides = lambda start, end: 1  # type: ignore[attr-defined]
    module.appeals_summary = lambda start, end: {"upheld": 1, "overturned": 2}  # type: ignore[attr-defined]
    module.calls = calls  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(build, "MODERATION_REPORTING", module.__name__)
    yield module


def test_moderation_figures_come_from_the_moderation_app(fake_reporting: types.ModuleType) -> None:
    period = week_period()
    figures = moderation_figures(period)
    assert figures.recorded
    assert dict(figures.actions_by_type) == {"hide": 3, "block": 1}
    assert figures.criticism_overrides == 1
    assert dict(figures.appeals) == {"upheld": 1, "overturned": 2}
    assert fake_reporting.calls == [(period.start, period.end)]  # type: ignore[attr-defined]


def test_moderation_section_lists_actions_overrides_and_appeals(
    fake_reporting: types.ModuleType, desk_db: Any
) -> None:
    section = next(s for s in sections(build_report(week_period(), now=READ_AT)) if s.key == "moderation")
    assert section.rows == (
        ("Action: block", "1"),
        ("Action: hide", "3"),
        ("Overrides of protected criticism", "1"),
        ("Appeals: Overturned (the action was undone)", "2"),
        ("Appeals: Upheld (the action stands)", "1"),
    )


def test_without_a_reporting_module_moderation_is_not_recorded_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "MODERATION_REPORTING", "civildesk.reports.no_such_module")
    figures = moderation_figures(week_period())
    assert not figures.recorded and figures.note.startswith("Not recorded yet")


def test_a_reporting_module_missing_a_function_is_not_half_used(
    fake_reporting: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(fake_reporting, "appeals_summary")
    assert not moderation_figures(week_period()).recorded


def test_without_the_moderation_app_moderation_is_not_recorded_yet(
    fake_reporting: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "MODERATION_APP", "civildesk.not_installed")
    assert not moderation_figures(week_period()).recorded


def test_the_report_as_json_data_for_the_api(report: Report) -> None:
    import json

    from civildesk.reports.figures import as_dict

    data = json.loads(json.dumps(as_dict(report)))  # JSON-safe all the way down
    assert data["week"] == "2026-W48" and data["messages"] == 7
    assert data["by_platform"] == {"x": 2, "facebook": 3, "instagram": 1, "linkedin": 1}
    assert data["by_day"][0] == {"day": "2026-11-23", "x": 1, "facebook": 1, "instagram": 0, "linkedin": 0}
    assert data["sla"]["met"] == 4 and round(data["sla"]["percent_met"], 1) == 66.7
    assert data["crisis"]["median_minutes_to_first_reply"] == 11.0
    assert data["median_first_response_working_minutes"] == 60.0
    assert data["scheduled_posts"] == {"published": 2, "failed": 1, "unknown": 1, "waiting": 0}
