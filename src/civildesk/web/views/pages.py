"""The inbox list (the triage queue) and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from civildesk.detectors import LABELS
from civildesk.inbox import desk
from civildesk.inbox.models import Message, Platform
from civildesk.inbox.sla import WorkingHours, describe_remaining
from civildesk.inbox.triage import STATUSES, WAITING
from civildesk.web.access import require

PAGE_SIZE = 50
STATUS_FILTERS: list[tuple[str, str]] = [("waiting", "Waiting (open or assigned)"), ("all", "All")] + [
    (s, s.capitalize()) for s in STATUSES
]


@dataclass(frozen=True, slots=True)
class Row:
    message: Message
    sla: str
    remaining: str


def sla_row(message: Message, hours: WorkingHours, now: datetime) -> Row:
    if message.status in WAITING:
        return Row(message, hours.state(message.due_at, now), describe_remaining(message.due_at, now))
    if message.answered_at is not None:
        return Row(message, hours.state(message.due_at, now, message.answered_at), "")
    return Row(message, "", "")


def filtered_messages(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    f = {k: request.GET.get(k, "").strip() for k in ("status", "platform", "label", "assignee")}
    f["status"] = f["status"] or "waiting"
    qs = Message.objects.select_related("author", "assignee")
    if f["status"] == "waiting":
        qs = qs.filter(status__in=WAITING)
    elif f["status"] in STATUSES:
        qs = qs.filter(status=f["status"])
    if f["platform"] in Platform.values:
        qs = qs.filter(platform=f["platform"])
    if f["label"] in LABELS:
        qs = qs.with_label(f["label"])
    if f["assignee"] == "me":
        qs = qs.filter(assignee=request.user.pk)
    elif f["assignee"] == "none":
        qs = qs.filter(assignee__isnull=True)
    # ASCII and short: "²" is a digit to isdigit() but not to int(), and 40 nines overflow the column.
    elif f["assignee"].isascii() and f["assignee"].isdigit() and len(f["assignee"]) <= 18:
        qs = qs.filter(assignee=int(f["assignee"]))
    return qs.triage_order(), f


@require("view_inbox")
def inbox(request: HttpRequest) -> HttpResponse:
    qs, filters = filtered_messages(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    hours = desk.working_hours()
    now = timezone.now()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "rows": [sla_row(m, hours, now) for m in page.object_list],
        "page": page,
        "filters": filters,
        "query_without_page": query.urlencode(),
        "status_choices": STATUS_FILTERS,
        "platform_choices": Platform.choices,
        "label_choices": LABELS,
        "assignee_choices": get_user_model().objects.filter(is_active=True).order_by("username"),
        "out_of_hours": not hours.is_working_time(now),
        "opens_next": hours.opens_next(now),
        "policy_version": desk.policy().version,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "inbox-results":
        return render(request, "web/_inbox_rows.html", context)
    return render(request, "web/inbox.html", context)


@require("view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    hours = desk.working_hours()
    now = timezone.now()
    local_now = hours.local(now)
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    today = Message.objects.filter(received_at__gte=start, received_at__lt=end)
    counts: dict[str, dict[str, Any]] = {
        row["platform"]: dict(row)
        for row in Message.objects.values("platform").annotate(
            today=Count("pk", filter=Q(received_at__gte=start, received_at__lt=end)),
            waiting=Count("pk", filter=Q(status__in=WAITING)),
        )
    }
    by_platform = [
        {
            "label": label,
            "today": counts.get(value, {}).get("today", 0),
            "waiting": counts.get(value, {}).get("waiting", 0),
        }
        for value, label in Platform.choices
    ]
    # "Soon due" is a cheap database pre-filter; the working-time check decides "at risk".
    soon = (
        Message.objects.waiting()
        .filter(due_at__gte=now, due_at__lte=now + timedelta(days=4))
        .select_related("author")
    )
    at_risk = [
        r for r in (sla_row(m, hours, now) for m in soon.order_by("due_at")[:500]) if r.sla == "at_risk"
    ]
    context = {
        "today": local_now,
        "out_of_hours": not hours.is_working_time(now),
        "volume_today": today.count(),
        "p1_today": list(today.filter(priority="P1").order_by("-received_at")[:50]),
        "at_risk": at_risk,
        "breached": Message.objects.breached(now).count(),
        "by_platform": by_platform,
        "policy_version": desk.policy().version,
    }
    # Moderation figures: read through moderation's own count functions, when installed.
    context["moderation"] = _moderation_panel()
    return render(request, "web/dashboard.html", context)


def _moderation_panel() -> dict[str, int] | None:
    """Removals despite protected criticism, and appeals open / past their due date. ``None``
    when the moderation app is not installed (the panel is then left out, not shown as zeros)."""
    from django.apps import apps

    if not apps.is_installed("civildesk.moderation"):
        return None
    from civildesk.moderation.services import appeal_counts, protected_override_count

    appeals = appeal_counts()
    return {
        "overrides": protected_override_count(),
        "appeals_open": appeals["open"],
        "appeals_overdue": appeals["overdue"],
    }
