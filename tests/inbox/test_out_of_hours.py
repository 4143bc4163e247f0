"""Out of hours, nobody is at the desk: a crisis message is answered at once with the crisis line
and the on-call contact is alerted, by e-mail and (if configured) a webhook. In hours, people do it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from civildesk.devtools.testing import FakePlatformConnector, at
from civildesk.inbox import oncall
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import CaseEvent, Message, OnCallAlert, Reply
from civildesk.inbox.tasks import send_automatic_reply
from civildesk.inbox.worker import run_ready_tasks
from civildesk.web.models import DeskSettings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

SATURDAY_2AM = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
WEDNESDAY_11AM = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
FRIDAY_1730_BST = datetime(2026, 7, 3, 16, 30, tzinfo=UTC)


def crisis(
    platform_id: str = "m1", kind: str = "comment", platform: str = "facebook", **kw: Any
) -> InboundMessage:
    return InboundMessage(
        platform=platform,
        account_id="trust-page",
        platform_id=platform_id,
        kind=kind,
        text=kw.pop("text", "I can't do this any more, going to take all my pills tonight"),
        author_id="psid-77",
        author_handle=kw.pop("author_handle", ""),
        author_name="Sam Jones",
        **kw,
    )


def deliver(message: InboundMessage, now: datetime) -> Message:
    msg_id = ingest(message, now=now).message_id
    with at(now):
        run_ready_tasks()
    return Message.objects.get(pk=msg_id)


@pytest.fixture
def oncall_configured(settings: Any) -> DeskSettings:
    desk = DeskSettings.load()
    desk.oncall_email = "oncall@trust.example"
    desk.save()
    return desk


class TestACrisisAtNight:
    def test_gets_the_crisis_line_reply_at_once(
        self, engine: Any, fake_connector: FakePlatformConnector, oncall_configured: DeskSettings
    ) -> None:
        msg = deliver(crisis(), SATURDAY_2AM)
        assert msg.priority == "P1"
        reply = Reply.objects.get(message=msg)
        assert reply.automatic and reply.status == "sent" and reply.template == "crisis_reply"
        assert "0800 028 8000" in reply.text and "Sam Jones" in reply.text
        assert fake_connector.sent and fake_connector.sent[0][0] == "public"
        # The automatic reply does not close the case: a person reviews it in the morning.
        assert msg.status == "open" and msg.auto_replied_at is not None

    def test_a_crisis_dm_is_answered_privately(
        self, engine: Any, fake_connector: FakePlatformConnector
    ) -> None:
        deliver(crisis(kind="dm", platform="x", author_handle="samj"), SATURDAY_2AM)
        visibility, target, text = fake_connector.sent[0]
        assert visibility == "private" and target.kind == "dm"
        assert text.startswith("Hi @samj,")

    def test_alerts_on_call_by_email_without_a_dms_text(
        self, engine: Any, fake_connector: FakePlatformConnector, oncall_configured: DeskSettings
    ) -> None:
        public = deliver(crisis(), SATURDAY_2AM)
        private = deliver(
            crisis(platform_id="dm1", kind="dm", text="please help, I want to end it all"), SATURDAY_2AM
        )
        assert len(mail.outbox) == 2
        first, second = mail.outbox
        assert first.to == ["oncall@trust.example"] and "P1" in first.subject
        assert f"/messages/{public.pk}/" in first.body and "take all my pills" in first.body
        assert f"/messages/{private.pk}/" in second.body
        assert "end it all" not in second.body and "direct message" in second.body
        assert OnCallAlert.objects.filter(status="sent").count() == 2

    def test_staff_marked_on_call_are_alerted_too(
        self, engine: Any, fake_connector: FakePlatformConnector
    ) -> None:
        from django.contrib.auth import get_user_model

        from civildesk.web.models import StaffProfile

        user = get_user_model().objects.create_user("priya", email="priya@trust.example", password="x" * 16)
        StaffProfile.objects.create(user=user, role="officer", on_call=True)
        deliver(crisis(), SATURDAY_2AM)
        assert mail.outbox[0].to == ["priya@trust.example"]

    def test_the_webhook_gets_the_alert_as_json(
        self, engine: Any, fake_connector: FakePlatformConnector, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        desk = DeskSettings.load()
        desk.oncall_webhook_url = "https://pager.example/hooks/civildesk"
        desk.save()
        calls: list[tuple[str, dict[str, Any]]] = []

        def post(url: str, json: dict[str, Any], timeout: float) -> httpx.Response:
            calls.append((url, json))
            return httpx.Response(200, request=httpx.Request("POST", url))

        monkeypatch.setattr(oncall.httpx, "post", post)
        msg = deliver(crisis(), SATURDAY_2AM)
        assert len(calls) == 1
        url, body = calls[0]
        assert url == "https://pager.example/hooks/civildesk"
        assert body["event"] == "crisis_message_out_of_hours" and body["message_id"] == msg.pk
        assert body["priority"] == "P1" and body["url"].endswith(f"/messages/{msg.pk}/")

    def test_a_failing_webhook_is_retried_later_not_lost(
        self, engine: Any, fake_connector: FakePlatformConnector, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        desk = DeskSettings.load()
        desk.oncall_webhook_url = "https://pager.example/down"
        desk.save()

        def down(url: str, json: dict[str, Any], timeout: float) -> httpx.Response:
            raise httpx.ConnectError("connection refused")

        monkeypatch.setattr(oncall.httpx, "post", down)
        deliver(crisis(), SATURDAY_2AM)
        alert = OnCallAlert.objects.get(channel="webhook")
        assert alert.status == "pending" and alert.attempts == 1 and "connection refused" in alert.error
        retry = DBTaskResult.objects.filter(
            task_path="civildesk.inbox.tasks.deliver_alert", status="READY"
        ).get()
        assert retry.run_after is not None and retry.run_after > SATURDAY_2AM

    def test_delivering_twice_sends_one_reply_and_one_alert(
        self, engine: Any, fake_connector: FakePlatformConnector, oncall_configured: DeskSettings
    ) -> None:
        message = crisis()
        deliver(message, SATURDAY_2AM)
        deliver(message, SATURDAY_2AM)
        assert len(fake_connector.sent) == 1 and len(mail.outbox) == 1

    def test_the_admin_can_switch_the_automatic_reply_off(
        self, engine: Any, fake_connector: FakePlatformConnector, oncall_configured: DeskSettings
    ) -> None:
        oncall_configured.auto_crisis_reply_out_of_hours = False
        oncall_configured.save()
        msg = deliver(crisis(), SATURDAY_2AM)
        assert not fake_connector.sent and msg.auto_replied_at is None
        assert len(mail.outbox) == 1  # the person on call is still told

    def test_a_failed_platform_send_is_recorded_and_retried(
        self, engine: Any, fake_connector: FakePlatformConnector
    ) -> None:
        fake_connector.fail_with = "503 from the platform"
        msg = deliver(crisis(), SATURDAY_2AM)
        failed = Reply.objects.get(message=msg)
        assert failed.status == "failed" and "503" in failed.error
        assert msg.auto_replied_at is None
        assert CaseEvent.objects.filter(message=msg, event="reply_failed").exists()
        assert DBTaskResult.objects.filter(
            task_path="civildesk.inbox.tasks.send_automatic_reply", status="READY"
        ).exists()

    def test_a_lost_answer_is_recorded_but_the_crisis_line_is_still_sent_again(
        self, engine: Any, fake_connector: FakePlatformConnector
    ) -> None:
        """A person's reply whose answer was lost waits for someone to check the platform; the
        crisis line at night does not (nobody is there to check): it stays at least once."""
        fake_connector.lose_answers = 1
        msg = deliver(crisis(), SATURDAY_2AM)
        first = Reply.objects.get(message=msg)
        assert first.automatic and first.status == "unconfirmed"
        assert CaseEvent.objects.filter(message=msg, event="reply_unconfirmed", actor=None).exists()
        msg.refresh_from_db()
        assert msg.status == "open" and msg.auto_replied_at is None
        with at(SATURDAY_2AM + timedelta(minutes=3)):
            run_ready_tasks()
        assert list(Reply.objects.filter(message=msg).values_list("status", flat=True)) == [
            "unconfirmed",
            "sent",
        ]
        assert len(fake_connector.sent) == 2  # the platform has it twice, by design

    def test_a_claim_left_by_a_killed_worker_is_taken_over_after_the_lease(
        self, engine: Any, fake_connector: FakePlatformConnector, oncall_configured: DeskSettings
    ) -> None:
        """The run that claimed the reply died before sending (kill -9): the requeued run sends
        the crisis line once the claim is older than the lease; a fresh claim is left alone."""
        oncall_configured.auto_crisis_reply_out_of_hours = False
        oncall_configured.save()
        msg = deliver(crisis(), SATURDAY_2AM)
        Message.objects.filter(pk=msg.pk).update(auto_replied_at=SATURDAY_2AM)  # the dead run's claim
        with at(SATURDAY_2AM + timedelta(seconds=30)):
            assert send_automatic_reply.call(msg.pk, msg.revision) == "skipped"  # maybe still alive
        assert not fake_connector.sent
        with at(SATURDAY_2AM + timedelta(minutes=5)):
            assert send_automatic_reply.call(msg.pk, msg.revision) == "sent"
            assert send_automatic_reply.call(msg.pk, msg.revision) == "skipped"  # sent: never twice
        assert len(fake_connector.sent) == 1

    def test_after_five_on_a_summer_friday_is_out_of_hours(
        self, engine: Any, fake_connector: FakePlatformConnector
    ) -> None:
        deliver(crisis(), FRIDAY_1730_BST)  # 17:30 BST
        assert len(fake_connector.sent) == 1


class TestInHours:
    def test_people_answer_a_crisis_no_automatic_reply_no_page(
        self, engine: Any, fake_connector: FakePlatformConnector, oncall_configured: DeskSettings
    ) -> None:
        msg = deliver(crisis(), WEDNESDAY_11AM)
        assert msg.priority == "P1"
        assert not fake_connector.sent and not mail.outbox and msg.auto_replied_at is None

    def test_non_crisis_messages_never_trigger_out_of_hours_duties(
        self, engine: Any, fake_connector: FakePlatformConnector, oncall_configured: DeskSettings
    ) -> None:
        deliver(crisis(text="you lot are useless, 3 months for an appointment"), SATURDAY_2AM)
        assert not fake_connector.sent and not mail.outbox
