"""Pages for scheduled posts: the list, compose and edit, one post, and the calendar."""

from __future__ import annotations

import calendar as calendar_lib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from civildesk.inbox import desk
from civildesk.inbox.connectors import sends_nowhere
from civildesk.publishing import publisher, rules, services, slots, tasks
from civildesk.publishing.forms import PostForm
from civildesk.publishing.models import PostTarget, ScheduledPost, attention_for, posts_between
from civildesk.web.access import acting_user, can, require

UPCOMING_LIMIT = 200


def _post(pk: int) -> ScheduledPost:
    return get_object_or_404(
        ScheduledPost.objects.select_related("author", "approved_by").prefetch_related("targets__account"),
        pk=pk,
    )


@require("view_posts")
def post_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    tasks.reconcile(now=now)
    upcoming = (
        ScheduledPost.objects.filter(scheduled_at__gte=now - timedelta(hours=1))
        .exclude(state=ScheduledPost.State.CANCELLED)
        .select_related("author")
        .prefetch_related("targets__account")[:UPCOMING_LIMIT]
    )
    recent = (
        ScheduledPost.objects.filter(
            scheduled_at__lt=now - timedelta(hours=1), scheduled_at__gte=now - timedelta(days=30)
        )
        .select_related("author")
        .prefetch_related("targets__account")
        .order_by("-scheduled_at")[:100]
    )
    context = {
        "upcoming": list(upcoming),
        "recent": list(recent),
        "awaiting": list(
            ScheduledPost.objects.filter(state=ScheduledPost.State.AWAITING_APPROVAL)
            .select_related("author")
            .prefetch_related("targets__account")
        ),
        "attention": list(attention_for()),
        "policy_version": desk.policy().version,
    }
    return render(request, "publishing/list.html", context)


