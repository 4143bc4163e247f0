"""The pages a communications officer works in all day: inbox, message, reply, history, dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from civildesk.devtools.testing import FakePlatformConnector, at
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import CaseEvent, Message, Reply
from civildesk.inbox.worker import run_ready_tasks
from civildesk.web.models import StaffProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

WEDNESDAY_9AM = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
XSS = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


def arrive(
    text: str, *, pid: str, platform: str = "x", kind: str = "mention", minutes: int = 0, author: str = "u1"
) -> Message:
    when = WEDNESDAY_9AM + timedelta(minutes=minutes)
    msg_id = ingest(
        InboundMessage(
            platform=platform,
            account_id="trust",
            platform_id=pid,
            kind=kind,
            text=text,
            author_id=author,
            author_handle=f"@{author}",
            created_at=when,
        ),
        now=when,
    ).message_id
    return Message.objects.get(pk=msg_id)


@pytest.fixture
def inbox(engine: Any) -> dict[str, Message]:
    # Yesterday's complaint (due yesterday at 17:00) is overdue; the crisis arrives last but leads.
    msgs = {
        "late": arrive(
            "I want to complain about my appointment",
            pid="1",
            minutes=-17 * 60 - 30,
            platform="facebook",
            kind="comment",
        ),  # Tue 15:30
        "praise": arrive(
            "thank you so much to the Ward 2 team", pid="2", minutes=10, platform="instagram", kind="comment"
        ),
        "abuse": arrive("you lot are idiots", pid="3", minutes=20, platform="linkedin", kind="comment"),
        "xss": arrive(XSS, pid="4", minutes=30),
        "crisis": arrive(
            "I can't go on, I'm going to end it all", pid="5", minutes=40, platform="facebook", kind="dm"
        ),
    }
    with at(WEDNESDAY_9AM + timedelta(hours=1)):
        run_ready_tasks()
    return {k: Message.objects.get(pk=m.pk) for k, m in msgs.items()}


def person(role: str) -> Any:
    user = get_user_model().objects.create_user(role, password="a long passphrase for the desk")
    StaffProfile.objects.create(user=user, role=role)
    user.refresh_from_db()
    return user


@pytest.fixture
def officer_client(client: Client) -> Client:
    client.force_login(person("officer"))
    return client


def row_ids(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'href="/messages/(\d+)/"', html.split('data-testid="inbox"')[1])]


class TestInbox:
    def test_crisis_first_then_by_due_time(self, officer_client: Client, inbox: dict[str, Message]) -> None:
        with at(WEDNESDAY_9AM + timedelta(hours=1)):
            html = officer_client.get(reverse("inbox")).content.decode()
        ids = row_ids(html)
        assert ids[0] == inbox["crisis"].pk
        assert ids[1] == inbox["late"].pk  # overdue since yesterday: before today's P3 abuse
        assert ids[2] == inbox["abuse"].pk  # the rest are due at 17:00 today: priority breaks the tie
        assert set(ids) == {m.pk for m in inbox.values()}

    def test_the_sla_clock_is_shown(self, officer_client: Client, inbox: dict[str, Message]) -> None:
        with at(datetime(2026, 11, 25, 16, 15, tzinfo=UTC)):
            html = officer_client.get(reverse("inbox")).content.decode()
        assert "At risk" in html and "45 min left" in html
        with at(datetime(2026, 11, 25, 17, 30, tzinfo=UTC)):
            html = officer_client.get(reverse("inbox")).content.decode()
        assert "Overdue" in html and "overdue by 30 min" in html

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"platform": "facebook"}, {"late", "crisis"}),
            ({"label": "abuse"}, {"abuse"}),
            ({"label": "praise", "platform": "instagram"}, {"praise"}),
            ({"status": "closed"}, set()),
            ({"assignee": "none"}, {"late", "praise", "abuse", "xss", "crisis"}),
            ({"assignee": "me"}, set()),
            ({"label": "not-a-label"}, {"late", "praise", "abuse", "xss", "crisis"}),
        ],
    )
    def test_filters(
        self, officer_client: Client, inbox: dict[str, Message], query: dict[str, str], expected: set[str]
    ) -> None:
        ids = set(row_ids(officer_client.get(reverse("inbox"), query).content.decode()))
        assert ids == {inbox[k].pk for k in expected}

    def test_htmx_gets_only_the_results(self, officer_client: Client, inbox: dict[str, Message]) -> None:
        html = officer_client.get(
            reverse("inbox"), {"platform": "x"}, headers={"HX-Request": "true", "HX-Target": "inbox-results"}
        ).content.decode()
        assert html.lstrip().startswith('<div id="inbox-results"') and "<html" not in html

    def test_message_text_is_escaped_in_the_list(
        self, officer_client: Client, inbox: dict[str, Message]
    ) -> None:
        html = officer_client.get(reverse("inbox")).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in html


class TestMessagePage:
    def test_evidence_is_highlighted_and_the_clause_cited(
        self, officer_client: Client, inbox: dict[str, Message]
    ) -> None:
        html = officer_client.get(reverse("message", args=[inbox["crisis"].pk])).content.decode()
        assert re.search(r'<mark class="cd-evidence cd-evidence--crisis"[^>]*>end it all<span', html)
        assert "0800 028 8000" in html  # the crisis clause quotes the crisis line
        assert 'data-testid="clause"' in html

    def test_attacker_text_is_escaped_everywhere(
        self, officer_client: Client, inbox: dict[str, Message]
    ) -> None:
        pk = inbox["xss"].pk
        for url in (
            reverse("message", args=[pk]),
            reverse("message-reply", args=[pk]),
            reverse("message-history", args=[pk]),
        ):
            html = officer_client.get(url).content.decode()
            assert "<script>alert" not in html and "<img src=x" not in html, url
            assert "&lt;script&gt;" in html, url

    def test_the_page_forbids_inline_scripts(self, officer_client: Client, inbox: dict[str, Message]) -> None:
        response = officer_client.get(reverse("message", args=[inbox["xss"].pk]))
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "unsafe-inline" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]

    def test_nothing_is_loaded_from_another_site(
        self, officer_client: Client, inbox: dict[str, Message]
    ) -> None:
        html = officer_client.get(reverse("inbox")).content.decode()
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


class TestWorkingAMessage:
    def test_an_officer_sends_the_crisis_reply(
        self, officer_client: Client, inbox: dict[str, Message], fake_connector: FakePlatformConnector
    ) -> None:
        pk = inbox["crisis"].pk
        composer = officer_client.get(reverse("message-reply", args=[pk])).content.decode()
        assert '<option value="crisis_reply" selected>' in composer
        assert "0800 028 8000" in composer and 'value="private" checked' in composer  # a DM gets a DM
        text = re.search(r"<textarea[^>]*>(.*?)</textarea>", composer, re.S).group(1)  # type: ignore[union-attr]
        response = officer_client.post(
            reverse("message-reply", args=[pk]),
            {"text": text, "visibility": "private", "template": "crisis_reply"},
        )
        assert response.status_code == 302
        assert fake_connector.sent[0][0] == "private" and "0800 028 8000" in fake_connector.sent[0][2]
        assert Message.objects.get(pk=pk).status == "answered"

    def test_choosing_another_template_refills_the_composer(
        self, officer_client: Client, inbox: dict[str, Message]
    ) -> None:
        html = officer_client.get(
            reverse("message-reply", args=[inbox["abuse"].pk]), {"template": "pals"}
        ).content.decode()
        assert "contact-us/pals" in html

    def test_a_too_long_reply_is_sent_back_with_the_reason(
        self, officer_client: Client, inbox: dict[str, Message], fake_connector: FakePlatformConnector
    ) -> None:
        response = officer_client.post(
            reverse("message-reply", args=[inbox["xss"].pk]), {"text": "a" * 300, "visibility": "public"}
        )
        assert response.status_code == 400 and b"too long for x" in response.content
        assert not fake_connector.sent

    def test_the_length_counter(self, officer_client: Client, inbox: dict[str, Message]) -> None:
        html = officer_client.post(
            reverse("message-reply-check", args=[inbox["xss"].pk]),
            {"text": "💙" * 10, "visibility": "public"},
        ).content.decode()
        assert "260 characters left" in html

    def test_assign_note_close_and_the_case_history(
        self, officer_client: Client, inbox: dict[str, Message]
    ) -> None:
        pk = inbox["praise"].pk
        officer_client.post(reverse("message-assign", args=[pk]))
        officer_client.post(reverse("message-note", args=[pk]), {"text": "Shared with the ward manager"})
        officer_client.post(reverse("message-transition", args=[pk]), {"event": "close"})
        msg = Message.objects.get(pk=pk)
        assert msg.status == "closed"
        history = officer_client.get(reverse("message-history", args=[pk])).content.decode()
        for step in ("received", "classified", "assign", "note", "close", "Shared with the ward manager"):
            assert step in history

    def test_an_officer_cannot_action_a_post_but_a_moderator_can(
        self, client: Client, inbox: dict[str, Message]
    ) -> None:
        pk = inbox["abuse"].pk
        client.force_login(person("officer"))
        assert client.post(reverse("message-transition", args=[pk]), {"event": "action"}).status_code == 403
        client.force_login(person("moderator"))
        assert client.post(reverse("message-transition", args=[pk]), {"event": "action"}).status_code == 302
        assert Message.objects.get(pk=pk).status == "actioned"

    def test_a_viewer_reads_but_cannot_reply_or_note(self, client: Client, inbox: dict[str, Message]) -> None:
        client.force_login(person("viewer"))
        pk = inbox["late"].pk
        assert client.get(reverse("message", args=[pk])).status_code == 200
        assert client.get(reverse("message-reply", args=[pk])).status_code == 403
        assert client.post(reverse("message-note", args=[pk]), {"text": "hi"}).status_code == 403
        assert client.post(reverse("message-assign", args=[pk])).status_code == 403

    def test_an_officer_assigns_only_to_themselves(self, client: Client, inbox: dict[str, Message]) -> None:
        other = person("moderator")
        client.force_login(person("officer"))
        response = client.post(reverse("message-assign", args=[inbox["late"].pk]), {"assignee": other.pk})
        assert response.status_code == 403


class TestAReplyThatMayHaveBeenPosted:
    @pytest.fixture
    def unconfirmed(
        self,
        officer_client: Client,
        inbox: dict[str, Message],
        fake_connector: FakePlatformConnector,
    ) -> Reply:
        fake_connector.lose_answers = 1
        pk = inbox["late"].pk
        response = officer_client.post(
            reverse("message-reply", args=[pk]), {"text": "Please call PALS", "visibility": "public"}
        )
        assert response.status_code == 302 and response["Location"] == reverse("message", args=[pk])
        return Reply.objects.get(message_id=pk)

    def test_the_message_page_warns_with_the_two_ways_out(
        self, officer_client: Client, unconfirmed: Reply
    ) -> None:
        assert unconfirmed.status == "unconfirmed"
        pk = unconfirmed.message_id
        response = officer_client.get(reverse("message", args=[pk]))
        html = response.content.decode()
        assert 'class="nhsuk-warning-callout" data-testid="unconfirmed-reply"' in html
        assert "This reply may have been posted" in html and "Check Facebook before sending again" in html
        assert "did not answer: the reply may have been posted" in html  # the flash after sending
        action = reverse("message-reply-unconfirmed", args=[pk])
        assert html.count(f'<form method="post" action="{action}">') == 2
        assert 'data-testid="reply-was-posted"' in html and 'data-testid="reply-was-not-posted"' in html
        assert html.count(f'name="reply" value="{unconfirmed.pk}"') == 2
        assert Message.objects.get(pk=pk).status == "open"
        # Still the strict policy, and the callout adds no inline script or style.
        assert "unsafe-inline" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
        warning = html.split('data-testid="unconfirmed-reply"', 1)[1].split(
            'data-testid="reply-was-not-posted"'
        )[0]
        assert "<script" not in warning and "style=" not in warning

    def test_sending_again_needs_the_person_to_say_they_checked(
        self, officer_client: Client, unconfirmed: Reply, fake_connector: FakePlatformConnector
    ) -> None:
        pk = unconfirmed.message_id
        composer = officer_client.get(reverse("message-reply", args=[pk])).content.decode()
        assert 'name="checked_platform"' in composer and "I checked Facebook" in composer
        refused = officer_client.post(
            reverse("message-reply", args=[pk]), {"text": "Please call PALS", "visibility": "public"}
        )
        assert refused.status_code == 400 and b"may already have been posted" in refused.content
        assert len(fake_connector.sent) == 1
        sent = officer_client.post(
            reverse("message-reply", args=[pk]),
            {"text": "Please call PALS", "visibility": "public", "checked_platform": "yes"},
        )
        assert sent.status_code == 302 and len(fake_connector.sent) == 2
        assert list(Reply.objects.filter(message_id=pk).values_list("status", flat=True)) == [
            "failed",
            "sent",
        ]
        assert Message.objects.get(pk=pk).status == "answered"

    def test_without_a_reply_in_doubt_there_is_no_warning_and_no_checkbox(
        self, officer_client: Client, inbox: dict[str, Message]
    ) -> None:
        pk = inbox["praise"].pk
        assert b"unconfirmed-reply" not in officer_client.get(reverse("message", args=[pk])).content
        assert b"checked_platform" not in officer_client.get(reverse("message-reply", args=[pk])).content

    def test_it_was_posted(self, officer_client: Client, unconfirmed: Reply) -> None:
        pk = unconfirmed.message_id
        response = officer_client.post(
            reverse("message-reply-unconfirmed", args=[pk]), {"reply": unconfirmed.pk, "outcome": "posted"}
        )
        assert response.status_code == 302
        unconfirmed.refresh_from_db()
        assert unconfirmed.status == "sent" and unconfirmed.platform_reply_id == ""
        assert Message.objects.get(pk=pk).status == "answered"
        html = officer_client.get(reverse("message", args=[pk])).content.decode()
        assert "unconfirmed-reply" not in html and "Recorded as posted" in html

    def test_it_was_not_posted(
        self, officer_client: Client, unconfirmed: Reply, fake_connector: FakePlatformConnector
    ) -> None:
        pk = unconfirmed.message_id
        response = officer_client.post(
            reverse("message-reply-unconfirmed", args=[pk]),
            {"reply": unconfirmed.pk, "outcome": "not_posted"},
        )
        assert response.status_code == 302
        unconfirmed.refresh_from_db()
        assert unconfirmed.status == "failed" and Message.objects.get(pk=pk).status == "open"
        assert b"checked_platform" not in officer_client.get(reverse("message-reply", args=[pk])).content
        again = officer_client.post(
            reverse("message-reply", args=[pk]), {"text": "Please call PALS", "visibility": "public"}
        )
        assert again.status_code == 302 and len(fake_connector.sent) == 2

    def test_a_viewer_sees_the_warning_but_can_do_neither(self, client: Client, unconfirmed: Reply) -> None:
        pk = unconfirmed.message_id
        client.force_login(person("viewer"))
        html = client.get(reverse("message", args=[pk])).content.decode()
        assert "This reply may have been posted" in html and "reply-was-posted" not in html
        for outcome in ("posted", "not_posted"):
            response = client.post(
                reverse("message-reply-unconfirmed", args=[pk]), {"reply": unconfirmed.pk, "outcome": outcome}
            )
            assert response.status_code == 403
        unconfirmed.refresh_from_db()
        assert unconfirmed.status == "unconfirmed"
        assert not CaseEvent.objects.filter(
            message_id=pk, event__in=["reply_posted", "reply_not_posted"]
        ).exists()

    def test_a_reply_of_another_message_is_not_found(
        self, officer_client: Client, unconfirmed: Reply, inbox: dict[str, Message]
    ) -> None:
        response = officer_client.post(
            reverse("message-reply-unconfirmed", args=[inbox["praise"].pk]),
            {"reply": unconfirmed.pk, "outcome": "posted"},
        )
        assert response.status_code == 404
        unconfirmed.refresh_from_db()
        assert unconfirmed.status == "unconfirmed"


def test_the_dashboard(officer_client: Client, inbox: dict[str, Message]) -> None:
    with at(datetime(2026, 11, 25, 16, 10, tzinfo=UTC)):
        html = officer_client.get(reverse("dashboard")).content.decode()
    stat = {
        k: int(re.search(rf'data-testid="stat-{k}">(\d+)<', html).group(1))  # type: ignore[union-attr]
        for k in ("today", "p1", "at-risk", "breached")
    }
    assert stat == {"today": 4, "p1": 1, "at-risk": 4, "breached": 1}
    assert "&lt;script&gt;" in html or "script" not in html


def test_a_moderator_hands_a_message_to_an_officer(client: Client, inbox: dict[str, Message]) -> None:
    officer = person("officer")
    client.force_login(person("moderator"))
    pk = inbox["abuse"].pk
    page = client.get(reverse("message", args=[pk])).content.decode()
    assert 'name="assignee"' in page and f'<option value="{officer.pk}">officer</option>' in page
    assert client.post(reverse("message-assign", args=[pk]), {"assignee": officer.pk}).status_code == 302
    assert Message.objects.get(pk=pk).assignee == officer
