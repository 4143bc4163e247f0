"""The platform side of moderation, run by the worker after the approving transaction commits.

``apply_action`` is safe to run twice: it claims the action (``approved`` only) before calling
the platform, and every platform call it makes (hide, unhide, block, ...) is idempotent there.
Retryable errors are tried again with back-off (a rate limit waits until ``retry_at``); an action
the platform cannot do becomes a human task; anything else ends ``failed`` with the reason shown.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from civildesk.inbox.connectors import ConnectorError, ReplyTarget
from civildesk.moderation import audit, connectors, notices, states
from civildesk.moderation.models import AuthorNotice, ModerationAction
from civildesk.platforms.errors import NotSupported, RateLimited

log = logging.getLogger("civildesk.moderation")

MAX_ATTEMPTS = 6
BASE_DELAY = timedelta(seconds=30)
# The connector capability each platform call needs.
CAPABILITY = {
    "hide": "hide",
    "unhide": "hide",
    "delete": "delete",
    "block": "block",
    "unblock": "block",
    "mute": "mute",
    "unmute": "mute",
}


def _target(action: ModerationAction) -> ReplyTarget:
    msg = action.message
    assert msg is not None
    return ReplyTarget(
        platform=msg.platform,
        account_id=msg.account.platform_account_id,
        message_id=msg.platform_id,
        kind=msg.kind,
        author_id=msg.author.platform_user_id,
        thread_id=msg.thread_id,
    )


def _account(action: ModerationAction) -> tuple[str, str]:
    if action.message is not None:
        return action.message.platform, action.message.account.platform_account_id
    # An author-level action with no message: the account the author last wrote to.
    last = action.author.messages.select_related("account").order_by("-received_at").first()
    return action.author.platform, last.account.platform_account_id if last is not None else ""


def retry_delay(exc: ConnectorError, attempt: int, now: datetime) -> datetime:
    """When to try again: the platform's own reset time if it gave one, else back-off."""
    if isinstance(exc, RateLimited) and exc.retry_at > now:
        return exc.retry_at
    return now + BASE_DELAY * (1 << max(attempt - 1, 0))


def platform_link(action: ModerationAction) -> str:
    msg = action.message
    if msg is None:
        return f"{action.author.platform} user {action.author.platform_user_id}"
    raw: Any = msg.raw if isinstance(msg.raw, dict) else {}
    for key in ("permalink_url", "permalink", "url"):
        if isinstance(raw.get(key), str) and raw[key].startswith("https://"):
            return str(raw[key])
    if msg.platform == "x":
        return f"https://x.com/i/web/status/{msg.platform_id}"
    if msg.platform == "facebook":
        return f"https://www.facebook.com/{msg.platform_id}"
    return f"{msg.get_platform_display()} {msg.kind} {msg.platform_id}"


def human_task_text(action: ModerationAction, why: str) -> str:
    """The pre-filled task: what to do, where, why, and the evidence to attach."""
    msg = action.message
    decision = msg.decision if msg is not None else None
    lines = [f"{states.ACTION_LABELS[action.kind]} — {why}", f"Link: {platform_link(action)}"]
    lines.append(f"Author: {action.author.shown_name} ({action.author.platform_user_id})")
    if decision is not None:
        lines.append(f"Labels: {', '.join(decision.labels) or 'none'}")
        for clause in decision.clauses:
            lines.append(f"Policy: {clause}")
    if action.reason:
        lines.append(f"Reason: {action.reason}")
    if msg is not None:
        lines.append(f"Text: {msg.text[:1000]}")
        if decision is not None:
            for ev in decision.evidence:
                if isinstance(ev, dict) and "start" in ev and "end" in ev:
                    quote = msg.text[int(ev["start"]) : int(ev["end"])]
                    lines.append(f"Evidence ({ev.get('label', '')}): \u201c{quote}\u201d")
    if action.kind in states.ESCALATIONS:
        lines.append("Attach the evidence pack (download it from the moderation page).")
    return "\n".join(lines)


def _finish(action_id: int, event: str, **changes: Any) -> ModerationAction:
    from civildesk.moderation.services import _audit, _case, _snapshot, after_applied

    with transaction.atomic():
        row = (
            ModerationAction.objects.select_for_update(of=("self",))
            .select_related("message", "author")
            .get(pk=action_id)
        )
        before = _snapshot(row)
        row.state = states.next_state(row.state, event, states.Actor(None, None), kind=row.kind)
        for key, value in changes.items():
            setattr(row, key, value)
        row.save()
        _audit(event, row, None, before, row.error if event == "failed" else "")
        _case(row, event, None, f"{row.get_kind_display()}: {row.get_state_display()} {row.error}".strip())
        if event == "applied":
            after_applied(row, row.approved_by)
    return row


@task()
def apply_action(action_id: int) -> str:
    return apply_now(action_id)


