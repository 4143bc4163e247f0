"""The ingestion service: every source calls ``ingest``; it stores once, queues once, keeps history."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from civildesk.devtools.testing import at
from civildesk.inbox.inbound import InboundMessage, InvalidInbound
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import CaseEvent, Decision, Message, MessageRevision
from civildesk.inbox.worker import run_ready_tasks

WEDNESDAY_10AM = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def inbound(**overrides: Any) -> InboundMessage:
    fields: dict[str, Any] = {
        "platform": "x",
        "account_id": "trust-x",
        "platform_id": "1860000000000000001",
        "kind": "mention",
        "text": "@LondonMHTrust what time does the Wellbeing Hub open on Saturdays?",
        "author_id": "u-42",
        "author_handle": "@jo_from_tooting",
        "author_name": "Jo",
        "created_at": WEDNESDAY_10AM,
        "raw": {"data": {"id": "1860000000000000001", "text": "..."}},
    }
    fields.update(overrides)
    return InboundMessage(**fields)


def queued() -> list[dict[str, Any]]:
    return [r.args_kwargs["kwargs"] for r in DBTaskResult.objects.order_by("enqueued_at")]


pytestmark = pytest.mark.django_db


class TestANewMessage:
    def test_is_stored_with_its_raw_payload_and_queued_for_classification(self) -> None:
        result = ingest(inbound(), now=WEDNESDAY_10AM)
        assert result.outcome == "created" and result.enqueued
        msg = Message.objects.get(pk=result.message_id)
        assert msg.platform == "x" and msg.kind == "mention" and msg.status == "open"
        assert msg.raw == {"data": {"id": "1860000000000000001", "text": "..."}}
        assert msg.author.handle == "@jo_from_tooting"
        assert queued() == [{"message_id": msg.pk, "revision": 1}]
        task = DBTaskResult.objects.get()
        assert task.task_path == "civildesk.inbox.tasks.classify_message"

    def test_gets_a_same_working_day_due_time_from_when_it_was_posted(self) -> None:
        msg = Message.objects.get(pk=ingest(inbound(), now=WEDNESDAY_10AM).message_id)
        assert msg.due_at == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # GMT in November
        late = ingest(
            inbound(platform_id="2", created_at=datetime(2026, 11, 25, 16, 30, tzinfo=UTC)),
            now=datetime(2026, 11, 25, 16, 31, tzinfo=UTC),
        )
        assert Message.objects.get(pk=late.message_id).due_at == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)

    def test_a_platform_clock_ahead_of_ours_does_not_push_the_clock_forward(self) -> None:
        ahead = inbound(created_at=WEDNESDAY_10AM + timedelta(hours=9))
        msg = Message.objects.get(pk=ingest(ahead, now=WEDNESDAY_10AM).message_id)
        assert msg.posted_at == WEDNESDAY_10AM


class TestIdempotence:
    def test_a_webhook_delivered_twice_stores_one_message_and_one_task(self) -> None:
        first = ingest(inbound(), now=WEDNESDAY_10AM)
        again = ingest(inbound(), now=WEDNESDAY_10AM + timedelta(seconds=5))
        assert again.outcome == "duplicate" and not again.enqueued
        assert again.message_id == first.message_id
        assert Message.objects.count() == 1 and DBTaskResult.objects.count() == 1

    def test_the_same_id_on_another_account_or_platform_is_another_message(self) -> None:
        ingest(inbound(), now=WEDNESDAY_10AM)
        ingest(inbound(account_id="trust-x-2"), now=WEDNESDAY_10AM)
        ingest(inbound(platform="facebook", account_id="trust-x", kind="comment"), now=WEDNESDAY_10AM)
        assert Message.objects.count() == 3

    def test_the_author_is_one_record_across_messages(self) -> None:
        ingest(inbound(platform_id="1"), now=WEDNESDAY_10AM)
        ingest(inbound(platform_id="2", author_handle="@jo_renamed"), now=WEDNESDAY_10AM)
        authors = {m.author_id for m in Message.objects.all()}
        assert len(authors) == 1
        assert Message.objects.first().author.handle == "@jo_renamed"  # type: ignore[union-attr]


class TestOneTransaction:
    def test_rolled_back_ingest_leaves_neither_message_nor_task(self) -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            ingest(inbound(), now=WEDNESDAY_10AM)
            raise RuntimeError("the webhook handler failed after ingesting")
        assert Message.objects.count() == 0
        assert DBTaskResult.objects.count() == 0

    def test_a_queue_failure_means_the_message_is_not_stored_either(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from django_tasks_db.backend import DatabaseBackend

        def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("queue unavailable")

        monkeypatch.setattr(DatabaseBackend, "enqueue", broken)
        with pytest.raises(RuntimeError, match="queue unavailable"):
            ingest(inbound(), now=WEDNESDAY_10AM)
        assert Message.objects.count() == 0


class TestEditsAndDeletions:
    def test_an_edit_keeps_the_original_and_queues_the_new_text(self, engine: Any) -> None:
        first = ingest(inbound(text="the staff on Ward 3 were lovely"), now=WEDNESDAY_10AM)
        edited = ingest(
            inbound(text="the staff on Ward 3 are idiots", event="edit"),
            now=WEDNESDAY_10AM + timedelta(minutes=3),
        )
        assert edited.outcome == "edited" and edited.enqueued
        msg = Message.objects.get(pk=first.message_id)
        assert msg.text == "the staff on Ward 3 are idiots" and msg.revision == 2 and msg.edited_at
        history = list(MessageRevision.objects.filter(message=msg).values_list("revision", "event", "text"))
        assert history == [
            (1, "create", "the staff on Ward 3 were lovely"),
            (2, "edit", "the staff on Ward 3 are idiots"),
        ]
        assert queued() == [{"message_id": msg.pk, "revision": 1}, {"message_id": msg.pk, "revision": 2}]
        run_ready_tasks()
        msg.refresh_from_db()
        # The revision-1 task saw it was stale; the only decision is for the text as it is now.
        assert list(Decision.objects.values_list("revision", flat=True)) == [2]
        assert msg.labels == ["abuse"]

    def test_a_deletion_flags_the_message_and_keeps_its_text_as_evidence(self) -> None:
        first = ingest(inbound(text="you lot are idiots"), now=WEDNESDAY_10AM)
        gone = ingest(inbound(text="", event="delete"), now=WEDNESDAY_10AM + timedelta(minutes=1))
        assert gone.outcome == "deleted" and not gone.enqueued
        msg = Message.objects.get(pk=first.message_id)
        assert msg.deleted_at is not None and msg.text == "you lot are idiots"
        assert list(msg.revisions.values_list("event", "text")) == [
            ("create", "you lot are idiots"),
            ("delete", "you lot are idiots"),
        ]
        assert ingest(inbound(text="", event="delete"), now=WEDNESDAY_10AM).outcome == "duplicate"

    def test_a_delete_that_overtakes_its_create_is_not_resurrected(self) -> None:
        tomb = ingest(inbound(text="", event="delete"), now=WEDNESDAY_10AM)
        assert tomb.outcome == "tombstone" and not tomb.enqueued
        late = ingest(inbound(text="something said and deleted"), now=WEDNESDAY_10AM + timedelta(seconds=2))
        msg = Message.objects.get(pk=late.message_id)
        assert msg.deleted_at is not None and msg.status == "closed"
        assert msg.text == "something said and deleted"  # the words are kept as evidence

    def test_an_unchanged_edit_is_a_duplicate(self) -> None:
        ingest(inbound(), now=WEDNESDAY_10AM)
        assert ingest(inbound(event="edit"), now=WEDNESDAY_10AM).outcome == "duplicate"

    def test_every_change_is_in_the_case_history(self) -> None:
        ingest(inbound(text="v1"), now=WEDNESDAY_10AM)
        ingest(inbound(text="v2", event="edit"), now=WEDNESDAY_10AM)
        ingest(inbound(text="", event="delete"), now=WEDNESDAY_10AM)
        assert list(CaseEvent.objects.values_list("event", flat=True)) == [
            "received",
            "edited_on_platform",
            "deleted_on_platform",
        ]


class TestThreads:
    def test_a_reply_links_to_its_parent_even_when_it_arrives_first(self) -> None:
        child = ingest(
            inbound(platform_id="c1", kind="reply", parent_id="p1", thread_id="p1"), now=WEDNESDAY_10AM
        )
        parent = ingest(inbound(platform_id="p1", thread_id="p1"), now=WEDNESDAY_10AM)
        assert Message.objects.get(pk=child.message_id).parent_id == parent.message_id
        grandchild = ingest(inbound(platform_id="g1", kind="reply", parent_id="c1"), now=WEDNESDAY_10AM)
        assert Message.objects.get(pk=grandchild.message_id).parent_id == child.message_id


class TestClassification:
    def test_the_worker_stores_the_engine_decision_with_the_policy_version(self, engine: Any) -> None:
        msg_id = ingest(inbound(text="I want to end it all tonight"), now=WEDNESDAY_10AM).message_id
        with at(WEDNESDAY_10AM):  # in office hours: no automatic reply, people answer
            assert run_ready_tasks() == 1
        msg = Message.objects.get(pk=msg_id)
        decision = Decision.objects.get(message=msg)
        assert msg.decision_id == decision.pk
        assert msg.priority == decision.priority == "P1"
        assert decision.policy_version == engine.policy.version
        assert "crisis_line" in decision.signposts and "emergency" in decision.signposts
        assert decision.evidence and all(
            {"label", "start", "end", "detector"} <= set(e) for e in decision.evidence
        )
        assert decision.payload["id"] == str(msg.pk)
        assert msg.label_index == "|crisis|"
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    def test_the_label_filter_matches_whole_labels(self, engine: Any) -> None:
        ingest(inbound(platform_id="a", text="you absolute idiots"), now=WEDNESDAY_10AM)
        ingest(inbound(platform_id="b", text="thank you for the help"), now=WEDNESDAY_10AM)
        run_ready_tasks()
        assert [m.platform_id for m in Message.objects.with_label("abuse")] == ["a"]
        assert [m.platform_id for m in Message.objects.with_label("praise")] == ["b"]
        assert not Message.objects.with_label("use").exists()


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("platform", "myspace", "platform"),
        ("kind", "story", "kind"),
        ("platform_id", "", "platform_id"),
        ("author_id", "x" * 201, "author_id"),
        ("created_at", datetime(2026, 11, 25, 10), "timezone"),
        ("event", "undelete", "event"),
    ],
)
def test_sources_cannot_hand_over_malformed_messages(field: str, value: Any, problem: str) -> None:
    with pytest.raises(InvalidInbound, match=problem):
        inbound(**{field: value})


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_message_store_it_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite's test database is one in-memory file)")
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def deliver() -> None:
        try:
            barrier.wait()
            ingest(inbound(), now=WEDNESDAY_10AM)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Message.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_a_redelivered_original_after_an_edit_does_not_roll_the_text_back() -> None:
    ingest(inbound(text="first words"), now=WEDNESDAY_10AM)
    later = WEDNESDAY_10AM + timedelta(minutes=5)
    ingest(inbound(text="second thoughts", event="edit", created_at=later), now=later)
    again = ingest(inbound(text="first words"), now=later + timedelta(minutes=1))
    assert again.outcome == "duplicate"
    assert Message.objects.get().text == "second thoughts"


@pytest.mark.django_db
def test_a_poll_that_sees_new_text_records_an_edit() -> None:
    ingest(inbound(text="first words"), now=WEDNESDAY_10AM)
    polled = ingest(inbound(text="changed on the platform"), now=WEDNESDAY_10AM + timedelta(hours=1))
    assert polled.outcome == "edited"
    msg = Message.objects.get()
    assert msg.revision == 2 and msg.edited_at == WEDNESDAY_10AM + timedelta(hours=1)
