"""What people do to a message (assign, reply, note, action, close), each recorded in the case history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from civildesk.devtools.testing import FakePlatformConnector, at
from civildesk.inbox import services
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import Assignment, AuthorEvent, CaseEvent, Message, Reply
from civildesk.inbox.triage import InvalidTransition
from civildesk.inbox.worker import run_ready_tasks
from civildesk.web.models import ReplyTemplate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]
WEDNESDAY_10AM = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def arrive(
    text: str,
    *,
    platform_id: str = "m1",
    platform: str = "instagram",
    kind: str = "comment",
    author_id: str = "ig-1",
    handle: str = "jo.runs",
) -> Message:
    msg_id = ingest(
        InboundMessage(
            platform=platform,
            account_id="trust",
            platform_id=platform_id,
            kind=kind,
            text=text,
            author_id=author_id,
            author_handle=handle,
            created_at=WEDNESDAY_10AM,
        ),
        now=WEDNESDAY_10AM,
    ).message_id
    with at(WEDNESDAY_10AM):
        run_ready_tasks()
    return Message.objects.select_related("decision", "author", "account").get(pk=msg_id)


@pytest.fixture
def officer() -> Any:
    return get_user_model().objects.create_user("officer", password="correct horse battery staple")


@pytest.fixture
def colleague() -> Any:
    return get_user_model().objects.create_user("colleague", password="correct horse battery staple")


class TestAssigning:
    def test_assign_records_who_and_when(self, engine: Any, officer: Any, colleague: Any) -> None:
        msg = arrive("my complaint about the waiting list")
        services.assign(msg, officer, officer)
        services.assign(msg, colleague, officer)  # handed over
        msg.refresh_from_db()
        assert msg.status == "assigned" and msg.assignee == colleague
        current = Assignment.objects.get(message=msg, ended_at__isnull=True)
        assert current.assignee == colleague and current.assigned_by == officer
        assert Assignment.objects.filter(message=msg).count() == 2
        services.unassign(msg, colleague)
        msg.refresh_from_db()
        assert msg.status == "open" and msg.assignee is None
        assert not Assignment.objects.filter(message=msg, ended_at__isnull=True).exists()


class TestReplying:
    def test_the_draft_uses_the_template_the_decision_calls_for(self, engine: Any) -> None:
        msg = arrive("I want to complain about how my appointment was cancelled")
        draft = services.draft_reply(msg)
        assert draft.template == "complaints" and draft.suggestions == ("complaints",)
        assert (
            draft.text.startswith("Hi @jo.runs,")
            and "https://www.swlstg.nhs.uk/contact-us/complaints" in draft.text
        )
        assert draft.visibility == "public"

    @pytest.mark.parametrize(
        ("text", "template"),
        [
            ("I'm going to end it all", "crisis_reply"),
            ("does the new dose cause side effects?", "clinical_signposting"),
            ("thank you so much to the team on Ward 2", "thanks"),
            ("nothing in particular to say", ""),
        ],
    )
    def test_draft_templates_follow_the_signposts(self, engine: Any, text: str, template: str) -> None:
        assert services.draft_reply(arrive(text)).template == template

    def test_an_admins_wording_replaces_the_policy_template(self, engine: Any) -> None:
        ReplyTemplate.objects.create(
            name="complaints", text="Dear {author}, please see {complaints_url} (admin wording)"
        )
        draft = services.draft_reply(arrive("I want to complain"))
        assert (
            draft.text
            == "Dear @jo.runs, please see https://www.swlstg.nhs.uk/contact-us/complaints (admin wording)"
        )

    def test_sending_goes_through_the_connector_and_answers_the_message(
        self, engine: Any, officer: Any, fake_connector: FakePlatformConnector
    ) -> None:
        msg = arrive("I want to complain")
        reply = services.send_reply(
            msg, officer, "Hi, please use our complaints process", visibility="public", template="complaints"
        )
        assert reply.status == "sent" and reply.platform_reply_id == "fake-1"
        assert reply.connector == "fake-platform-connector (tests only)"
        visibility, target, _ = fake_connector.sent[0]
        assert (visibility, target.platform, target.message_id, target.account_id) == (
            "public",
            "instagram",
            "m1",
            "trust",
        )
        msg.refresh_from_db()
        assert msg.status == "answered" and msg.answered_at is not None
        assert CaseEvent.objects.filter(message=msg, event="reply", to_status="answered").exists()

    def test_a_too_long_reply_is_refused_before_reaching_the_platform(
        self, engine: Any, officer: Any, fake_connector: FakePlatformConnector
    ) -> None:
        msg = arrive("I want to complain", platform="x", kind="mention")
        with pytest.raises(services.ReplyRejected, match="too long"):
            services.send_reply(msg, officer, "x" * 281, visibility="public")
        assert not fake_connector.sent and not Reply.objects.exists()

    def test_replying_to_a_closed_case_needs_reopening_first(
        self, engine: Any, officer: Any, fake_connector: FakePlatformConnector
    ) -> None:
        msg = arrive("thank you so much")
        services.transition(msg, "close", officer)
        with pytest.raises(InvalidTransition):
            services.send_reply(msg, officer, "You're welcome!", visibility="public")
        assert not fake_connector.sent

    def test_a_platform_failure_is_recorded_and_the_message_stays_waiting(
        self, engine: Any, officer: Any, fake_connector: FakePlatformConnector
    ) -> None:
        fake_connector.fail_with = "rate limited"
        msg = arrive("I want to complain")
        reply = services.send_reply(msg, officer, "Hello", visibility="public")
        assert reply.status == "failed" and reply.error == "rate limited"
        msg.refresh_from_db()
        assert msg.status == "open"


class TestALostAnswer:
    """The request reached the platform but its answer was lost: the reply may have been posted,
    so it is not recorded as failed (that invites a second send) but left for a person to check."""

    @pytest.fixture
    def msg(self, engine: Any, fake_connector: FakePlatformConnector) -> Any:
        """A complaint on a platform that takes requests and never answers them."""
        fake_connector.lose_answers = 1
        return arrive("I want to complain")

    def test_is_recorded_unconfirmed_and_the_message_stays_waiting(
        self,
        msg: Any,
        officer: Any,
        fake_connector: FakePlatformConnector,
    ) -> None:
        reply = services.send_reply(
            msg, officer, "Hi, please use our complaints process", visibility="public"
        )
        assert reply.status == "unconfirmed" and reply.platform_reply_id == ""
        assert "did not answer" in reply.error and len(fake_connector.sent) == 1
        msg.refresh_from_db()
        assert msg.status == "open" and msg.is_waiting and msg.answered_at is None
        event = CaseEvent.objects.get(message=msg, event="reply_unconfirmed")
        assert event.actor == officer and "check the platform" in event.detail
        assert services.unconfirmed_reply(msg) == reply

    def test_sending_again_is_refused_until_someone_checked_the_platform(
        self,
        msg: Any,
        officer: Any,
        fake_connector: FakePlatformConnector,
    ) -> None:
        first = services.send_reply(msg, officer, "Hello", visibility="public")
        with pytest.raises(services.ReplyRejected, match="may already have been posted: check Instagram"):
            services.send_reply(msg, officer, "Hello again", visibility="public")
        assert len(fake_connector.sent) == 1 and Reply.objects.count() == 1

        second = services.send_reply(msg, officer, "Hello again", visibility="public", checked_platform=True)
        assert second.status == "sent" and len(fake_connector.sent) == 2
        first.refresh_from_db()
        assert first.status == "failed"  # the person found it was not posted
        assert CaseEvent.objects.filter(message=msg, event="reply_not_posted", actor=officer).exists()
        msg.refresh_from_db()
        assert msg.status == "answered" and services.unconfirmed_reply(msg) is None

    def test_confirming_it_was_posted_answers_the_message(
        self,
        msg: Any,
        officer: Any,
        fake_connector: FakePlatformConnector,
    ) -> None:
        reply = services.send_reply(msg, officer, "Hello", visibility="public", template="complaints")
        services.confirm_reply_posted(reply, officer)
        assert reply.status == "sent" and reply.platform_reply_id == "" and reply.error == ""
        msg.refresh_from_db()
        assert msg.status == "answered" and msg.answered_at is not None
        assert CaseEvent.objects.filter(message=msg, event="reply_posted", actor=officer).exists()
        assert CaseEvent.objects.filter(
            message=msg, event="reply", from_status="open", to_status="answered", actor=officer
        ).exists()
        # A follow-up is an ordinary reply again, and nothing more went to the platform meanwhile.
        assert services.send_reply(msg, officer, "Any news?", visibility="public").status == "sent"
        assert len(fake_connector.sent) == 2

    def test_confirming_it_was_not_posted_lets_a_normal_send_through(
        self,
        msg: Any,
        officer: Any,
        fake_connector: FakePlatformConnector,
    ) -> None:
        reply = services.send_reply(msg, officer, "Hello", visibility="public")
        services.confirm_reply_not_posted(reply, officer)
        assert reply.status == "failed"
        msg.refresh_from_db()
        assert msg.status == "open" and msg.answered_at is None
        assert CaseEvent.objects.filter(message=msg, event="reply_not_posted", actor=officer).exists()
        assert services.send_reply(msg, officer, "Hello", visibility="public").status == "sent"
        msg.refresh_from_db()
        assert msg.status == "answered"

    def test_what_was_found_is_recorded_once(
        self,
        msg: Any,
        officer: Any,
        colleague: Any,
        fake_connector: FakePlatformConnector,
    ) -> None:
        reply = services.send_reply(msg, officer, "Hello", visibility="public")
        services.confirm_reply_not_posted(reply, officer)
        with pytest.raises(services.ReplyRejected, match="already recorded as failed"):
            services.confirm_reply_posted(reply, colleague)
        assert Reply.objects.get(pk=reply.pk).status == "failed"
        assert not CaseEvent.objects.filter(message=msg, event="reply_posted").exists()

    def test_a_case_closed_meanwhile_stays_closed_when_the_reply_is_found(
        self,
        msg: Any,
        officer: Any,
        fake_connector: FakePlatformConnector,
    ) -> None:
        reply = services.send_reply(msg, officer, "Hello", visibility="public")
        services.transition(msg, "close", officer)
        services.confirm_reply_posted(reply, officer)  # closed -> reply is not in the table
        assert reply.status == "sent"
        msg.refresh_from_db()
        assert msg.status == "closed"
        assert CaseEvent.objects.filter(message=msg, event="reply_posted").exists()
        assert not CaseEvent.objects.filter(message=msg, event="reply").exists()


class TestModeration:
    def test_actioning_a_breach_counts_a_strike_and_repeat_abuse_proposes_a_block(
        self, engine: Any, officer: Any
    ) -> None:
        # Policy: abuse -> hide + notify, and a block is proposed on the third breach
        # (strikes.block_after: 3); the desk tells the engine how many strikes the author has.
        for n in range(2):
            msg = arrive(f"you useless idiots #{n}", platform_id=f"a{n}")
            assert "block" not in msg.decision.actions  # type: ignore[union-attr]
            services.transition(msg, "action", officer, detail="hidden")
        assert AuthorEvent.objects.filter(kind="breach").count() == 2
        third = arrive("idiots, the lot of you", platform_id="a3")
        assert "block" in third.decision.actions  # type: ignore[union-attr]
        other_author = arrive("idiots, the lot of you", platform_id="b1", author_id="ig-2")
        assert "block" not in other_author.decision.actions  # type: ignore[union-attr]

    def test_actioning_protected_criticism_is_not_a_strike(self, engine: Any, officer: Any) -> None:
        msg = arrive("appalling service, waited 9 months for an assessment")
        assert msg.decision.removal == "forbidden"  # type: ignore[union-attr]
        services.transition(msg, "action", officer, detail="replied publicly")
        assert not AuthorEvent.objects.exists()


def test_notes_are_kept_in_order_and_in_the_history(engine: Any, officer: Any) -> None:
    msg = arrive("I want to complain")
    services.add_note(msg, officer, "Passed to PALS by phone")
    services.add_note(msg, officer, "PALS called back")
    assert [n.text for n in msg.notes.all()] == ["Passed to PALS by phone", "PALS called back"]
    assert CaseEvent.objects.filter(message=msg, event="note").count() == 2
    with pytest.raises(ValueError):
        services.add_note(msg, officer, "   ")
