"""A worker dies mid-task: its task goes back on the queue, and is done exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import Decision
from civildesk.inbox.tasks import classify_now
from civildesk.ops import recovery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def queued_task(pid: str = "1") -> DBTaskResult:
    ingest(
        InboundMessage(
            platform="x", account_id="trust", platform_id=pid, kind="mention", text="hello?", author_id="u1"
        ),
        now=NOW,
    )
    return DBTaskResult.objects.order_by("-enqueued_at").first()  # type: ignore[return-value]


def running(task: DBTaskResult, worker_id: str, started: datetime) -> DBTaskResult:
    task.claim(worker_id)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=started)
    task.refresh_from_db()
    return task


def test_a_dead_workers_task_is_requeued(settings: Any) -> None:
    settings.CIVILDESK_WORKER_STALE_SECONDS = 30
    recovery.register("w-dead", now=NOW - timedelta(minutes=5))  # last beat five minutes ago
    task = running(queued_task(), "w-dead", NOW - timedelta(minutes=4))
    assert recovery.requeue_orphans(NOW) == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY and task.started_at is None
    assert task.worker_ids == ["w-dead"]  # the history of who tried stays


def test_a_live_workers_slow_task_is_left_alone(settings: Any) -> None:
    settings.CIVILDESK_WORKER_STALE_SECONDS = 30
    recovery.register("w-alive", now=NOW - timedelta(minutes=10))
    recovery.beat("w-alive", now=NOW - timedelta(seconds=10))
    task = running(queued_task(), "w-alive", NOW - timedelta(minutes=9))  # a long task, still beating
    assert recovery.requeue_orphans(NOW) == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_worker_that_stopped_cleanly_is_not_alive(settings: Any) -> None:
    recovery.register("w-stopped", now=NOW)
    recovery.stopped("w-stopped", now=NOW)
    assert "w-stopped" not in recovery.live_workers(NOW)


def test_an_unregistered_worker_gets_a_grace_period(settings: Any) -> None:
    """``db_worker`` run by hand does not beat: its task counts as orphaned only once it has
    been running longer than a worker may stay silent."""
    settings.CIVILDESK_WORKER_STALE_SECONDS = 30
    task = running(queued_task(), "manual-worker", NOW - timedelta(seconds=5))
    assert recovery.requeue_orphans(NOW) == []
    assert recovery.requeue_orphans(NOW + timedelta(seconds=40)) == [str(task.pk)]


def test_classifying_a_revision_twice_stores_one_decision(engine: Any) -> None:
    """The requeued task may run after its first run had committed (killed before it could
    mark itself done): the second run must change nothing."""
    task = queued_task()
    kwargs = task.args_kwargs["kwargs"]
    first = classify_now(kwargs["message_id"], kwargs["revision"], now=NOW)
    again = classify_now(kwargs["message_id"], kwargs["revision"], now=NOW + timedelta(minutes=1))
    assert first.startswith("P") and again == "already classified"
    assert Decision.objects.filter(message_id=kwargs["message_id"]).count() == 1
