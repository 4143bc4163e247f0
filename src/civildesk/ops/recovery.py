"""Tasks a dead worker left behind go back on the queue.

django-tasks' database worker marks a task RUNNING when it claims it and SUCCESSFUL or FAILED
when it ends. A worker killed mid-task (SIGKILL, OOM, a lost machine) leaves its task RUNNING for
ever, and the message it was classifying would never be classified. So every ``civildesk worker``
beats (``WorkerHeartbeat``) and, at start and then twice per ``stale_after()``, puts back on the
queue each RUNNING task whose worker has not beaten for ``stale_after()``.

Re-running is safe because every task is idempotent: classification stores one decision per
message revision, publishing claims a target before calling the platform, replies and alerts
record that they were sent before they are sent again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from civildesk.ops.models import WorkerHeartbeat

log = logging.getLogger(__name__)

DEFAULT_STALE_SECONDS = 30


def stale_after() -> timedelta:
    """A worker silent this long is dead (CIVILDESK_WORKER_STALE_SECONDS). It beats six times
    in that span and sweeps twice, so one slow beat never gets a live worker's task requeued."""
    return timedelta(seconds=getattr(settings, "CIVILDESK_WORKER_STALE_SECONDS", DEFAULT_STALE_SECONDS))


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def register(worker_id: str, now: datetime | None = None) -> WorkerHeartbeat:
    now = now or timezone.now()
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "started_at": now, "beat_at": now},
    )
    return beat


def beat(worker_id: str, now: datetime | None = None) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now or timezone.now())


def stopped(worker_id: str, now: datetime | None = None) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(stopped_at=now or timezone.now())


def live_workers(now: datetime | None = None) -> set[str]:
    now = now or timezone.now()
    return set(
        WorkerHeartbeat.objects.filter(beat_at__gte=now - stale_after(), stopped_at__isnull=True).values_list(
            "worker_id", flat=True
        )
    )


def requeue_orphans(now: datetime | None = None) -> list[str]:
    """Put RUNNING tasks of dead workers back to READY; returns their ids (logged)."""
    now = now or timezone.now()
    live = live_workers(now)
    requeued: list[str] = []
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING
        )
        for task in running:
            owner = task.worker_ids[-1] if task.worker_ids else ""
            if owner in live:
                continue
            # A RUNNING task whose worker never registered (an older worker, `db_worker` run
            # by hand) is given the same grace from its start before it counts as orphaned.
            if (
                not WorkerHeartbeat.objects.filter(worker_id=owner).exists()
                and task.started_at
                and (now - task.started_at < stale_after())
            ):
                continue
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
            requeued.append(str(task.id))
    for task_id in requeued:
        log.warning("requeued task %s: its worker stopped beating (killed or lost)", task_id)
    return requeued


class Heartbeat(threading.Thread):
    """Beats for this worker and sweeps orphans, on its own database connection."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self._stop_event = threading.Event()

    def run(self) -> None:
        last_sweep = timezone.now()
        span = stale_after()
        while not self._stop_event.wait(span.total_seconds() / 6):
            try:
                close_old_connections()
                now = timezone.now()
                beat(self.worker_id, now)
                if now - last_sweep >= span / 2:
                    requeue_orphans(now)
                    last_sweep = now
            except Exception:  # the database may be restarting: beat again next time
                log.exception("worker heartbeat failed")
        connection.close()

    def stop(self) -> None:
        self._stop_event.set()
