"""The hand-off panel on the message page: pass on, the hand-offs so far, tell the author."""

from __future__ import annotations

from typing import Any

from django import template

from civildesk.handoff import services
from civildesk.handoff.models import Handoff
from civildesk.inbox.models import Message
from civildesk.web.access import can

register = template.Library()


@register.inclusion_tag("handoff/_message_panel.html", takes_context=True)
def handoff_panel(context: dict[str, Any], message: Message) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    handoffs = list(Handoff.objects.filter(message=message).select_related("sent_by", "message__author"))
    rows = services.with_sla(handoffs)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "message": message,
        "rows": rows,
        "notices": {row.handoff.pk: services.author_notice(row.handoff) for row in rows},
        "teams": services.teams(),
        "can_pass_on": user is not None and can(user, "reply"),
        "can_move": user is not None and can(user, "close"),
    }


@register.inclusion_tag("handoff/_dashboard_panel.html")
def handoff_dashboard_panel() -> dict[str, Any]:
    """Hand-offs against their acknowledgement target, for the dashboard (the lead adds the hook)."""
    return {"report": services.sla_report(), "open": Handoff.objects.exclude(state="closed").count()}
