"""Reading the appeals mailbox in the background (Django's task API, run by ``civildesk worker``).

``poll_mailbox`` reads the mailbox once and then queues the next read of itself with
``run_after`` (the interval while the mailbox works, a growing back-off while it fails). It is a
periodic chain (``civildesk.ops.periodic``): its row remembers which queued task is the next link,
so a second chain is never started, and its lease lets only one worker read at a time, whatever
the number of workers. The chain is started by every ``civildesk worker``, by ``migrate`` (every
install and upgrade runs it) or ``civildesk mailbox schedule``; ``civildesk mailbox poll`` reads
once in the foreground (for a first check, or a systemd timer if preferred).

Order of work, so that no mail is ever lost: fetch with BODY.PEEK (the server keeps it unread),
store the row and commit, and only then mark it \\Seen. A crash between the two leaves the mail
unread on the server; the next poll fetches it again and the unique Message-ID keeps it once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskContext, task

from civildesk.mailbox import imap, schedule, services
from civildesk.mailbox.models import InboundMail
from civildesk.ops import periodic

log = logging.getLogger("civildesk.mailbox")

MATCH_ATTEMPTS: Final = 5
MATCH_BATCH: Final = 500


def fetch_new(settings: imap.MailboxSettings) -> int:
    """Store every unread mail, then mark it read; return how many were new."""
    if connection.in_atomic_block:
        # Marking a mail read must follow a COMMITTED row: inside an outer transaction a rollback
        # would lose a mail the server already shows as read.
        raise RuntimeError("fetch_new must run outside a transaction")
    new = 0
    with imap.session(settings) as box:
        for uid in box.unseen_uids():
            raw = box.fetch(uid)
            if raw is None:
                continue  # deleted on the server meanwhile
            _, created = services.do_store_mail(raw)  # committed when it returns
            new += int(created)
            box.mark_seen(uid)
    return new


def match_pending() -> int:
    """Match every kept mail not yet matched (this poll's and any a crash left behind)."""
    done = 0
    pending = InboundMail.objects.filter(status=InboundMail.Status.RECEIVED).order_by("pk")
    for mail_id in list(pending.values_list("pk", flat=True)[:MATCH_BATCH]):
        try:
            services.do_match_mail(mail_id)
            done += 1
        except Exception as exc:
            log.exception("matching appeal e-mail %s failed", mail_id)
            _match_failed(mail_id, f"{type(exc).__name__}: {exc}")
    return done


def _match_failed(mail_id: int, error: str) -> None:
    services.do_record_match_failure(mail_id, error)
    with transaction.atomic():
        mail = InboundMail.objects.select_for_update().get(pk=mail_id)
        if mail.attempts >= MATCH_ATTEMPTS and mail.status == InboundMail.Status.RECEIVED:
            # Never silently retried for ever: a person sees it with the error and links it.
            mail.status = InboundMail.Status.UNMATCHED
            mail.why_unmatched = f"Matching failed {mail.attempts} times: {error[:300]}"
            mail.handled_at = timezone.now()
            mail.save()


def poll_once(*, holder: str) -> str:
    """One read of the mailbox under the lease. Returns what happened, in a word or two."""
    settings = services.mailbox_settings()
    if not settings.configured:
        return "not configured"
    if not services.acquire_lease(holder):
        return "busy"  # another worker is reading it now
    try:
        try:
            fetched = fetch_new(settings)
        except imap.MailboxUnavailable as exc:
            row = services.record_failure(str(exc))
            log.warning(
                "appeals mailbox %s unavailable (%s in a row), next try %s: %s",
                settings.describe(),
                row.consecutive_failures,
                row.next_poll_at,
                exc,
            )
            match_pending()  # mail kept before the outage still gets its appeal
            return "unavailable"
        except Exception as exc:
            services.record_failure(f"Unexpected error: {type(exc).__name__}")
            raise
        services.record_success(fetched=fetched)
        if fetched:
            log.info("appeals mailbox: %s new mail(s) kept", fetched)
        match_pending()
        return f"fetched {fetched}"
    finally:
        services.release_lease(holder)


def next_poll(now: datetime, first: bool) -> datetime | None:
    """When the next read is due: the back-off after a failure, at once when the chain starts,
    else the interval; None while the mailbox is not configured."""
    if not services.mailbox_settings().configured:
        return None
    row = services.status()
    if row.next_poll_at is not None and row.next_poll_at > now:
        return row.next_poll_at
    if first:
        return now
    return now + schedule.next_delay(
        interval_seconds=services.poll_seconds(), consecutive_failures=row.consecutive_failures
    )


def schedule_next(*, current: str | None, now: datetime | None = None) -> str | None:
    """Queue the next poll unless another one is queued already; return the queued task's id.

    ``current`` is the poll task now finishing (None when starting the chain by hand)."""
    queued = periodic.schedule_next(CHAIN, current=current, now=now)
    return queued.task_id if queued else None


def ensure_scheduled(*, using: str = "default") -> str | None:
    """Start the poll chain if the mailbox is configured and no poll is queued (idempotent)."""
    if using != "default":
        return None
    return schedule_next(current=None)


@task(takes_context=True)
def poll_mailbox(context: TaskContext) -> str:
    me = str(context.task_result.id)
    try:
        return poll_once(holder=me)
    finally:
        # Whatever happened, the chain goes on: an outage is retried with back-off.
        schedule_next(current=me)


CHAIN: Final = periodic.register(
    periodic.Chain(services.CHAIN_NAME, poll_mailbox, next_poll, lease=services.LEASE)
)
