"""End to end against the platform simulator: the desk's default connector factory
reaches a simulated Facebook Page over HTTP, which records the hide, the private-reply notice
and, after an overturned appeal, the unhide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civildesk.inbox.connectors import sends_nowhere
from civildesk.inbox.models import Message
from civildesk.moderation import connectors, services
from civildesk.moderation.models import AuthorNotice
from civildesk.simulator.testing import platform_simulator, simulated_account

__all__ = ["platform_simulator", "simulated_account"]
pytestmark = pytest.mark.django_db
ABUSE = "you are all idiots at that clinic"


def test_hide_notice_appeal_and_unhide_reach_the_simulated_platform(
    arrive: Callable[..., Message],
    officer: Any,
    moderator: Any,
    settings: Any,
    platform_simulator: Any,
    simulated_account: Callable[..., Any],
    commit: Any,
    settle: Any,
) -> None:
    settings.CIVILDESK_MODERATION_CONNECTOR = connectors.DEFAULT_FACTORY
    simulated_account("facebook", "trust")
    msg = arrive(ABUSE, platform="facebook")

    action = services.do_hide(msg, officer, reason="abusive")
    with commit():
        services.do_approve(action, moderator)
    settle()
    action.refresh_from_db()
    assert action.state == "applied", action.error
    assert not sends_nowhere(connectors.get_connector("facebook", "trust"))
    hides = platform_simulator.done("facebook", "hide")
    assert [h.path for h in hides] == [f"/{msg.platform_id}"]
    notes = platform_simulator.done("facebook", "private_reply")
    assert len(notes) == 1
    sent_text = str(notes[0].body)
    clause = msg.decision.clauses[0]  # type: ignore[union-attr]
    notice = AuthorNotice.objects.get(action=action)
    assert clause in sent_text and notice.reference in sent_text

    appeal = services.do_open_appeal(text="I was quoting someone", reference=notice.reference)
    with commit():
        services.do_decide_appeal(appeal, moderator, outcome="overturned", reason="a quotation")
    settle()
    action.refresh_from_db()
    assert action.state == "undone"
    assert [u.path for u in platform_simulator.done("facebook", "unhide")] == [f"/{msg.platform_id}"]
    # Meta allows one private reply per comment: the desk records why the second could not go.
    restored = AuthorNotice.objects.exclude(pk=notice.pk).get()
    assert restored.status == "not_sent" and "one private reply" in restored.reason
    assert len(platform_simulator.done("facebook", "private_reply")) == 1
