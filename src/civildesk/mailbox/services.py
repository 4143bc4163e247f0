"""One door for the appeals mailbox: keep a mail, match it to a notice, let a person link or
dismiss it, and record how the mailbox is doing.

The appeal itself is always opened by moderation's own door (``do_open_appeal_from_email`` /
``do_open_appeal``), inside the same transaction that marks the mail handled, so a mail opens
its appeal exactly once: either both are written or neither is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from civildesk.inbox.models import Author
from civildesk.mailbox import parsing, schedule
from civildesk.mailbox.imap import MailboxSettings
from civildesk.mailbox.models import InboundMail, MailboxStatus
from civildesk.moderation import audit, notices, states
from civildesk.moderation import services as moderation
from civildesk.moderation.models import Appeal, AuthorNotice
from civildesk.ops import periodic

if TYPE_CHECKING:
    from django.contrib.auth.models import User

STATUS_PK: Final = 1
CHAIN_NAME: Final = "mailbox.poll"  # its periodic chain (civildesk.ops.periodic): next poll and lease
DEFAULT_POLL_SECONDS: Final = 60
LEASE: Final = timedelta(minutes=10)  # longer than any poll; a crashed poller's lease runs out


class MailboxError(Exception):
    """A person asked for something the mail's state does not allow; the text says why."""


def mailbox_settings() -> MailboxSettings:
    security = str(getattr(settings, "CIVILDESK_APPEALS_IMAP_SECURITY", "ssl"))
    return MailboxSettings(
        host=str(getattr(settings, "CIVILDESK_APPEALS_IMAP_HOST", "")),
        port=int(getattr(settings, "CIVILDESK_APPEALS_IMAP_PORT", 993)),
        user=str(getattr(settings, "CIVILDESK_APPEALS_IMAP_USER", "")),
        password=str(getattr(settings, "CIVILDESK_APPEALS_IMAP_PASSWORD", "")),
        folder=str(getattr(settings, "CIVILDESK_APPEALS_IMAP_FOLDER", "INBOX")) or "INBOX",
        security=security if security in ("ssl", "starttls", "none") else "ssl",  # type: ignore[arg-type]
        timeout=float(getattr(settings, "CIVILDESK_APPEALS_IMAP_TIMEOUT", 30)),
    )


def poll_seconds() -> int:
    return int(getattr(settings, "CIVILDESK_APPEALS_IMAP_POLL_SECONDS", DEFAULT_POLL_SECONDS))


# --- keeping mail ------------------------------------------------------------------------------


def do_store_mail(raw: bytes, *, now: datetime | None = None) -> tuple[InboundMail, bool]:
    """Keep the mail (committed on return); (row, created). A mail already kept is not kept twice."""
    parsed = parsing.parse(raw)
    existing = InboundMail.objects.filter(message_id=parsed.message_id).first()
    if existing is not None:
        return existing, False
    sent_at = parse_datetime(parsed.sent_at_iso) if parsed.sent_at_iso else None
    if sent_at is not None and timezone.is_naive(sent_at):
        sent_at = None
    try:
        with transaction.atomic():
            mail = InboundMail.objects.create(
                message_id=parsed.message_id,
                raw=raw,
                from_address=parsed.from_address[:320],
                from_name=parsed.from_name[:200],
                subject=parsed.subject[:500],
                text=parsed.text,
                sent_at=sent_at,
                received_at=now or timezone.now(),
            )
    except IntegrityError:
        # Another poller kept the same mail a moment ago (the unique Message-ID said so).
        return InboundMail.objects.get(message_id=parsed.message_id), False
    return mail, True


# --- matching ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    notice: AuthorNotice | None
    how: str  # InboundMail.MatchedBy value, or "" when unmatched
    why_not: str = ""


