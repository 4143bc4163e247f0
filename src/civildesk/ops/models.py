"""Live workers, so a task left RUNNING by a worker that died can be told from a slow one."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """One row per ``civildesk worker`` process; ``beat_at`` moves every few seconds while the
    process lives. A worker killed with SIGKILL (or its machine lost) simply stops beating."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host} pid {self.pid})"


class PeriodicChain(models.Model):
    """One row per self-renewing task chain (``civildesk.ops.periodic``): the queued task that is
    its next link, so a second chain is never started, and the lease that lets one worker at a
    time run its body. A holder killed mid-run keeps the lease only until ``lease_until``."""

    name = models.CharField(max_length=64, unique=True)
    next_task_id = models.CharField(max_length=64, blank=True)
    lease_holder = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