def apply_now(action_id: int, *, now: datetime | None = None) -> str:
    with transaction.atomic():
        row = (
            ModerationAction.objects.select_for_update(of=("self",))
            .select_related("message__account", "message__author", "message__decision", "author")
            .filter(pk=action_id)
            .first()
        )
        if row is None or row.state != "approved":
            return "skipped"
        row.attempts += 1
        row.save(update_fields=["attempts"])
    now = now or timezone.now()
    kind = row.kind

    if kind in states.HUMAN_ONLY:
        why = "no platform offers this through its API" if kind == "report" else "a person must do this"
        _finish(action_id, "needs_person", human_task=human_task_text(row, why))
        return "human task"
    if kind == "notify_author":
        _finish(action_id, "applied", applied_at=now, connector="")
        return "applied"

    platform, account_id = _account(row)
    connector = connectors.get_connector(platform, account_id)
    caps = connectors.capabilities(connector)
    needed = CAPABILITY[kind]
    if needed not in caps:
        why = f"{platform} offers no API to {kind} for this account"
        _finish(action_id, "needs_person", human_task=human_task_text(row, why), connector=connector.name)
        return "human task"
    try:
        if kind in states.AUTHOR_ACTIONS:
            getattr(connector, kind)(row.author.platform_user_id)
        else:
            getattr(connector, kind)(_target(row))
    except NotSupported as exc:
        _finish(
            action_id, "needs_person", human_task=human_task_text(row, str(exc)), connector=connector.name
        )
        return "human task"
    except ConnectorError as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if exc.retryable and row.attempts < MAX_ATTEMPTS:
            when = retry_delay(exc, row.attempts, now)
            ModerationAction.objects.filter(pk=action_id).update(error=error, connector=connector.name)
            apply_action.using(run_after=when).enqueue(action_id=action_id)
            log.warning("moderation action %s: %s; trying again at %s", action_id, error, when.isoformat())
            return "retrying"
        _finish(action_id, "failed", error=error, connector=connector.name)
        return "failed"
    _finish(action_id, "applied", applied_at=timezone.now(), connector=connector.name, error="")
    return "applied"


@task()
def end_temporary_block(action_id: int) -> str:
    from civildesk.moderation.services import expire_block

    row = ModerationAction.objects.filter(pk=action_id).first()
    if row is None:
        return "missing"
    return "unblocking" if expire_block(row) is not None else "skipped"


@task()
def send_notice(notice_id: int) -> str:
    return send_notice_now(notice_id)


def _mark_notice(notice: AuthorNotice, **changes: Any) -> None:
    for key, value in changes.items():
        setattr(notice, key, value)
    notice.save()
    audit.record(
        f"notice.{notice.status}",
        None,
        target_type="author_notice",
        target_id=notice.pk,
        after={"reference": notice.reference, "channel": notice.channel, "status": notice.status},
        reason=notice.reason,
        policy_version=notice.action.policy_version,
    )


def send_notice_now(notice_id: int, *, now: datetime | None = None) -> str:
    """Send through the private channel the platform allows, or record why it could not be."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = (
            AuthorNotice.objects.select_for_update(of=("self",))
            .select_related("action__message__account", "action__message__author", "action__author")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.status != AuthorNotice.Status.PENDING:
            return "skipped"
        notice.attempts += 1
        notice.save(update_fields=["attempts"])
    action = notice.action
    msg = action.message
    if msg is None:
        with transaction.atomic():
            _mark_notice(
                notice, status=AuthorNotice.Status.NOT_SENT, reason="no message to reply to privately"
            )
        return "not sent"
    platform, account_id = _account(action)
    connector = connectors.get_connector(platform, account_id)
    channel = notices.choose_channel(
        platform=msg.platform,
        kind=msg.kind,
        posted_at=msg.posted_at,
        now=now,
        capabilities=connectors.capabilities(connector),
    )
    if not channel.possible:
        with transaction.atomic():
            _mark_notice(
                notice, status=AuthorNotice.Status.NOT_SENT, reason=channel.reason, connector=connector.name
            )
        return "not sent"
    try:
        sent = connector.reply_private(_target(action), notice.text)
    except ConnectorError as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if exc.retryable and notice.attempts < MAX_ATTEMPTS:
            send_notice.using(run_after=retry_delay(exc, notice.attempts, now)).enqueue(notice_id=notice_id)
            AuthorNotice.objects.filter(pk=notice_id).update(reason=error)
            return "retrying"
        with transaction.atomic():
            _mark_notice(
                notice,
                status=AuthorNotice.Status.NOT_SENT,
                reason=error,
                channel=channel.name,
                connector=connector.name,
            )
        return "not sent"
    with transaction.atomic():
        _mark_notice(
            notice,
            status=AuthorNotice.Status.SENT,
            channel=channel.name,
            connector=connector.name,
            platform_reply_id=sent.platform_reply_id,
            sent_at=timezone.now(),
            reason="",
        )
    return "sent"
