"""Retention (UK GDPR storage limitation): message bodies and authors' personal data are erased
after the periods the policy sets (``retention`` in policy.yaml), except evidence under a legal
hold. Nothing is deleted as a row: the message stays (dates, labels, actions, audit) with its
text and raw payload blanked, so reports still add up. Every run is logged and audited.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from civildesk.inbox import desk
from civildesk.inbox.models import Author, Message, MessageRevision
from civildesk.moderation import audit
from civildesk.moderation.models import LegalHold, RetentionRun

log = logging.getLogger("civildesk.moderation")
ERASED_PREFIX = "erased-"


def held_message_ids() -> set[int]:
    return set(LegalHold.objects.filter(released_at__isnull=True).values_list("message_id", flat=True))


def apply_retention(*, now: datetime | None = None, dry_run: bool = False) -> RetentionRun:
    now = now or timezone.now()
    periods = desk.policy().retention
    body_days = int(periods.get("message_body_days", 730))
    personal_days = int(periods.get("personal_data_days", 365))
    held = held_message_ids()

    old = Message.objects.filter(received_at__lt=now - timedelta(days=body_days))
    bodies: list[int] = []
    kept: list[int] = []
    for pk, text, raw in old.values_list("pk", "text", "raw").iterator(chunk_size=2000):
        if not text and not raw:
            continue  # already erased
        (kept if pk in held else bodies).append(pk)

    held_authors = set(Message.objects.filter(pk__in=held).values_list("author_id", flat=True))
    people = (
        Author.objects.filter(last_seen_at__lt=now - timedelta(days=personal_days))
        .exclude(platform_user_id__startswith=ERASED_PREFIX)
        .exclude(pk__in=held_authors)
    )
    authors = list(people.values_list("pk", flat=True))

    with transaction.atomic():
        if not dry_run:
            Message.objects.filter(pk__in=bodies).update(text="", raw={})
            MessageRevision.objects.filter(message_id__in=bodies).update(text="", raw={})
            for pk in authors:
                # The platform id is personal data too; the row stays so message counts hold.
                Author.objects.filter(pk=pk).update(
                    handle="", display_name="", platform_user_id=f"{ERASED_PREFIX}{pk}"
                )
        run = RetentionRun.objects.create(
            at=now,
            dry_run=dry_run,
            message_bodies=len(bodies),
            authors=len(authors),
            kept_on_hold=len(kept),
            detail={
                "message_body_days": body_days,
                "personal_data_days": personal_days,
                "message_ids": bodies,
                "author_ids": authors,
                "kept_on_hold": kept,
            },
        )
        audit.record(
            "retention.dry_run" if dry_run else "retention.applied",
            None,
            target_type="retention_run",
            target_id=run.pk,
            after={"message_bodies": len(bodies), "authors": len(authors), "kept_on_hold": len(kept)},
            policy_version=desk.policy().version,
        )
    log.info(
        "retention%s: %d message bodies erased, %d authors anonymised, %d kept under legal hold "
        "(messages %s; authors %s)",
        " (dry run)" if dry_run else "",
        len(bodies),
        len(authors),
        len(kept),
        bodies[:50],
        authors[:50],
    )
    return run
