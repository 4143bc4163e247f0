"""The ingestion service: the one function every source calls (webhooks, polling, import,
simulator).

- Idempotent on (platform, account, platform id): a webhook delivered twice, or a poll that
  overlaps a webhook, stores one message.
- The message and its classification task are written in ONE transaction (django-tasks-db stores
  the task as a row), so nothing can be stored without being queued, or queued without being
  stored.
- Edits and deletions on the platform update the stored message and keep every earlier version
  as a ``MessageRevision``; nothing is ever lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db import IntegrityError, transaction
from django.utils import timezone

from civildesk.inbox import desk
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.models import Account, Author, CaseEvent, Message, MessageRevision

Outcome = Literal["created", "duplicate", "edited", "deleted", "tombstone"]


@dataclass(frozen=True, slots=True)
class IngestResult:
    message_id: int
    outcome: Outcome
    enqueued: bool


def ingest(inbound: InboundMessage, *, now: datetime | None = None) -> IngestResult:
    now = now or timezone.now()
    with transaction.atomic():
        account, _ = Account.objects.get_or_create(
            platform=inbound.platform,
            platform_account_id=inbound.account_id,
            defaults={"handle": inbound.account_id},
        )
        author = _author(inbound, now)
        existing = (
            Message.objects.select_for_update()
            .filter(account=account, platform_id=inbound.platform_id)
            .first()
        )
        if existing is None:
            try:
                # A savepoint, because a concurrent delivery of the same id may commit first.
                with transaction.atomic():
                    return _create(account, author, inbound, now)
            except IntegrityError:
                existing = Message.objects.select_for_update().get(
                    account=account, platform_id=inbound.platform_id
                )
        return _update(existing, inbound, now)


def _author(inbound: InboundMessage, now: datetime) -> Author:
    author, created = Author.objects.get_or_create(
        platform=inbound.platform,
        platform_user_id=inbound.author_id,
        defaults={
            "handle": inbound.author_handle,
            "display_name": inbound.author_name,
            "first_seen_at": now,
            "last_seen_at": now,
        },
    )
    if not created:
        changed = {
            "handle": inbound.author_handle or author.handle,
            "display_name": inbound.author_name or author.display_name,
        }
        if (
            any(getattr(author, k) != v for k, v in changed.items())
            or (now - author.last_seen_at).total_seconds() > 60
        ):
            Author.objects.filter(pk=author.pk).update(last_seen_at=now, **changed)
    return author


def _posted_at(inbound: InboundMessage, now: datetime) -> datetime:
    # A platform clock ahead of ours must not push the SLA clock into the future.
    return min(inbound.created_at, now) if inbound.created_at else now


def _create(account: Account, author: Author, inbound: InboundMessage, now: datetime) -> IngestResult:
    posted = _posted_at(inbound, now)
    parent = None
    if inbound.parent_id:
        parent = Message.objects.filter(account=account, platform_id=inbound.parent_id).first()
    tombstone = inbound.event == "delete"
    message = Message.objects.create(
        account=account,
        platform=inbound.platform,
        platform_id=inbound.platform_id,
        author=author,
        kind=inbound.kind,
        text="" if tombstone else inbound.text,
        thread_id=inbound.thread_id,
        parent_platform_id=inbound.parent_id,
        parent=parent,
        raw=inbound.raw,
        posted_at=posted,
        received_at=now,
        edited_at=posted if inbound.event == "edit" else None,
        deleted_at=posted if tombstone else None,
        status="closed" if tombstone else "open",
        closed_at=now if tombstone else None,
        due_at=desk.working_hours().due_at(posted),
    )
    MessageRevision.objects.create(
        message=message,
        revision=1,
        event=inbound.event,
        text=message.text,
        raw=inbound.raw,
        at=posted,
        recorded_at=now,
    )
    # Replies that arrived before the message they answer.
    Message.objects.filter(
        account=account, parent_platform_id=inbound.platform_id, parent__isnull=True
    ).update(parent=message)
    if tombstone:
        # Deleted before we ever saw it: keep a marker so a late "create" does not resurrect it.
        CaseEvent.objects.create(message=message, event="deleted_on_platform", at=now, to_status="closed")
        return IngestResult(message.pk, "tombstone", enqueued=False)
    CaseEvent.objects.create(
        message=message, event="received", at=now, to_status="open", detail=f"via {inbound.platform}"
    )
    _enqueue(message)
    return IngestResult(message.pk, "created", enqueued=True)


def _update(message: Message, inbound: InboundMessage, now: datetime) -> IngestResult:
    when = _posted_at(inbound, now)
    if inbound.event == "delete":
        if message.deleted_at is not None:
            return IngestResult(message.pk, "duplicate", enqueued=False)
        message.deleted_at = when
        message.save(update_fields=["deleted_at"])
        # The text stays on the message and in its revisions: evidence survives deletion.
        MessageRevision.objects.create(
            message=message,
            revision=message.revision,
            event="delete",
            text=message.text,
            raw=inbound.raw,
            at=when,
            recorded_at=now,
        )
        CaseEvent.objects.create(message=message, event="deleted_on_platform", at=now)
        return IngestResult(message.pk, "deleted", enqueued=False)

    if inbound.text == message.text:
        return IngestResult(message.pk, "duplicate", enqueued=False)
    if inbound.event == "create":
        tombstone = message.deleted_at is not None and not message.text
        stale = (
            message.edited_at is not None
            and inbound.created_at is not None
            and inbound.created_at <= message.edited_at
        )
        if stale and not tombstone:
            # A re-delivered original after we stored an edit: never roll the text back.
            return IngestResult(message.pk, "duplicate", enqueued=False)
        # Otherwise a source that cannot tell edits apart (a poll) saw new text: an edit, seen now.
        when = now

    # New text for a message we hold: an edit (or the late "create" behind a tombstone).
    message.revision += 1
    message.text = inbound.text
    message.raw = inbound.raw
    message.edited_at = when
    message.save(update_fields=["revision", "text", "raw", "edited_at"])
    MessageRevision.objects.create(
        message=message,
        revision=message.revision,
        event="edit",
        text=inbound.text,
        raw=inbound.raw,
        at=when,
        recorded_at=now,
    )
    CaseEvent.objects.create(
        message=message, event="edited_on_platform", at=now, detail=f"revision {message.revision}"
    )
    _enqueue(message)
    return IngestResult(message.pk, "edited", enqueued=True)


def _enqueue(message: Message) -> None:
    from civildesk.inbox.tasks import classify_message

    # Inside the caller's transaction: django-tasks-db writes the task row with the message.
    classify_message.enqueue(message_id=message.pk, revision=message.revision)
