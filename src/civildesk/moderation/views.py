"""Moderation pages: propose from the message page, the approvals queue, appeals, evidence.

Views parse the form, call one ``do_*`` service and show its typed refusal as it is; the
services hold every rule (roles, two-person, protected criticism).
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from civildesk.inbox.models import Message
from civildesk.moderation import evidence, services, states
from civildesk.moderation.models import Appeal, ModerationAction
from civildesk.web.access import acting_user, require

QUEUE_STATES = ("proposed", "awaiting_second", "human_task", "failed", "approved")


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    # Only our own paths: never an open redirect.
    return redirect(target if target.startswith("/") and not target.startswith("//") else fallback)


def _days(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and 0 < int(value) <= 3650 else None


@require_POST
@require("view_message")
def propose_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message.objects.select_related("author", "decision"), pk=pk)
    kind = request.POST.get("kind", "")
    try:
        action = services.do_propose(
            kind,
            acting_user(request),
            message=message,
            author=message.author,
            reason=request.POST.get("reason", ""),
            permanent=request.POST.get("permanent") == "1",
            override_reason=request.POST.get("override_reason", ""),
            block_days=_days(request.POST.get("days", "")),
        )
    except states.ModerationError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, f"{action.get_kind_display()} proposed.")
    return redirect("message", pk=pk)


@require_POST
@require("view_message")
def act_view(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    action = get_object_or_404(ModerationAction, pk=pk)
    user = acting_user(request)
    reason = request.POST.get("reason", "")
    try:
        if verb == "approve":
            services.do_approve(action, user)
        elif verb == "reject":
            services.do_reject(action, user, reason=reason)
        elif verb == "retry":
            services.do_retry(action, user)
        elif verb == "done":
            services.do_mark_done(action, user, note=reason)
        elif verb == "undo":
            services.do_undo(action, user, reason=reason)
        else:
            flash.error(request, f"Unknown step {verb!r}")
            return _back(request, "/moderation/")
    except states.ModerationError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, f"{action.get_kind_display()}: {verb} recorded.")
    return _back(request, "/moderation/")


@require("view_inbox")
def queue_view(request: HttpRequest) -> HttpResponse:
    actions = (
        ModerationAction.objects.filter(state__in=QUEUE_STATES)
        .select_related("message", "author", "proposed_by", "first_approver")
        .order_by("proposed_at", "pk")
    )
    return render(
        request,
        "moderation/queue.html",
        {
            "actions": list(actions),
            "overrides": services.protected_override_count(),
            "appeal_counts": services.appeal_counts(),
        },
    )


@require("view_inbox")
def appeals_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            appeal = services.do_open_appeal(
                text=request.POST.get("text", ""),
                reference=request.POST.get("reference", ""),
                via=request.POST.get("via", Appeal.Via.EMAIL),
                user=acting_user(request),
            )
        except (services.AppealNotFound, states.ModerationError) as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, f"Appeal logged; due {timezone.localtime(appeal.due_at):%a %d %b %H:%M}.")
        return redirect("moderation-appeals")
    appeals = Appeal.objects.select_related("action__message", "action__author", "decided_by").order_by(
        "status", "due_at"
    )
    return render(
        request,
        "moderation/appeals.html",
        {"appeals": list(appeals), "now": timezone.now(), "counts": services.appeal_counts()},
    )


@require_POST
@require("view_inbox")
def decide_appeal_view(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal, pk=pk)
    try:
        services.do_decide_appeal(
            appeal,
            acting_user(request),
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
        )
    except states.ModerationError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, "Appeal decided.")
    return redirect("moderation-appeals")


@require("view_message")
def evidence_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk)
    try:
        name, body = evidence.do_export_evidence(message, acting_user(request))
    except states.ModerationError as exc:
        flash.error(request, str(exc))
        return redirect("message", pk=pk)
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