def _notice_for_handles(handles: list[str]) -> Match:
    if not handles:
        return Match(None, "", "It quotes no notice reference (CD-XXXXXX) and names no @handle.")
    wanted = Q()
    for handle in handles:
        wanted |= Q(handle__iexact=handle) | Q(handle__iexact=f"@{handle}")
    authors = list(Author.objects.filter(wanted).filter(moderation_actions__notices__isnull=False).distinct())
    if not authors:
        names = ", ".join(f"@{h}" for h in handles)
        return Match(None, "", f"No author we sent a notice to has the handle {names}.")
    if len(authors) > 1:
        # Two people share the handle on different platforms: a person must choose.
        names = ", ".join(f"{a.handle} ({a.get_platform_display()})" for a in authors)
        return Match(None, "", f"More than one author matches: {names}.")
    notice = AuthorNotice.objects.filter(action__author=authors[0]).order_by("-created_at", "-pk").first()
    return Match(notice, InboundMail.MatchedBy.HANDLE)


def find_match(mail: InboundMail) -> Match:
    """The notice a mail is about: a reference it quotes (subject first), else the author's
    @handle when exactly one author we sent a notice to has it."""
    reference = notices.find_reference(mail.subject) or notices.find_reference(mail.text)
    if reference:
        notice = AuthorNotice.objects.filter(reference=reference).first()
        if notice is not None:
            return Match(notice, InboundMail.MatchedBy.REFERENCE)
        by_handle = _notice_for_handles(parsing.mentioned_handles(mail.subject, mail.text))
        if by_handle.notice is not None:
            return by_handle
        return Match(None, "", f"It quotes {reference}, but no notice has that reference.")
    return _notice_for_handles(parsing.mentioned_handles(mail.subject, mail.text))


def _open_or_join(mail: InboundMail, notice: AuthorNotice, how: str, user: User | None) -> None:
    """Open the appeal through moderation's door, or join the one already open for the notice."""
    open_appeal = (
        Appeal.objects.filter(notice=notice, status=Appeal.Status.OPEN).order_by("opened_at").first()
    )
    if open_appeal is not None:
        mail.appeal = open_appeal
        mail.follow_up = True
    elif how == InboundMail.MatchedBy.REFERENCE and user is None:
        mail.appeal = moderation.do_open_appeal_from_email(subject=mail.subject, body=mail.text)
    else:
        mail.appeal = moderation.do_open_appeal(
            text=f"{mail.subject}\n\n{mail.text}".strip(),
            reference=notice.reference,
            via=Appeal.Via.EMAIL,
            user=user,
        )
    mail.status = InboundMail.Status.MATCHED
    mail.matched_by = how
    mail.reference = notice.reference
    mail.why_unmatched = ""
    mail.error = ""
    mail.handled_at = timezone.now()


def do_match_mail(mail_id: int) -> InboundMail:
    """Match a received mail and open its appeal, or file it as unmatched. Safe to call twice."""
    with transaction.atomic():
        mail = InboundMail.objects.select_for_update().get(pk=mail_id)
        if mail.status != InboundMail.Status.RECEIVED:
            return mail  # already handled: a second poll, or a retry after a crash
        match = find_match(mail)
        if match.notice is None:
            mail.status = InboundMail.Status.UNMATCHED
            mail.why_unmatched = match.why_not
            mail.error = ""
            mail.handled_at = timezone.now()
        else:
            _open_or_join(mail, match.notice, match.how, None)
        mail.save()
    return mail


def do_record_match_failure(mail_id: int, error: str) -> None:
    """Matching raised (a database hiccup): keep the mail as received, to be tried again."""
    with transaction.atomic():
        mail = InboundMail.objects.select_for_update().get(pk=mail_id)
        mail.attempts += 1
        mail.error = error[:2000]
        mail.save(update_fields=["attempts", "error"])


