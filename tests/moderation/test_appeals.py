"""Appeals: the author quotes the notice's reference; a moderator upholds or overturns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest

from civildesk.inbox.models import Message
from civildesk.moderation import services, states
from civildesk.moderation.models import Appeal, AuditEntry, AuthorNotice, ModerationAction
from tests.moderation.fakes import RecordingConnector

pytestmark = pytest.mark.django_db
ABUSE = "you are all idiots at that clinic"


@pytest.fixture
def hidden(
    arrive: Callable[..., Message],
    officer: Any,
    moderator: Any,
    platform: RecordingConnector,
    commit: Any,
    settle: Any,
) -> ModerationAction:
    action = services.do_hide(arrive(ABUSE), officer)
    with commit():
        services.do_approve(action, moderator)
    settle()
    action.refresh_from_db()
    assert action.state == "applied"
    return action


def test_an_emailed_appeal_is_matched_by_its_reference_and_gets_a_working_day_deadline(
    hidden: ModerationAction,
) -> None:
    notice = AuthorNotice.objects.get(action=hidden)
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=friday_4pm):
        appeal = services.do_open_appeal(text="I was quoting someone", reference=notice.reference.lower())
    assert appeal.action == hidden and appeal.notice == notice and appeal.status == "open"
    # Five working days after Friday 27 November: Friday 4 December, close of business (GMT).
    assert appeal.due_at == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    assert AuditEntry.objects.filter(event="appeal.opened", target_id=str(appeal.pk)).exists()


def test_an_appeal_email_is_matched_by_the_reference_it_quotes(hidden: ModerationAction) -> None:
    notice = AuthorNotice.objects.get(action=hidden)
    appeal = services.do_open_appeal_from_email(
        subject="Why was my comment hidden?", body=f"Your message said {notice.reference}. I was quoting."
    )
    assert appeal.notice == notice and appeal.via == "email" and "I was quoting" in appeal.text
    with pytest.raises(services.AppealNotFound, match="no notice reference"):
        services.do_open_appeal_from_email(subject="hello", body="you hid my post")


def test_an_unknown_reference_is_refused(db: Any) -> None:
    with pytest.raises(services.AppealNotFound):
        services.do_open_appeal(text="why?", reference="CD-ZZZZZZ")


def test_overturning_undoes_the_action_and_tells_the_author(
    hidden: ModerationAction, moderator: Any, platform: RecordingConnector, commit: Any, settle: Any
) -> None:
    notice = AuthorNotice.objects.get(action=hidden)
    appeal = services.do_open_appeal(text="I was quoting someone", reference=notice.reference)
    with commit():
        services.do_decide_appeal(appeal, moderator, outcome="overturned", reason="it was a quotation")
    settle()
    hidden.refresh_from_db()
    assert hidden.state == "undone"
    assert ("unhide", hidden.message.platform_id) in platform.calls  # type: ignore[union-attr]
    restored = AuthorNotice.objects.exclude(pk=notice.pk).get()
    assert restored.status == "sent" and notice.reference in restored.text and "reversed" in restored.text
    assert services.appeal_counts() == {"total": 1, "open": 0, "upheld": 0, "overturned": 1, "overdue": 0}


def test_upholding_changes_nothing_on_the_platform(
    hidden: ModerationAction, moderator: Any, platform: RecordingConnector, commit: Any, settle: Any
) -> None:
    appeal = services.do_open_appeal(text="unfair", action=hidden)
    calls = list(platform.calls)
    with commit():
        services.do_decide_appeal(appeal, moderator, outcome="upheld", reason="clearly abusive")
    settle()
    hidden.refresh_from_db()
    assert hidden.state == "applied" and platform.calls == calls
    assert Appeal.objects.get().status == "upheld"


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_only_a_moderator_decides(hidden: ModerationAction, role: str, request: Any) -> None:
    user = request.getfixturevalue(role)
    appeal = services.do_open_appeal(text="unfair", action=hidden)
    with pytest.raises(states.RoleRefused):
        services.do_decide_appeal(appeal, user, outcome="overturned", reason="fine")


def test_a_decision_needs_a_reason_and_happens_once(hidden: ModerationAction, moderator: Any) -> None:
    appeal = services.do_open_appeal(text="unfair", action=hidden)
    with pytest.raises(states.ModerationError):
        services.do_decide_appeal(appeal, moderator, outcome="upheld", reason="  ")
    services.do_decide_appeal(appeal, moderator, outcome="upheld", reason="abusive")
    with pytest.raises(states.ModerationError):
        services.do_decide_appeal(appeal, moderator, outcome="overturned", reason="changed my mind")


def test_an_overturned_delete_still_tells_the_author(
    arrive: Callable[..., Message],
    officer: Any,
    moderator: Any,
    platform: RecordingConnector,
    commit: Any,
    settle: Any,
) -> None:
    action = services.do_delete(arrive(ABUSE), officer)
    with commit():
        services.do_approve(action, moderator)
    settle()
    appeal = services.do_open_appeal(text="unfair", action=action)
    with commit():
        services.do_decide_appeal(appeal, moderator, outcome="overturned", reason="mistake")
    settle()
    action.refresh_from_db()
    assert action.state == "applied"  # a deleted post cannot come back
    assert AuthorNotice.objects.filter(action=action, text__contains="reversed").exists()


def test_a_viewer_cannot_learn_which_references_exist(viewer: Any) -> None:
    """The role is checked before the reference is looked up: a made-up reference and a real one
    get the same refusal."""
    with pytest.raises(states.RoleRefused):
        services.do_open_appeal(text="unfair", reference="CD-ZZZZZZ", user=viewer)
