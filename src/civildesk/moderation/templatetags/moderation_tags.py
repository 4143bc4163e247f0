"""The moderation panel on the message page (the page includes it with one tag)."""

from __future__ import annotations

from typing import Any

from django import template

from civildesk.inbox.models import Message
from civildesk.moderation import services, states
from civildesk.moderation.models import AuthorNotice, ModerationAction

register = template.Library()

# What an officer may propose from the message page, in the order the buttons appear.
PROPOSABLE = (
    "hide",
    "delete",
    "block",
    "mute",
    "report",
    "escalate_police",
    "escalate_legal",
    "notify_author",
)


@register.inclusion_tag("moderation/_message_panel.html", takes_context=True)
def moderation_panel(context: dict[str, Any], message: Message) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    role = services.actor_of(user if user is not None and user.is_authenticated else None).role
    actions = list(
        ModerationAction.objects.filter(message=message).select_related("proposed_by", "first_approver")
    )
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "message": message,
        "actions": actions,
        "notices": list(AuthorNotice.objects.filter(action__message=message)),
        "kinds": [(k, states.ACTION_LABELS[k]) for k in PROPOSABLE],
        "protected": services.removal_verdict(message) == "forbidden",
        "can_propose": states.at_least(role, states.PROPOSER_ROLE),
        "can_approve": states.at_least(role, "moderator"),
        "advice": services.block_advice(message.author),
        "undoable": {a.pk for a in actions if a.state == "applied" and states.UNDO.get(a.kind)},
    }
