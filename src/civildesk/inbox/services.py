"""One door for every change a person (or the worker) makes to a message on the desk.

Each function runs in one transaction, locks the message row, applies the triage table, and writes
the case history next to the change. Views stay thin: they check the role and call these.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from civildesk.inbox import desk, limits
from civildesk.inbox.connectors import ConnectorError, ReplyTarget, get_connector
from civildesk.inbox.models import Assignment, AuthorEvent, CaseEvent, Message, Note, Reply
from civildesk.inbox.replies import Draft, author_placeholder, default_visibility, suggested_templates
from civildesk.inbox.triage import Event, InvalidTransition, Status, next_status

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ReplyRejected(ValueError):
    """The reply cannot be sent as written (too long, empty, or not possible on this platform)."""


def _locked(message: Message) -> Message:
    return Message.objects.select_for_update().get(pk=message.pk)


def _record(
    message: Message,
    event: str,
    actor: User | None,
    *,
    before: str = "",
    after: str = "",
    detail: str = "",
    at: datetime | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        message=message,
        event=event,
        actor=actor,
        from_status=before,
        to_status=after,
        detail=detail,
        at=at or timezone.now(),
    )


def _apply(message: Message, event: Event, actor: User | None, detail: str = "") -> Status:
    before: Status = message.status  # type: ignore[assignment]
    after = next_status(before, event)
    message.status = after
    now = timezone.now()
    if after == "answered" and message.answered_at is None:
        message.answered_at = now
    if after == "closed":
        message.closed_at = now
    if event == "reopen":
        message.closed_at = None
    _record(message, event, actor, before=before, after=after, detail=detail, at=now)
    return after


def assign(message: Message, assignee: User, actor: User) -> Message:
    with transaction.atomic():
        msg = _locked(message)
        _apply(msg, "assign", actor, detail=f"to {assignee}")
        Assignment.objects.filter(message=msg, ended_at__isnull=True).update(ended_at=timezone.now())
        Assignment.objects.create(message=msg, assignee=assignee, assigned_by=actor)
        msg.assignee = assignee
        msg.save(update_fields=["status", "assignee", "answered_at", "closed_at"])
    message.refresh_from_db()
    return message


def unassign(message: Message, actor: User) -> Message:
    with transaction.atomic():
        msg = _locked(message)
        _apply(msg, "unassign", actor)
        Assignment.objects.filter(message=msg, ended_at__isnull=True).update(ended_at=timezone.now())
        msg.assignee = None
        msg.save(update_fields=["status", "assignee", "answered_at", "closed_at"])
    message.refresh_from_db()
    return message


def transition(message: Message, event: Event, actor: User | None, detail: str = "") -> Message:
    """close / reopen / action (reply goes through ``send_reply``, assign through ``assign``)."""
    if event in {"assign", "unassign", "reply"}:
        raise InvalidTransition(message.status, event)
    with transaction.atomic():
        msg = _locked(message)
        _apply(msg, event, actor, detail=detail)
        if event == "action" and msg.decision is not None and msg.decision.removal == "required":
            # A moderator confirmed the breach: it counts towards the author's strikes.
            AuthorEvent.objects.create(
                author=msg.author, kind=AuthorEvent.Kind.BREACH, message=msg, actor=actor, detail=detail
            )
        msg.save(update_fields=["status", "answered_at", "closed_at"])
    message.refresh_from_db()
    return message


def add_note(message: Message, actor: User, text: str) -> Note:
    text = text.strip()
    if not text:
        raise ValueError("A note cannot be empty")
    with transaction.atomic():
        note = Note.objects.create(message=message, author=actor, text=text)
        _record(message, "note", actor, detail=text[:200])
        return note


def draft_reply(message: Message, template: str | None = None) -> Draft:
    """The composer's first draft, pre-filled from the latest decision."""
    available = desk.templates()
    decision = message.decision
    signposts = decision.signposts if decision else []
    labels = decision.labels if decision else []
    actions = decision.actions if decision else []
    suggestions = suggested_templates(signposts, labels, available)
    chosen = template if template in available else (suggestions[0] if suggestions else "")
    author = message.author
    text = (
        desk.render_template(
            chosen, author=author_placeholder(message.platform, author.handle, author.display_name)
        )
        if chosen
        else ""
    )
    return Draft(
        template=chosen,
        text=text,
        visibility=default_visibility(message.platform, message.kind, actions),
        suggestions=tuple(suggestions),
    )


def send_reply(
    message: Message,
    actor: User | None,
    text: str,
    *,
    visibility: str,
    template: str = "",
    automatic: bool = False,
) -> Reply:
    """Send through the platform's connector and record the result; a sent reply answers the
    message. A failed send is recorded too, and the message stays waiting."""
    text = text.strip()
    check = limits.check(message.platform, visibility, text)
    if not check.ok:
        raise ReplyRejected(check.message)
    if not automatic:
        # Refuse before anything reaches the platform (read the status now, not as first loaded).
        current = Message.objects.values_list("status", flat=True).get(pk=message.pk)
        next_status(current, "reply")  # type: ignore[arg-type]
    connector = get_connector(message.platform)
    target = ReplyTarget(
        platform=message.platform,
        account_id=message.account.platform_account_id,
        message_id=message.platform_id,
        kind=message.kind,
        author_id=message.author.platform_user_id,
        thread_id=message.thread_id,
    )
    # The platform call happens outside the transaction: a slow platform must not hold the row
    # lock, and a reply that went out must be recorded even if something later fails.
    try:
        sent = (connector.reply_private if visibility == "private" else connector.reply_public)(target, text)
        status, reply_id, error = Reply.Status.SENT, sent.platform_reply_id, ""
    except ConnectorError as exc:
        status, reply_id, error = Reply.Status.FAILED, "", str(exc)
    with transaction.atomic():
        msg = _locked(message)
        reply = Reply.objects.create(
            message=msg,
            sent_by=actor,
            automatic=automatic,
            template=template,
            text=text,
            visibility=visibility,
            status=status,
            connector=connector.name,
            platform_reply_id=reply_id,
            error=error,
        )
        if status == Reply.Status.SENT:
            if automatic:
                # The automatic crisis reply does not close the case: a person still reviews it.
                msg.auto_replied_at = timezone.now()
                _record(msg, "auto_reply", None, detail=f"{template} via {connector.name}")
                msg.save(update_fields=["auto_replied_at"])
            else:
                _apply(
                    msg,
                    "reply",
                    actor,
                    detail=f"{visibility} reply ({template or 'free text'}) via {connector.name}",
                )
                msg.save(update_fields=["status", "answered_at", "closed_at"])
        else:
            _record(msg, "reply_failed", actor, detail=error[:500])
        message.refresh_from_db()
        return reply
