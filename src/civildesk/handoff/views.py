"""Passing a message on from the message page, moving a hand-off along, telling the author, the
team's acknowledgement link (no desk account needed) and the list of hand-offs."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from civildesk.handoff import services, states
from civildesk.handoff.models import Handoff
from civildesk.inbox import desk
from civildesk.inbox.models import Message
from civildesk.inbox.services import ReplyRejected
from civildesk.inbox.triage import InvalidTransition as MessageInvalidTransition
from civildesk.web.access import acting_user, require


@require_POST
@require("reply")
def pass_on_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk)
    try:
        handoff = services.do_pass_on(
            message,
            request.POST.get("team", ""),
            acting_user(request),
            note=request.POST.get("note", "")[:2000],
        )
    except (services.UnknownTeam, services.AlreadyPassedOn) as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, f"Passed on to {handoff.team_name} (reference {handoff.reference})")
    return redirect("message", pk=pk)


@require_POST
@require("close")
def transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    handoff = get_object_or_404(Handoff, pk=pk)
    event = request.POST.get("event", "")
    try:
        if event == "acknowledge":
            services.do_acknowledge(handoff, acting_user(request))
        elif event == "close":
            services.do_close(handoff, acting_user(request))
        else:
            return HttpResponseBadRequest("unknown event")
    except states.InvalidTransition as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, f"{handoff.reference}: {states.EVENT_LABELS[event].lower()}: done")  # type: ignore[index]
    return redirect("message", pk=handoff.message_id)


@require_POST
@require("reply")
def tell_author_view(request: HttpRequest, pk: int) -> HttpResponse:
    handoff = get_object_or_404(Handoff.objects.select_related("message__author", "message__account"), pk=pk)
    try:
        reply = services.do_tell_author(handoff, acting_user(request), request.POST.get("text", ""))
    except (ReplyRejected, MessageInvalidTransition) as exc:
        flash.error(request, str(exc))
    else:
        if reply.status == reply.Status.SENT:
            flash.success(request, f"The author has been told ({reply.get_visibility_display().lower()})")
        elif reply.status == reply.Status.UNCONFIRMED:
            flash.warning(
                request,
                "The platform did not answer: the notice may have been posted. Check before sending again.",
            )
        else:
            flash.error(request, f"The platform refused the reply: {reply.error}")
    return redirect("message", pk=handoff.message_id)


@require_http_methods(["GET", "POST"])
def acknowledge_link_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the team's e-mail. GET only shows a button (mail scanners follow links; only a
    person's POST, with its CSRF token, acknowledges)."""
    handoff = services.handoff_from_token(token)
    if handoff is None:
        return render(request, "handoff/acknowledge.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST" and handoff.state == "sent":
        try:
            handoff = services.do_acknowledge(handoff, None, via="link")
            done = True
        except states.InvalidTransition:
            handoff.refresh_from_db()
    return render(
        request,
        "handoff/acknowledge.html",
        {"handoff": handoff, "done": done, "organisation": desk.policy().organisation.get("name", "")},
    )


@require("view_dashboard")
def handoff_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    rows = Handoff.objects.select_related("message__author", "sent_by").order_by("due_at")
    if show == "open":
        rows = rows.exclude(state="closed")
    return render(
        request,
        "handoff/list.html",
        {
            "rows": services.with_sla(list(rows[:500])),
            "show": show,
            "report": services.sla_report(),
            "policy_version": desk.policy().version,
        },
    )
