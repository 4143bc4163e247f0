"""The appeals mailbox in /metrics (registered with civildesk.ops.metrics when the app loads), so
an outage pages someone even when nobody is looking at the dashboard."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count

from civildesk.mailbox import services
from civildesk.mailbox.models import InboundMail, MailboxStatus
from civildesk.ops.metrics import Metric, register


@register
def mailbox(now: datetime) -> list[Metric]:
    row = MailboxStatus.objects.filter(pk=services.STATUS_PK).first()
    failures = Metric(
        "civildesk_appeals_mailbox_consecutive_failures",
        "Failed reads of the appeals mailbox in a row (0 while it works).",
        "gauge",
    ).add(row.consecutive_failures if row else 0)
    out = [failures]
    if row is not None and row.last_success_at is not None:
        out.append(
            Metric(
                "civildesk_appeals_mailbox_last_success_age_seconds",
                "Seconds since the appeals mailbox was last read successfully.",
                "gauge",
            ).add(max(0.0, (now - row.last_success_at).total_seconds()))
        )
    mails = Metric("civildesk_appeal_mails", "Appeal e-mails kept, by status.", "gauge")
    counts = dict(InboundMail.objects.values_list("status").annotate(n=Count("id")))
    for status in InboundMail.Status.values:
        mails.add(counts.get(status, 0), status=status)
    out.append(mails)
    return out
