"""The appeals mailbox on the dashboard: is it being read, and is mail waiting for a person."""

from __future__ import annotations

from typing import Any

from django import template

from civildesk.mailbox import services
from civildesk.mailbox.models import InboundMail, MailboxStatus
from civildesk.ops import periodic

register = template.Library()


@register.inclusion_tag("mailbox/_dashboard_panel.html")
def mailbox_dashboard_panel() -> dict[str, Any]:
    configured = services.mailbox_settings().configured
    unmatched = InboundMail.objects.filter(status=InboundMail.Status.UNMATCHED).count()
    # Read, never created, here: a dashboard view must not write.
    status = MailboxStatus.objects.filter(pk=services.STATUS_PK).first()
    # The poll chain can only stop if even recording the next poll failed (the database was down
    # as the poll ended): say so rather than show a stale "working".
    stalled = configured and not periodic.is_scheduled(services.CHAIN_NAME)
    return {
        "show": configured or unmatched > 0 or status is not None,
        "configured": configured,
        "stalled": stalled,
        "status": status,
        "unmatched": unmatched,
    }
