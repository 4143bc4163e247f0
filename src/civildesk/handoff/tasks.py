"""Sending the hand-off e-mail through Django's mail backend (SMTP in production), retried with
back-off. Safe to run twice: a hand-off whose e-mail went out is not sent again."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from civildesk.handoff.models import Handoff
from civildesk.inbox.models import CaseEvent

log = logging.getLogger("civildesk.handoff")


def max_attempts() -> int:
    return int(getattr(settings, "CIVILDESK_HANDOFF_EMAIL_ATTEMPTS", 6))


@task()
def deliver_handoff(handoff_id: int) -> str:
    with transaction.atomic():
        row = Handoff.objects.select_for_update().filter(pk=handoff_id).first()
        if row is None or row.delivery != Handoff.Delivery.PENDING:
            return "skipped"
        # Count the attempt before the send: a worker killed mid-send is not retried forever.
        row.attempts += 1
        row.save(update_fields=["attempts"])
    email = EmailMessage(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.team_email],
        headers={"X-Civildesk-Reference": row.reference},
    )
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # any failure of the mail server: record, back off, retry
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= max_attempts():
            Handoff.objects.filter(pk=handoff_id).update(delivery=Handoff.Delivery.FAILED, error=error)
            CaseEvent.objects.create(
                message_id=row.message_id, event="handoff_email_failed", detail=f"{row.reference}: {error}"
            )
            log.error("hand-off %s e-mail failed for good: %s", row.reference, error)
            return "failed"
        Handoff.objects.filter(pk=handoff_id).update(error=error)
        delay = timedelta(seconds=30 * 2**row.attempts)
        deliver_handoff.using(run_after=timezone.now() + delay).enqueue(handoff_id=handoff_id)
        return "retrying"
    Handoff.objects.filter(pk=handoff_id).update(
        delivery=Handoff.Delivery.SENT, delivered_at=timezone.now(), error=""
    )
    CaseEvent.objects.create(
        message_id=row.message_id,
        event="handoff_emailed",
        detail=f"{row.reference} e-mailed to {row.team_email}",
    )
    return "sent"
