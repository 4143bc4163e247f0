"""The appeals mailbox page: mail nobody could match, for a moderator to link or set aside.

Views parse, authorise and call one ``do_*`` service; the service holds the rules.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from civildesk.mailbox import services
from civildesk.mailbox.models import InboundMail
from civildesk.moderation import services as moderation
from civildesk.moderation import states
from civildesk.web.access import acting_user, can, require

RECENT = 20


@require("view_message")
def mailbox_view(request: HttpRequest) -> HttpResponse:
    unmatched = InboundMail.objects.filter(status=InboundMail.Status.UNMATCHED).order_by("received_at", "pk")
    recent = (
        InboundMail.objects.exclude(status=InboundMail.Status.UNMATCHED)
        .select_related("appeal", "linked_by")
        .order_by("-received_at", "-pk")[:RECENT]
    )
    return render(
        request,
        "mailbox/mailbox.html",
        {
            "unmatched": list(unmatched),
            "recent": list(recent),
            "status": services.status(),
            "settings": services.mailbox_settings(),
            "can_link": can(request.user, "action"),
        },
    )


@require_POST
@require("action")
def link_view(request: HttpRequest, pk: int) -> HttpResponse:
    mail = get_object_or_404(InboundMail, pk=pk)
    try:
        row = services.do_link_mail(mail, acting_user(request), reference=request.POST.get("reference", ""))
    except (services.MailboxError, moderation.AppealNotFound, states.ModerationError) as exc:
        flash.error(request, str(exc))
    else:
        verb = "added to the appeal already open" if row.follow_up else "appeal opened"
        flash.success(request, f"Linked to {row.reference}: {verb}.")
    return redirect("mailbox")


@require_POST
@require("action")
def dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    mail = get_object_or_404(InboundMail, pk=pk)
    try:
        services.do_dismiss_mail(mail, acting_user(request), reason=request.POST.get("reason", ""))
    except (services.MailboxError, states.ModerationError) as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, "E-mail set aside (kept, not an appeal).")
    return redirect("mailbox")