def _initial_from_query(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    if request.GET.get("date"):
        initial["date"] = request.GET["date"][:10]
    if request.GET.get("time"):
        initial["time"] = request.GET["time"][:5]
    return initial


def _form_context(
    request: HttpRequest, form: PostForm, *, post: ScheduledPost | None, problems: list[rules.Problem]
) -> dict[str, Any]:
    hours = desk.working_hours()
    now = timezone.now()
    busy = ScheduledPost.objects.filter(
        scheduled_at__gte=now, scheduled_at__lte=now + timedelta(days=60), state=ScheduledPost.State.SCHEDULED
    )
    if post is not None:
        busy = busy.exclude(pk=post.pk)
    suggestions = slots.suggest(hours, now, count=12, busy=busy.values_list("scheduled_at", flat=True))
    text = form.data.get("text", "") if form.is_bound else (form.initial.get("text") or "")
    chosen = []
    if form.is_bound and form.is_valid():
        chosen = sorted({a.platform for a in form.cleaned_data["accounts"]})
    measures = [rules.measure(p, str(text).strip()) for p in (chosen or rules.PLATFORMS)]
    in_hours = False
    if form.is_bound and form.is_valid():
        in_hours = slots.in_working_hours(hours, form.draft(hours).scheduled_at)
    return {
        "form": form,
        "post": post,
        "problems": problems,
        "suggestions": [hours.local(s) for s in suggestions],
        "measures": measures,
        "in_working_hours": in_hours,
        "hours": hours,
        "outbox_only": _outbox_only(),
        "policy_version": desk.policy().version,
    }


def _outbox_only() -> bool:
    try:
        return sends_nowhere(publisher.connector_for("x", ""))
    except Exception:  # a real connector may refuse an empty account id: it is not the outbox
        return False


@require_http_methods(["GET", "POST"])
@require("schedule_post")
def compose(request: HttpRequest) -> HttpResponse:
    return _compose_or_edit(request, None)


@require_http_methods(["GET", "POST"])
@require("schedule_post")
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(pk)
    if not post.editable:
        flash.error(request, "Publishing has started: this post can no longer be changed.")
        return redirect("post", pk=pk)
    return _compose_or_edit(request, post)


def _compose_or_edit(request: HttpRequest, post: ScheduledPost | None) -> HttpResponse:
    hours = desk.working_hours()
    problems: list[rules.Problem] = []
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            draft = form.draft(hours)
            if request.POST.get("action") == "check":
                problems = services.check(draft)
            else:
                user = acting_user(request)
                try:
                    saved = (
                        services.update_post(post, user, draft)
                        if post is not None
                        else services.create_post(user, draft)
                    )
                except services.PostInvalid as exc:
                    problems = exc.problems
                except services.NotAllowed as exc:
                    flash.error(request, str(exc))
                    return redirect("post", pk=post.pk if post else 0)
                else:
                    flash.success(
                        request,
                        "Sent for approval"
                        if saved.state == ScheduledPost.State.AWAITING_APPROVAL
                        else f"Scheduled for {hours.local(saved.scheduled_at):%a %d %b %Y %H:%M}",
                    )
                    return redirect("post", pk=saved.pk)
    elif post is not None:
        local = hours.local(post.scheduled_at)
        form = PostForm(
            initial={
                "text": post.text,
                "accounts": [
                    t.account_id for t in post.targets.all() if t.state != PostTarget.State.CANCELLED
                ],
                "date": local.date(),
                "time": local.time().replace(second=0, microsecond=0),
                "media_url": post.media_url,
                "needs_approval": post.needs_approval,
            }
        )
    else:
        form = PostForm(initial=_initial_from_query(request))
    context = _form_context(request, form, post=post, problems=problems)
    status = (
        400
        if (problems and request.POST.get("action") != "check") or (form.is_bound and form.errors)
        else 200
    )
    return render(request, "publishing/compose.html", context, status=status)


@require("view_posts")
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tasks.reconcile()
    post = _post(pk)
    hours = desk.working_hours()
    context = {
        "post": post,
        "targets": list(post.targets.select_related("account", "resolved_by")),
        "events": list(post.events.select_related("actor", "target__account")),
        "local_time": hours.local(post.scheduled_at),
        "in_working_hours": slots.in_working_hours(hours, post.scheduled_at),
        "can_approve": can(request.user, "approve_post")
        and post.state == ScheduledPost.State.AWAITING_APPROVAL
        and post.author_id != request.user.pk,
        "can_change": can(request.user, "schedule_post"),
        "feedback": services.feedback(post),
        "policy_version": desk.policy().version,
    }
    return render(request, "publishing/detail.html", context)


@require_POST
@require("approve_post")
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(pk)
    user = acting_user(request)
    try:
        if request.POST.get("decision") == "return":
            services.reject(post, user, request.POST.get("note", "")[:2000])
            flash.success(request, "Returned to the author")
        else:
            services.approve(post, user)
            flash.success(request, "Approved: it will be published at its time")
    except (services.NotAllowed, services.PostInvalid) as exc:
        flash.error(request, str(exc))
    return redirect("post", pk=pk)


@require_POST
@require("schedule_post")
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    services.cancel(_post(pk), acting_user(request))
    flash.success(request, "Cancelled: nothing more of this post will be published")
    return redirect("post", pk=pk)


@require_POST
@require("schedule_post")
def target_action(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(PostTarget.objects.select_related("post"), pk=pk)
    user = acting_user(request)
    action = request.POST.get("action", "")
    try:
        if action == "retry":
            services.retry_target(target, user)
            flash.success(request, "Queued to try again now")
        elif action in {"published", "not_published", "give_up"}:
            services.resolve_unknown(
                target,
                user,
                outcome=action,
                platform_post_id=request.POST.get("platform_post_id", "")[:200],
                note=request.POST.get("note", "")[:500],
            )
            flash.success(request, "Recorded, thank you")
        else:
            return HttpResponseBadRequest("unknown action")
    except (services.NotAllowed, services.PostInvalid) as exc:
        flash.error(request, str(exc))
    return redirect("post", pk=target.post_id)


# --- the calendar ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    post: ScheduledPost
    at: datetime  # local wall-clock time
    platforms: tuple[str, ...]
    out_of_hours: bool


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    entries: tuple[Entry, ...]
    in_month: bool
    is_today: bool
    working: bool


def _parse_day(raw: str, default: date) -> date:
    try:
        return date.fromisoformat(raw[:10]) if raw else default
    except ValueError:
        return default


@require("view_posts")
def calendar(request: HttpRequest) -> HttpResponse:
    hours = desk.working_hours()
    now = timezone.now()
    today = hours.local(now).date()
    view = request.GET.get("view", "week")
    if view not in {"week", "month"}:
        view = "week"
    anchor = _parse_day(request.GET.get("date", ""), today)
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        last = first + timedelta(days=6)
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
        title = f"Week of {first:%A} {first.day} {first:%B %Y}"
    else:
        month_start = anchor.replace(day=1)
        month_end = month_start.replace(day=calendar_lib.monthrange(anchor.year, anchor.month)[1])
        first = month_start - timedelta(days=month_start.weekday())
        last = month_end + timedelta(days=6 - month_end.weekday())
        previous = (month_start - timedelta(days=1)).replace(day=1)
        following = month_end + timedelta(days=1)
        title = f"{month_start:%B %Y}"
    start = hours.at(first, time(0, 0))
    end = hours.at(last + timedelta(days=1), time(0, 0))
    by_day: dict[date, list[Entry]] = {}
    for post in posts_between(start, end):
        local = hours.local(post.scheduled_at)
        by_day.setdefault(local.date(), []).append(
            Entry(
                post=post,
                at=local,
                platforms=tuple(sorted({t.account.get_platform_display() for t in post.targets.all()})),
                out_of_hours=not hours.is_working_time(post.scheduled_at),
            )
        )
    days = []
    cursor = first
    while cursor <= last:
        days.append(
            Day(
                day=cursor,
                entries=tuple(sorted(by_day.get(cursor, []), key=lambda e: e.at)),
                in_month=view == "week" or cursor.month == anchor.month,
                is_today=cursor == today,
                working=hours.is_working_day(cursor),
            )
        )
        cursor += timedelta(days=1)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    context = {
        "view": view,
        "title": title,
        "weeks": weeks,
        "weekday_names": [calendar_lib.day_name[i] for i in range(7)],
        "anchor": anchor,
        "previous": previous,
        "following": following,
        "today": today,
        "count": sum(len(d.entries) for d in days),
        "policy_version": desk.policy().version,
    }
    return render(request, "publishing/calendar.html", context)
