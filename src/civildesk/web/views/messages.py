"""One message: the view with its evidence, the changes people make, the reply composer and the
case history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from civildesk.inbox import desk, limits, services
from civildesk.inbox.connectors import get_connector, sends_nowhere
from civildesk.inbox.models import Message, Reply
from civildesk.inbox.replies import REPLY_TEMPLATES, TEMPLATE_LABELS
from civildesk.inbox.triage import EVENT_LABELS, InvalidTransition, allowed_events
from civildesk.web.access import acting_user, can, require
from civildesk.web.highlight import highlight
from civildesk.web.views.pages import sla_row

# The permission each plain button needs (assign and reply have their own pages and buttons).
EVENT_PERMISSIONS: dict[str, str] = {
    "unassign": "assign",
    "close": "close",
    "reopen": "reopen",
    "action": "action",
}


def _message(pk: int) -> Message:
    return get_object_or_404(
        Message.objects.select_related("author", "account", "assignee", "decision", "parent__author"), pk=pk
    )


@require("view_message")
def message_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(pk)
    decision = message.decision
    stale = decision is not None and decision.revision != message.revision
    evidence = decision.evidence if decision is not None and not stale else []
    allowed = allowed_events(message.status)  # type: ignore[arg-type]
    transitions = []
    for event in allowed:
        needed = EVENT_PERMISSIONS.get(event)
        if needed and can(request.user, needed):
            transitions.append((event, EVENT_LABELS[event]))
    row = sla_row(message, desk.working_hours(), timezone.now())
    author = message.author
    context: dict[str, Any] = {
        "message": message,
        "decision": decision,
        "stale": stale,
        "highlighted": highlight(message.text, evidence),
        "evidence": [
            {**ev, "quote": message.text[int(ev["start"]) : int(ev["end"])]}
            for ev in evidence
            if isinstance(ev, dict) and "start" in ev and "end" in ev
        ],
        "parent": message.parent,
        "revisions": list(message.revisions.all()),
        "notes": list(message.notes.select_related("author")),
        "replies": list(message.replies.select_related("sent_by")),
        "unconfirmed": services.unconfirmed_reply(message),
        "allowed_events": allowed,
        "transitions": transitions,
        "sla": row.sla,
        "remaining": row.remaining,
        "colleagues": (
            get_user_model().objects.filter(is_active=True).order_by("username")
            if can(request.user, "assign_others")
            else []
        ),
        "author_messages": author.messages.count(),
        "author_strikes": author.strikes(within_days=int(desk.policy().strikes.get("expiry_days", 90))),
        "policy_version": desk.policy().version,
    }
    return render(request, "web/message.html", context)


@require_POST
@require("assign")
def assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(pk)
    assignee: Any = request.user
    target = request.POST.get("assignee", "")
    if target and target != str(request.user.pk):
        if not can(request.user, "assign_others"):
            return HttpResponse("Your role can only assign messages to yourself", status=403)
        assignee = get_object_or_404(get_user_model(), pk=target, is_active=True)
    try:
        services.assign(message, assignee, acting_user(request))
    except InvalidTransition as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, f"Assigned to {assignee.get_username()}")
    return redirect("message", pk=pk)


@require_POST
@require("view_message")
def transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(pk)
    event = request.POST.get("event", "")
    needed = EVENT_PERMISSIONS.get(event)
    if needed is None:
        return HttpResponseBadRequest("unknown event")
    if not can(request.user, needed):
        return render(request, "403.html", status=403)
    try:
        if event == "unassign":
            services.unassign(message, acting_user(request))
        else:
            services.transition(
                message,
                event,  # type: ignore[arg-type]  # checked against EVENT_PERMISSIONS above
                acting_user(request),
                detail=request.POST.get("detail", "")[:1000],
            )
    except InvalidTransition as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, f"{EVENT_LABELS[event]}: done")  # type: ignore[index]
    return redirect("message", pk=pk)


@require_POST
@require("add_note")
def note_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(pk)
    try:
        services.add_note(message, acting_user(request), request.POST.get("text", "")[:5000])
    except ValueError as exc:
        flash.error(request, str(exc))
    return redirect("message", pk=pk)


def _visibility_choices(message: Message) -> list[tuple[str, str]]:
    choices = []
    if limits.LIMITS.get((message.platform, "public")) is not None and message.kind != "dm":
        choices.append(("public", "Public reply"))
    if limits.LIMITS.get((message.platform, "private")) is not None:
        choices.append(("private", "Private message"))
    return choices


@require_http_methods(["GET", "POST"])
@require("reply")
def reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(pk)
    available = desk.templates()
    error = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        visibility = request.POST.get("visibility", "")
        template = request.POST.get("template", "")
        if visibility not in {v for v, _ in _visibility_choices(message)}:
            error = "Choose how to send the reply"
        else:
            try:
                reply = services.send_reply(
                    message,
                    acting_user(request),
                    text,
                    visibility=visibility,
                    template=template if template in available else "",
                    checked_platform=request.POST.get("checked_platform") == "yes",
                )
            except (services.ReplyRejected, InvalidTransition) as exc:
                error = str(exc)
            else:
                if reply.status == reply.Status.SENT:
                    flash.success(
                        request,
                        f"Reply sent ({reply.get_visibility_display().lower()} via {reply.connector})",
                    )
                    return redirect("message", pk=pk)
                if reply.status == reply.Status.UNCONFIRMED:
                    # Not back to a filled-in composer: that invites sending it again.
                    flash.warning(
                        request,
                        f"{message.get_platform_display()} did not answer: the reply may have been posted",
                    )
                    return redirect("message", pk=pk)
                error = f"The platform refused the reply: {reply.error}"
        draft = services.draft_reply(message, template)
        draft = type(draft)(
            template=draft.template,
            text=text,
            visibility=visibility or draft.visibility,
            suggestions=draft.suggestions,
        )
    else:
        draft = services.draft_reply(message, request.GET.get("template") or None)
        if request.GET.get("template", None) == "":
            draft = type(draft)(
                template="", text="", visibility=draft.visibility, suggestions=draft.suggestions
            )
    choices = _visibility_choices(message)
    if choices and draft.visibility not in {v for v, _ in choices}:
        draft = type(draft)(
            template=draft.template, text=draft.text, visibility=choices[0][0], suggestions=draft.suggestions
        )
    context = {
        "message": message,
        "draft": draft,
        "error": error,
        "check": limits.check(message.platform, draft.visibility, draft.text),
        "template_choices": [(n, TEMPLATE_LABELS.get(n, n)) for n in REPLY_TEMPLATES if n in available],
        "suggestion_labels": [TEMPLATE_LABELS.get(n, n) for n in draft.suggestions],
        "visibility_choices": choices,
        "unconfirmed": services.unconfirmed_reply(message),
        "outbox_only": sends_nowhere(get_connector(message.platform)),
        "policy_version": desk.policy().version,
    }
    return render(request, "web/reply.html", context, status=400 if error else 200)


@require_POST
@require("reply")
def reply_unconfirmed_view(request: HttpRequest, pk: int) -> HttpResponse:
    """What a person found on the platform for a reply whose answer was lost."""
    message = _message(pk)
    outcome = request.POST.get("outcome", "")
    record = {"posted": services.confirm_reply_posted, "not_posted": services.confirm_reply_not_posted}
    reply_pk = request.POST.get("reply", "")
    if outcome not in record or not reply_pk.isdigit():
        return HttpResponseBadRequest("say which reply and whether it was posted")
    reply = get_object_or_404(Reply, pk=int(reply_pk), message=message)
    try:
        record[outcome](reply, acting_user(request))
    except services.ReplyRejected as exc:
        flash.error(request, str(exc))
    else:
        flash.success(
            request,
            "Recorded as posted"
            if outcome == "posted"
            else "Recorded as not posted: you can send the reply again",
        )
    return redirect("message", pk=pk)


@require_POST
@require("reply")
def reply_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(pk)
    check = limits.check(
        message.platform, request.POST.get("visibility", "public"), request.POST.get("text", "")
    )
    return render(request, "web/_counter.html", {"check": check})


@require("view_history")
def history_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = _message(pk)
    timeline: list[dict[str, Any]] = [
        {
            "at": e.at,
            "what": e.event,
            "to_status": e.to_status,
            "who": e.actor.get_username() if e.actor else "",
            "detail": e.detail,
        }
        for e in message.case_events.select_related("actor")
    ]
    timeline += [
        {
            "at": r.created_at,
            "what": f"{'automatic ' if r.automatic else ''}{r.visibility} reply {r.status}",
            "to_status": "",
            "who": r.sent_by.get_username() if r.sent_by else "",
            "detail": r.text,
        }
        for r in message.replies.select_related("sent_by")
    ]
    timeline += [
        {
            "at": a.created_at,
            "what": f"on-call alert ({a.channel})",
            "to_status": "",
            "who": "",
            "detail": f"{a.status}{': ' + a.error if a.error else ''}",
        }
        for a in message.alerts.all()
    ]
    timeline.sort(key=lambda item: item["at"])
    context = {
        "message": message,
        "timeline": timeline,
        "decisions": list(message.decisions.all()),
        "policy_version": desk.policy().version,
    }
    return render(request, "web/history.html", context)
