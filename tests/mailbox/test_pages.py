"""A moderator links the mail nobody could match; the dashboard shows the mailbox's health."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civildesk.mailbox import services, tasks
from civildesk.mailbox.models import InboundMail
from civildesk.moderation.models import Appeal, AuditEntry, AuthorNotice, ModerationAction
from tests.mailbox.conftest import ImapServer, appeal_mail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unmatched(imap_server: ImapServer, hidden: ModerationAction) -> InboundMail:
    imap_server.deliver(
        appeal_mail(subject="You removed my comment", body="It was not abusive. <b>Please</b> look again.")
    )
    assert tasks.poll_once(holder="test") == "fetched 1"
    mail = InboundMail.objects.get()
    assert mail.status == "unmatched" and Appeal.objects.count() == 0
    return mail


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_moderator_links_an_unmatched_mail_and_the_appeal_opens_once(
    unmatched: InboundMail, notice: AuthorNotice, hidden: ModerationAction, moderator: Any
) -> None:
    client = as_user(moderator)
    page = client.get(reverse("mailbox")).content.decode()
    assert "You removed my comment" in page and "It was not abusive. &lt;b&gt;Please&lt;/b&gt;" in page
    assert f'action="{reverse("mailbox-link", args=[unmatched.pk])}"' in page

    response = client.post(
        reverse("mailbox-link", args=[unmatched.pk]), {"reference": notice.reference.lower()}, follow=True
    )
    assert f"Linked to {notice.reference}: appeal opened." in response.content.decode()
    mail = InboundMail.objects.get()
    appeal = Appeal.objects.get()
    assert (mail.status, mail.matched_by, mail.linked_by, mail.appeal) == (
        "matched",
        "staff",
        moderator,
        appeal,
    )
    assert appeal.action == hidden and appeal.opened_by == moderator and "not abusive" in appeal.text
    assert AuditEntry.objects.filter(event="mail.linked", target_id=str(mail.pk)).exists()

    again = client.post(reverse("mailbox-link", args=[mail.pk]), {"reference": notice.reference}, follow=True)
    assert "already been dealt with" in again.content.decode()
    assert Appeal.objects.count() == 1


def test_a_reference_that_does_not_exist_is_refused_and_the_mail_still_waits(
    unmatched: InboundMail, moderator: Any
) -> None:
    response = as_user(moderator).post(
        reverse("mailbox-link", args=[unmatched.pk]), {"reference": "CD-ZZZZZZ"}, follow=True
    )
    assert "No notice has the reference" in response.content.decode()
    assert InboundMail.objects.get().status == "unmatched" and Appeal.objects.count() == 0


def test_officers_and_viewers_see_the_list_but_only_a_moderator_links(
    unmatched: InboundMail, notice: AuthorNotice, officer: Any, viewer: Any
) -> None:
    for person in (officer, viewer):
        client = as_user(person)
        assert "A moderator links these." in client.get(reverse("mailbox")).content.decode()
        link = client.post(reverse("mailbox-link", args=[unmatched.pk]), {"reference": notice.reference})
        assert link.status_code == 403
    assert InboundMail.objects.get().status == "unmatched"
    assert Client().get(reverse("mailbox")).status_code == 302  # signed out: to the login page


def test_a_mail_that_is_not_an_appeal_is_set_aside_with_a_reason(
    unmatched: InboundMail, moderator: Any
) -> None:
    client = as_user(moderator)
    url = reverse("mailbox-dismiss", args=[unmatched.pk])
    assert "Say why" in client.post(url, {"reason": " "}, follow=True).content.decode()
    client.post(url, {"reason": "Out-of-office reply"})
    mail = InboundMail.objects.get()
    assert mail.status == "dismissed" and mail.why_unmatched == "Out-of-office reply"
    assert bytes(mail.raw)  # set aside, never deleted
    assert AuditEntry.objects.filter(event="mail.dismissed").count() == 1


def test_the_dashboard_shows_an_outage_and_the_mail_waiting(
    unmatched: InboundMail, officer: Any, settings: Any
) -> None:
    client = as_user(officer)
    healthy = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="mailbox-ok"' in healthy and "1</strong>" in healthy
    assert "appeal e-mail waiting for a person to link" in healthy

    settings.CIVILDESK_APPEALS_IMAP_PASSWORD = "wrong-password-2"
    assert tasks.poll_once(holder="test") == "unavailable"
    failing = client.get(reverse("dashboard")).content.decode()
    assert "The appeals mailbox cannot be read" in failing and "1 failed attempt in a row" in failing
    assert "AUTHENTICATIONFAILED" in failing and "wrong-password-2" not in failing


def test_the_dashboard_says_nothing_about_a_mailbox_that_was_never_set_up(db: Any, officer: Any) -> None:
    page = as_user(officer).get(reverse("dashboard")).content.decode()
    assert "mailbox-panel" not in page
    assert services.status().last_attempt_at is None


def test_the_dashboard_warns_when_no_read_of_the_mailbox_is_queued(
    imap_server: ImapServer, officer: Any
) -> None:
    client = as_user(officer)
    assert 'data-testid="mailbox-stalled"' in client.get(reverse("dashboard")).content.decode()
    tasks.ensure_scheduled()
    assert 'data-testid="mailbox-stalled"' not in client.get(reverse("dashboard")).content.decode()
