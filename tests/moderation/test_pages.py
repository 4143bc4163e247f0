"""The moderation pages: the panel on the message page, the queue, appeals, the evidence download."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from civildesk.inbox.models import Message
from civildesk.moderation.models import Appeal, AuthorNotice, ModerationAction
from tests.moderation.fakes import RecordingConnector

pytestmark = pytest.mark.django_db
ABUSE = "you are all idiots at that clinic"
CRITICISM = "the appointment system is useless"


@pytest.fixture(autouse=True)
def _sessions_outlive_frozen_clocks(settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_officer_proposes_from_the_message_page_and_moderator_approves_in_the_queue(
    arrive: Callable[..., Message],
    officer: Any,
    moderator: Any,
    platform: RecordingConnector,
    commit: Any,
    settle: Any,
) -> None:
    msg = arrive(ABUSE)
    as_officer = signed_in(officer)
    page = as_officer.get(f"/messages/{msg.pk}/")
    assert page.status_code == 200 and 'data-testid="propose"' in page.content.decode()
    as_officer.post(f"/messages/{msg.pk}/moderation/propose/", {"kind": "hide", "reason": "abuse"})
    action = ModerationAction.objects.get()
    assert action.proposed_by == officer and action.state == "proposed"

    refused = as_officer.post(
        f"/moderation/actions/{action.pk}/approve/", {"next": "/moderation/"}, follow=True
    )
    assert "Only a moderator" in refused.content.decode()
    action.refresh_from_db()
    assert action.state == "proposed"

    as_moderator = signed_in(moderator)
    queue = as_moderator.get("/moderation/").content.decode()
    assert f'data-testid="approve-{action.pk}"' in queue
    with commit():
        as_moderator.post(f"/moderation/actions/{action.pk}/approve/", {"next": "/moderation/"})
    settle()
    action.refresh_from_db()
    assert action.state == "applied" and ("hide", msg.platform_id) in platform.calls
    page = as_moderator.get(f"/messages/{msg.pk}/").content.decode()
    notice = AuthorNotice.objects.get()
    assert notice.reference in page and f'data-testid="undo-{action.pk}"' in page


def test_protected_criticism_is_refused_on_the_page_with_the_reason(
    arrive: Callable[..., Message], officer: Any
) -> None:
    msg = arrive(CRITICISM)
    client = signed_in(officer)
    page = client.get(f"/messages/{msg.pk}/").content.decode()
    assert "cannot be hidden or deleted for being negative" in page
    shown = client.post(
        f"/messages/{msg.pk}/moderation/propose/", {"kind": "hide"}, follow=True
    ).content.decode()
    assert "does not remove a post simply because it is negative" in shown
    assert not ModerationAction.objects.exists()


def test_a_viewer_sees_no_propose_form_and_cannot_post_one(
    arrive: Callable[..., Message], viewer: Any
) -> None:
    msg = arrive(ABUSE)
    client = signed_in(viewer)
    assert 'data-testid="propose"' not in client.get(f"/messages/{msg.pk}/").content.decode()
    client.post(f"/messages/{msg.pk}/moderation/propose/", {"kind": "hide"})
    assert not ModerationAction.objects.exists()


def test_appeal_logged_by_reference_and_overturned_from_the_appeals_page(
    arrive: Callable[..., Message],
    officer: Any,
    moderator: Any,
    platform: RecordingConnector,
    commit: Any,
    settle: Any,
) -> None:
    msg = arrive(ABUSE)
    as_moderator = signed_in(moderator)
    as_moderator.post(f"/messages/{msg.pk}/moderation/propose/", {"kind": "hide"})
    action = ModerationAction.objects.get()
    with commit():
        as_moderator.post(f"/moderation/actions/{action.pk}/approve/")
    settle()
    reference = AuthorNotice.objects.get().reference
    signed_in(officer).post(
        "/moderation/appeals/", {"reference": reference, "via": "email", "text": "unfair"}
    )
    appeal = Appeal.objects.get()
    assert reference in as_moderator.get("/moderation/appeals/").content.decode()
    with commit():
        as_moderator.post(
            f"/moderation/appeals/{appeal.pk}/decide/", {"outcome": "overturned", "reason": "quote"}
        )
    settle()
    action.refresh_from_db()
    assert action.state == "undone" and ("unhide", msg.platform_id) in platform.calls


def test_a_moderator_downloads_the_evidence_pack_and_an_officer_cannot(
    arrive: Callable[..., Message], officer: Any, moderator: Any
) -> None:
    msg = arrive(ABUSE)
    response = signed_in(moderator).get(f"/messages/{msg.pk}/evidence.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as pack:
        assert "manifest.json" in pack.namelist()
    refused = signed_in(officer).get(f"/messages/{msg.pk}/evidence.zip")
    assert refused.status_code == 302


def test_the_queue_asks_for_a_login(db: Any) -> None:
    assert Client().get("/moderation/").status_code == 302
