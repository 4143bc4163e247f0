"""Queue depth on /metrics is backlog: a timer waiting for its time (the polling chain's next
run, a retry's back-off) is "scheduled", not "ready", so depth falls back to 0 when the workers
have caught up, and an alert on it does not fire forever."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from civildesk.ops import metrics
from civildesk.platforms import tasks

pytestmark = pytest.mark.django_db


def depth(now: Any) -> dict[str, float]:
    (tasks_metric,) = [m for m in metrics.collect(now) if m.name == "civildesk_tasks"]
    return {dict(s.labels)["status"]: s.value for s in tasks_metric.samples}


def test_a_timer_is_scheduled_not_backlog_until_its_time_comes() -> None:
    now = timezone.now()
    tasks.poll_due_accounts.using(run_after=now + timedelta(minutes=5)).enqueue()
    tasks.process_delivery.enqueue(delivery_id=1)  # real backlog: due now
    assert depth(now) == {"ready": 1, "scheduled": 1}
    assert depth(now + timedelta(minutes=6)) == {"ready": 2}  # the timer's time has come


def test_only_timers_waiting_means_depth_zero() -> None:
    now = timezone.now()
    tasks.poll_due_accounts.using(run_after=now + timedelta(minutes=5)).enqueue()
    assert depth(now) == {"scheduled": 1}
