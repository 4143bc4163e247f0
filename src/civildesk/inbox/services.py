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
from civildesk.inbox.triage import Event, InvalidTransition, Status, allowed_events, next_status

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
    checked_platform: bool = False,
) -> Reply:
    """Send through the platform's connector and record the result; a sent reply answers the
    message. A failed send is recorded too, and the message stays waiting. A send whose answer
    was lost is recorded as UNCONFIRMED (it may have been posted), and the message stays waiting.

    While the latest reply is UNCONFIRMED, a person's send is refused unless ``checked_platform``
    says they looked on the platform and it was not posted; that reply is then recorded FAILED."""
    text = text.strip()
    check = limits.check(message.platform, visibility, text)
    if not check.ok:
        raise ReplyRejected(check.message)
    in_doubt: Reply | None = None
    if not automatic:
        # Refuse before anything reaches the platform (read the status now, not as first loaded).
        current = Message.objects.values_list("status", flat=True).get(pk=message.pk)
        next_status(current, "reply")  # type: ignore[arg-type]
        in_doubt = unconfirmed_reply(message)
        if in_doubt is not None and not checked_platform:
            raise ReplyRejected(
                f"The last reply may already have been posted: check {message.get_platform_display()} "
                "before sending again, then confirm it was not posted"
            )
    # The automatic crisis reply is never held back by an UNCONFIRMED reply: for a person in
    # crisis at night, with nobody at the desk to check the platform, a second copy of the crisis
    # line is far less harm than none (see send_automatic_reply: it is sent at least once).
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
        # A request that went out without an answer (AnswerLost) may have been posted: recording
        # it FAILED would invite a person to send it again, and the author would get it twice.
        in_doubt_now = getattr(exc, "in_doubt", False)
        status = Reply.Status.UNCONFIRMED if in_doubt_now else Reply.Status.FAILED
        reply_id, error = "", str(exc)
    with transaction.atomic():
        msg = _locked(message)
        if in_doubt is not None:
            # The person checked the platform before sending this one: the earlier reply is not there.
            checked = Reply.objects.filter(pk=in_doubt.pk, status=Reply.Status.UNCONFIRMED).update(
                status=Reply.Status.FAILED
            )
            if checked:
                _record_not_posted(msg, in_doubt, actor, sending_again=True)
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
        elif status == Reply.Status.UNCONFIRMED:
            _record(
                msg,
                "reply_unconfirmed",
                actor,
                detail=f"may have been posted, check the platform: {error}"[:500],
            )
        else:
            _record(msg, "reply_failed", actor, detail=error[:500])
        message.refresh_from_db()
        return reply


def unconfirmed_reply(message: Message) -> Reply | None:
    """The message's latest reply when it may have been posted (its answer was lost), else None."""
    latest = Reply.objects.filter(message_id=message.pk).order_by("-created_at", "-pk").first()
    return latest if latest is not None and latest.status == Reply.Status.UNCONFIRMED else None


def _locked_unconfirmed(reply: Reply) -> tuple[Message, Reply]:
    msg = Message.objects.select_for_update().get(pk=reply.message_id)
    row = Reply.objects.select_for_update().get(pk=reply.pk)
    if row.status != Reply.Status.UNCONFIRMED:
        # Someone else recorded what they found on the platform first.
        raise ReplyRejected(f"This reply is already recorded as {row.get_status_display().lower()}")
    return msg, row


def confirm_reply_posted(reply: Reply, actor: User) -> Reply:
    """A person found the UNCONFIRMED reply on the platform: it counts as sent (its platform id is
    unknown) and answers the message as a sent reply would, where the message's state allows."""
    with transaction.atomic():
        msg, row = _locked_unconfirmed(reply)
        row.status = Reply.Status.SENT
        row.error = ""
        row.save(update_fields=["status", "error"])
        _record(msg, "reply_posted", actor, detail=f"{row.visibility} reply {row.pk} found on the platform")
        fields = ["status", "answered_at", "closed_at"]
        if row.automatic:
            # As a sent automatic reply: the case still waits for a person to review it.
            msg.auto_replied_at = msg.auto_replied_at or timezone.now()
            fields.append("auto_replied_at")
        elif "reply" in allowed_events(msg.status):  # type: ignore[arg-type]
            _apply(
                msg,
                "reply",
                actor,
                detail=f"{row.visibility} reply ({row.template or 'free text'}) via {row.connector}, "
                "confirmed on the platform",
            )
        # Otherwise the case was closed meanwhile: the reply is recorded as posted, and a closed
        # case is only reopened by a person's decision, not as a side effect of this record.
        msg.save(update_fields=fields)
    reply.refresh_from_db()
    return reply


def confirm_reply_not_posted(reply: Reply, actor: User) -> Reply:
    """A person checked the platform and the UNCONFIRMED reply is not there: it failed, and the
    message, still waiting, may be answered again."""
    with transaction.atomic():
        msg, row = _locked_unconfirmed(reply)
        row.status = Reply.Status.FAILED
        row.save(update_fields=["status"])
        _record_not_posted(msg, row, actor, sending_again=False)
    reply.refresh_from_db()
    return reply


def _record_not_posted(msg: Message, reply: Reply, actor: User | None, *, sending_again: bool) -> None:
    """The history line for an unconfirmed reply a person checked for and did not find."""
    detail = f"{reply.visibility} reply {reply.pk} not found on the platform"
    _record(msg, "reply_not_posted", actor, detail=detail + ("; sending again" if sending_again else ""))