def do_link_mail(mail: InboundMail, user: User, *, reference: str) -> InboundMail:
    """A moderator links an unmatched mail to the notice it is about; the appeal opens."""
    actor = moderation.actor_of(user)
    if not states.at_least(actor.role, "moderator"):
        raise states.RoleRefused(actor.role, "moderator", "link an appeal e-mail")
    wanted = notices.normalise_reference(reference) if reference.strip() else ""
    notice = AuthorNotice.objects.filter(reference=wanted).first() if wanted else None
    if notice is None:
        raise MailboxError(f"No notice has the reference {reference.strip()!r}")
    with transaction.atomic():
        row = InboundMail.objects.select_for_update().get(pk=mail.pk)
        if row.status != InboundMail.Status.UNMATCHED:
            raise MailboxError("This e-mail has already been dealt with")
        _open_or_join(row, notice, InboundMail.MatchedBy.STAFF, user)
        row.linked_by = user
        row.save()
        audit.record(
            "mail.linked",
            user,
            target_type="inbound_mail",
            target_id=row.pk,
            before={"status": InboundMail.Status.UNMATCHED},
            after={"status": row.status, "reference": notice.reference, "appeal": row.appeal_id},
        )
    return row


def do_dismiss_mail(mail: InboundMail, user: User, *, reason: str) -> InboundMail:
    """Not an appeal (an out-of-office reply, spam): set aside, kept, and the reason recorded."""
    actor = moderation.actor_of(user)
    if not states.at_least(actor.role, "moderator"):
        raise states.RoleRefused(actor.role, "moderator", "dismiss an appeal e-mail")
    if not reason.strip():
        raise MailboxError("Say why it is not an appeal")
    with transaction.atomic():
        row = InboundMail.objects.select_for_update().get(pk=mail.pk)
        if row.status != InboundMail.Status.UNMATCHED:
            raise MailboxError("This e-mail has already been dealt with")
        row.status = InboundMail.Status.DISMISSED
        row.why_unmatched = reason.strip()
        row.linked_by = user
        row.handled_at = timezone.now()
        row.save()
        audit.record(
            "mail.dismissed",
            user,
            target_type="inbound_mail",
            target_id=row.pk,
            before={"status": InboundMail.Status.UNMATCHED},
            after={"status": row.status},
            reason=reason.strip(),
        )
    return row


# --- the mailbox's health and the lease ---------------------------------------------------------


def status() -> MailboxStatus:
    row, _ = MailboxStatus.objects.get_or_create(pk=STATUS_PK)
    return row


def acquire_lease(holder: str, *, now: datetime | None = None) -> bool:
    """Only one poller at a time, across workers and hosts (the chain's lease). A crashed
    poller's lease simply runs out."""
    now = now or timezone.now()
    if not periodic.acquire_lease(CHAIN_NAME, holder, ttl=LEASE, now=now):
        return False
    status()
    MailboxStatus.objects.filter(pk=STATUS_PK).update(last_attempt_at=now)
    return True


def release_lease(holder: str) -> None:
    periodic.release_lease(CHAIN_NAME, holder)


def record_success(*, fetched: int, now: datetime | None = None) -> MailboxStatus:
    now = now or timezone.now()
    with transaction.atomic():
        row = MailboxStatus.objects.select_for_update().get(pk=STATUS_PK)
        row.last_success_at = now
        row.consecutive_failures = 0
        row.last_fetched = fetched
        row.next_poll_at = now + schedule.next_delay(interval_seconds=poll_seconds(), consecutive_failures=0)
        row.save()
    return row


def record_failure(error: str, *, now: datetime | None = None) -> MailboxStatus:
    now = now or timezone.now()
    with transaction.atomic():
        row = MailboxStatus.objects.select_for_update().get(pk=STATUS_PK)
        row.consecutive_failures += 1
        row.last_error = error[:2000]
        row.last_error_at = now
        row.next_poll_at = now + schedule.next_delay(
            interval_seconds=poll_seconds(), consecutive_failures=row.consecutive_failures
        )
        row.save()
    return row
