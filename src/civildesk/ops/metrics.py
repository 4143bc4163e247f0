"""Prometheus metrics, computed from the database at scrape time.

Every figure is read from shared state (the task table, the inbox), never kept in a process's
memory, so any number of web processes answer the same numbers and a restart loses nothing.
Each collector is cheap: indexed counts over the task queue and the waiting messages.

Other apps add their own series by registering a collector (``register``): the platforms app
adds webhook rejections, for example.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from civildesk.inbox import desk
from civildesk.inbox.models import Message

# The window the task-latency quantiles are computed over.
LATENCY_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Sample:
    value: float
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Metric:
    name: str
    help: str
    kind: str  # gauge | counter
    samples: list[Sample] = field(default_factory=list)

    def add(self, value: float, **labels: str) -> Metric:
        self.samples.append(Sample(float(value), tuple(sorted(labels.items()))))
        return self


Collector = Callable[[datetime], Iterable[Metric]]
_COLLECTORS: list[Collector] = []


def register(collector: Collector) -> Collector:
    """Add a collector (usable as a decorator); registering the same one twice has no effect."""
    if collector not in _COLLECTORS:
        _COLLECTORS.append(collector)
    return collector


def collect(now: datetime | None = None) -> list[Metric]:
    now = now or timezone.now()
    out: list[Metric] = []
    for collector in _COLLECTORS:
        out.extend(collector(now))
    return out


@register
def task_queue(now: datetime) -> list[Metric]:
    depth = Metric(
        "civildesk_tasks",
        "Background tasks by queue and status (ready: due now; scheduled: waiting for a later time).",
        "gauge",
    )
    # A ready task whose run_after is still ahead (a poll chain's next run, a retry's back-off)
    # is not backlog: it is counted as "scheduled", so queue depth can fall back to 0 (issue 8).
    later = Q(status=TaskResultStatus.READY, run_after__gt=now) & ~Q(run_after=get_date_max())
    by_status = (
        DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING, TaskResultStatus.FAILED]
        )
        .values("queue_name", "status")
        .annotate(n=Count("id"), later=Count("id", filter=later))
    )
    for row in by_status:
        if row["n"] > row["later"]:
            depth.add(row["n"] - row["later"], queue=row["queue_name"], status=str(row["status"]).lower())
        if row["later"]:
            depth.add(row["later"], queue=row["queue_name"], status="scheduled")
    # A runnable task has waited since it was enqueued, or, when it was delayed, since its
    # run_after (the backend marks "no delay" with the largest date).
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    undelayed = ready.filter(run_after=get_date_max()).aggregate(t=Min("enqueued_at"))["t"]
    delayed = (
        ready.filter(run_after__lte=now).exclude(run_after=get_date_max()).aggregate(t=Min("run_after"))["t"]
    )
    oldest = min((t for t in (undelayed, delayed) if t is not None), default=None)
    age = Metric(
        "civildesk_task_oldest_ready_age_seconds",
        "How long the oldest runnable task has waited (0 when the queue is empty).",
        "gauge",
    ).add(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    latency = Metric(
        "civildesk_task_latency_seconds",
        "Enqueue-to-finish time of tasks finished in the last 15 minutes.",
        "gauge",
    )
    finished = list(
        DBTaskResult.objects.filter(finished_at__gte=now - LATENCY_WINDOW)
        .order_by("-finished_at")
        .values_list("enqueued_at", "finished_at")[:5000]
    )
    seconds = sorted((end - start).total_seconds() for start, end in finished if start and end)
    if seconds:
        for q in (0.5, 0.95, 0.99):
            latency.add(_quantile(seconds, q), quantile=str(q))
    count = Metric("civildesk_tasks_finished_recent", "Tasks finished in the last 15 minutes.", "gauge")
    count.add(len(seconds))
    return [depth, age, latency, count]


@register
def inbox(now: datetime) -> list[Metric]:
    waiting = Message.objects.waiting()
    unclassified = Metric(
        "civildesk_messages_unclassified",
        "Stored messages the engine has not classified yet.",
        "gauge",
    ).add(Message.objects.filter(classified_at__isnull=True).count())
    by_priority = Metric("civildesk_messages_waiting", "Messages waiting for the desk, by priority.", "gauge")
    for row in waiting.values("priority").annotate(n=Count("id")):
        by_priority.add(row["n"], priority=row["priority"] or "unclassified")
    breached = Metric(
        "civildesk_sla_breached", "Waiting messages past their same-working-day due time.", "gauge"
    ).add(Message.objects.breached(now).count())
    hours = desk.working_hours()
    soon = waiting.filter(due_at__gte=now, due_at__lte=now + timedelta(days=4)).values_list(
        "due_at", flat=True
    )
    at_risk = Metric(
        "civildesk_sla_at_risk",
        "Waiting messages inside their at-risk window (working time left before the due time).",
        "gauge",
    ).add(sum(1 for due in soon[:5000] if hours.state(due, now) == "at_risk"))
    return [unclassified, by_priority, breached, at_risk]


def _quantile(sorted_values: list[float], q: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[round(q * 100) - 1]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def exposition(metrics: Iterable[Metric]) -> str:
    """The Prometheus text format (version 0.0.4)."""
    lines: list[str] = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        for sample in metric.samples:
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sample.labels)
            lines.append(
                f"{metric.name}{{{labels}}} {sample.value:g}" if labels else f"{metric.name} {sample.value:g}"
            )
    return "\n".join(lines) + "\n"
