"""The weekly report's moderation figures: what was carried out in the week, overrides of
protected criticism, and appeals received by outcome; then the real report shows them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civildesk.devtools.testing import at
from civildesk.inbox.models import Message
from civildesk.moderation import reporting, services
from civildesk.moderation.models import Appeal, ModerationAction
from civildesk.reports.build import build_report
from civildesk.reports.period import parse_week
from civildesk.reports.sections import sections

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform")]

ABUSE = "you are all idiots at that clinic"
CRITICISM = "the appointment system is useless and the wait was appalling"
# Week 49 of 2026: Monday 30 November to Sunday 6 December (London is on GMT, so UTC too).
WEEK = parse_week("2026-W49")
START, END = WEEK.start, WEEK.end
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def carry_out(
    arrive: Callable[..., Message], officer: Any, moderator: Any, commit: Any, settle: Any
) -> Callable[..., ModerationAction]:
    """A message arrives, the action is proposed and approved, and the platform call runs, all at
    ``when`` (the action's applied time)."""
    authors = iter(range(1, 100))

    def run(kind: str, when: datetime, *, text: str = ABUSE, override: str = "") -> ModerationAction:
        with at(when):
            message = arrive(text, author_id=f"ig-{next(authors)}", age=timedelta(minutes=5))
            proposer = moderator if override else officer
            action = services.do_propose(kind, proposer, message=message, override_reason=override)
            with commit():
                services.do_approve(action, moderator)
            settle()
        action.refresh_from_db()
        assert action.state == "applied" and action.applied_at == when
        return action

    return run


@pytest.fixture
def a_week_of_moderation(
    carry_out: Callable[..., ModerationAction],
    arrive: Callable[..., Message],
    officer: Any,
    moderator: Any,
    commit: Any,
    settle: Any,
) -> dict[str, ModerationAction]:
    hidden = carry_out("hide", TUESDAY)
    deleted = carry_out("delete", END - timedelta(minutes=1))  # Sunday 23:59: still this week
    override = carry_out(
        "hide", TUESDAY + timedelta(days=1), text=CRITICISM, override="names a patient on the ward"
    )
    carry_out("hide", START - timedelta(seconds=1))  # the Sunday before: last week's
    carry_out("delete", END)  # Monday 00:00: next week's
    with at(TUESDAY):
        rejected = services.do_hide(arrive(ABUSE, author_id="ig-rejected"), officer)
        services.do_reject(rejected, moderator, reason="not abuse in context")
        waiting = services.do_hide(arrive(ABUSE, author_id="ig-waiting"), officer)
    # Thursday: the hidden post's author appeals and the moderator overturns (the hide is undone).
    with at(TUESDAY + timedelta(days=2)):
        appeal = services.do_open_appeal(text="I was quoting someone", action=hidden, user=officer)
        with commit():
            services.do_decide_appeal(appeal, moderator, outcome="overturned", reason="it was a quote")
        settle()
        upheld = services.do_open_appeal(text="unfair", action=deleted, user=officer)
        services.do_decide_appeal(upheld, moderator, outcome="upheld", reason="clear abuse")
        services.do_open_appeal(text="please look again", action=override, user=officer)
    with at(END + timedelta(hours=9)):  # next Monday's appeal is next week's
        services.do_open_appeal(text="late", action=override, user=officer)
    hidden.refresh_from_db()
    assert hidden.state == "undone" and waiting.state == "proposed"
    return {"hidden": hidden, "deleted": deleted, "override": override}


def test_actions_count_in_the_week_they_were_carried_out(
    a_week_of_moderation: dict[str, ModerationAction],
) -> None:
    # Two hides (one later undone: it still happened), the unhide that undid it, one delete.
    # Not counted: last week's hide, next week's delete, the rejected and the waiting proposals.
    assert reporting.actions_by_type(START, END) == {"delete": 1, "hide": 2, "unhide": 1}
    assert reporting.actions_by_type(START - timedelta(days=7), START) == {"hide": 1}
    assert reporting.actions_by_type(END, END + timedelta(days=7)) == {"delete": 1}


def test_only_carried_out_removals_of_protected_criticism_are_overrides(
    a_week_of_moderation: dict[str, ModerationAction],
    arrive: Callable[..., Message],
    moderator: Any,
) -> None:
    assert reporting.criticism_overrides(START, END) == 1
    with at(TUESDAY):
        # A proposed override is not yet an override: nobody has removed anything.
        services.do_delete(arrive(CRITICISM, author_id="ig-x"), moderator, override_reason="a name")
    assert reporting.criticism_overrides(START, END) == 1
    assert reporting.criticism_overrides(START - timedelta(days=7), START) == 0


def test_appeals_are_counted_in_the_week_received_by_their_outcome_now(
    a_week_of_moderation: dict[str, ModerationAction],
) -> None:
    assert reporting.appeals_summary(START, END) == {"open": 1, "upheld": 1, "overturned": 1}
    assert reporting.appeals_summary(END, END + timedelta(days=7)) == {
        "open": 1,
        "upheld": 0,
        "overturned": 0,
    }
    assert Appeal.objects.count() == 4


def test_a_quiet_week_reads_as_zeros_not_gaps(db: Any) -> None:
    assert reporting.actions_by_type(START, END) == {}
    assert reporting.criticism_overrides(START, END) == 0
    assert reporting.appeals_summary(START, END) == {"open": 0, "upheld": 0, "overturned": 0}


def test_naive_times_are_refused(db: Any) -> None:
    with pytest.raises(ValueError, match="aware"):
        reporting.actions_by_type(datetime(2026, 11, 30), datetime(2026, 12, 7))
    with pytest.raises(ValueError, match="aware"):
        reporting.appeals_summary(datetime(2026, 11, 30), END)


def test_the_weekly_report_shows_the_moderation_section(
    a_week_of_moderation: dict[str, ModerationAction], client: Client, viewer: Any, settings: Any
) -> None:
    """The real thing end to end: civildesk.reports finds this module and lists its figures."""
    report = build_report(WEEK, now=END + timedelta(days=1))
    assert report.moderation.recorded
    section = next(s for s in sections(report) if s.key == "moderation")
    assert section.rows == (
        ("Action: delete", "1"),
        ("Action: hide", "2"),
        ("Action: unhide", "1"),
        ("Overrides of protected criticism", "1"),
        ("Appeals: Open (waiting for a decision)", "1"),
        ("Appeals: Overturned (the action was undone)", "1"),
        ("Appeals: Upheld (the action stands)", "1"),
    )
    # And the downloadable HTML report says so too (no "not recorded yet").
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600
    client.force_login(viewer)
    with at(END + timedelta(days=1)):
        html = client.get(reverse("report-html", kwargs={"week": "2026-W49"})).content.decode()
    assert "Overrides of protected criticism" in html and "Action: unhide" in html
    assert "Not recorded yet" not in html


def test_the_dashboard_shows_overrides_and_appeals_open_and_overdue(
    a_week_of_moderation: dict[str, ModerationAction], client: Client, viewer: Any, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600  # the session must outlive the frozen clock
    client.force_login(viewer)
    # Friday 11 December: Thursday 3 December's open appeal was due Thursday 10th at 17:00 (five
    # working days); Monday 7th's is due Monday 14th.
    with at(datetime(2026, 12, 11, 12, 0, tzinfo=UTC)):
        html = client.get(reverse("dashboard")).content.decode()
    stat = {
        k: int(re.search(rf'data-testid="stat-{k}">(\d+)<', html).group(1))  # type: ignore[union-attr]
        for k in ("overrides", "appeals-open", "appeals-overdue")
    }
    assert stat == {"overrides": 1, "appeals-open": 2, "appeals-overdue": 1}
    assert "removals despite protected criticism (overrides)" in html


def test_a_new_desk_shows_zeros_on_the_dashboard(client: Client, viewer: Any) -> None:
    client.force_login(viewer)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="stat-overrides">0<' in html and 'data-testid="stat-appeals-open">0<' in html
