"""One door for every moderation change: propose, approve, reject, undo, appeal, hold.

Each ``do_*`` function runs in one transaction, applies the pure state table
(``civildesk.moderation.states``), writes an audit row, and enqueues the platform call as a task
only once the transaction has committed (a rolled-back approval must never reach a platform).
Views parse, authorise and call these; nothing else changes a moderation row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from civildesk.inbox import desk
from civildesk.inbox.models import Author, AuthorEvent, CaseEvent, Message
from civildesk.inbox.replies import author_placeholder
from civildesk.moderation import audit, notices, states
from civildesk.moderation.models import Appeal, AuthorNotice, LegalHold, ModerationAction
from civildesk.moderation.states import Actor, Proposal

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEFAULT_APPEAL_WORKING_DAYS = 5
DEFAULT_TEMPORARY_BLOCK_DAYS = 30


# The most a caller may act as, below the user's own role (set by the JSON API for a token
# issued with a lower role than its user's), so every rule here sees the token's role.
_role_cap: ContextVar[str | None] = ContextVar("civildesk_moderation_role_cap", default=None)


@contextmanager
def role_capped_at(role: str | None) -> Iterator[None]:
    """Within this block, every ``actor_of`` acts with at most ``role`` (None: no role at all)."""
    reset = _role_cap.set(role or "")
    try:
        yield
    finally:
        _role_cap.reset(reset)


def actor_of(user: User | None) -> Actor:
    from civildesk.web.access import user_role

    if user is None:
        return Actor(user_id=None, role=None)
    role = user_role(user)
    cap = _role_cap.get()
    if cap is not None and states.rank(cap) < states.rank(role):
        role = cap or None
    return Actor(user_id=user.pk, role=role)


def policy_version() -> str:
    return desk.policy().version


def removal_verdict(message: Message | None) -> str:
    """ "forbidden" when the message's decision carries no breach label (protected criticism, or
    nothing found at all): the policy never removes a post simply because it is negative."""
    if message is None:
        return "allowed"
    decision = message.decision
    if decision is None:
        return "forbidden"
    if set(decision.labels) & desk.policy().breach_labels:
        return "required" if decision.removal == "required" else "allowed"
    return "forbidden"


def _snapshot(action: ModerationAction) -> dict[str, Any]:
    return {
        "kind": action.kind,
        "state": action.state,
        "message": action.message_id,
        "author": action.author_id,
        "permanent": action.permanent,
    }


def _audit(
    event: str, action: ModerationAction, user: User | None, before: dict[str, Any], reason: str
) -> None:
    audit.record(
        f"action.{event}",
        user,
        target_type="moderation_action",
        target_id=action.pk,
        before=before,
        after=_snapshot(action),
        reason=reason,
        policy_version=action.policy_version or policy_version(),
    )


def _case(action: ModerationAction, event: str, user: User | None, detail: str) -> None:
    if action.message_id is not None:
        CaseEvent.objects.create(
            message_id=action.message_id, event=f"moderation_{event}"[:32], actor=user, detail=detail[:500]
        )


def _locked(action: ModerationAction) -> ModerationAction:
    return (
        ModerationAction.objects.select_for_update(of=("self",))
        .select_related("message", "author")
        .get(pk=action.pk)
    )


def _enqueue_apply(action_id: int) -> None:
    from civildesk.moderation.tasks import apply_action

    transaction.on_commit(lambda: apply_action.enqueue(action_id=action_id))


# --- proposing ---------------------------------------------------------------------------------


def do_propose(
    kind: str,
    user: User | None,
    *,
    message: Message | None = None,
    author: Author | None = None,
    reason: str = "",
    permanent: bool = False,
    override_reason: str = "",
    block_days: int | None = None,
) -> ModerationAction:
    """Propose an action on a message (or, for block/mute, on its author). Officers propose."""
    if message is None and author is None:
        raise states.ModerationError("An action needs a message or an author")
    if kind not in states.AUTHOR_ACTIONS and message is None:
        raise states.ModerationError(f"'{kind}' acts on a message: choose one")
    verdict = removal_verdict(message)
    proposal = Proposal(kind=kind, permanent=permanent, removal=verdict, override_reason=override_reason)
    states.check_propose(actor_of(user), proposal)
    with transaction.atomic():
        action = ModerationAction.objects.create(
            message=message,
            author=author if author is not None else message.author,  # type: ignore[union-attr]
            kind=kind,
            permanent=permanent and kind == "block",
            block_days=(block_days or temporary_block_days()) if kind == "block" and not permanent else None,
            reason=reason.strip(),
            override_reason=override_reason.strip() if kind in states.REMOVALS else "",
            protected_override=kind in states.REMOVALS and verdict == "forbidden",
            policy_version=(message.decision.policy_version if message and message.decision else "")
            or policy_version(),
            proposed_by=user,
        )
        _audit("proposed", action, user, {}, reason or override_reason)
        _case(action, "proposed", user, f"{action.get_kind_display()} proposed: {reason}".strip())
    return action


def do_hide(
    message: Message, user: User | None, *, reason: str = "", override_reason: str = ""
) -> ModerationAction:
    return do_propose("hide", user, message=message, reason=reason, override_reason=override_reason)


def do_delete(
    message: Message, user: User | None, *, reason: str = "", override_reason: str = ""
) -> ModerationAction:
    """Delete on the platform. This cannot be undone there; the desk keeps its evidence copy."""
    return do_propose("delete", user, message=message, reason=reason, override_reason=override_reason)


def do_block(
    author: Author,
    user: User | None,
    *,
    message: Message | None = None,
    reason: str = "",
    permanent: bool = False,
    days: int | None = None,
) -> ModerationAction:
    """A temporary block (``days``, default CIVILDESK_TEMPORARY_BLOCK_DAYS) ends by itself; a
    permanent one needs two moderators."""
    return do_propose(
        "block", user, message=message, author=author, reason=reason, permanent=permanent, block_days=days
    )


def temporary_block_days() -> int:
    return int(getattr(settings, "CIVILDESK_TEMPORARY_BLOCK_DAYS", DEFAULT_TEMPORARY_BLOCK_DAYS))


def expire_block(action: ModerationAction) -> ModerationAction | None:
    """The worker ends a temporary block at its time (the undo is the system's, audited)."""
    row = ModerationAction.objects.get(pk=action.pk)
    if row.kind != "block" or row.permanent or row.state != "applied":
        return None
    if row.expires_at is None or row.expires_at > timezone.now():
        return None
    if row.undone_by.exclude(state__in=("rejected", "failed")).exists():
        return None
    return _start_undo(row, "unblock", None, "the temporary block has ended")


def do_mute(
    author: Author, user: User | None, *, message: Message | None = None, reason: str = ""
) -> ModerationAction:
    return do_propose("mute", user, message=message, author=author, reason=reason)


def do_report(message: Message, user: User | None, *, reason: str = "") -> ModerationAction:
    """A human task with a pre-filled report: no platform offers reporting through its API."""
    return do_propose("report", user, message=message, reason=reason)


def do_escalate_police(message: Message, user: User | None, *, reason: str = "") -> ModerationAction:
    return do_propose("escalate_police", user, message=message, reason=reason)


def do_escalate_legal(message: Message, user: User | None, *, reason: str = "") -> ModerationAction:
    return do_propose("escalate_legal", user, message=message, reason=reason)


def do_notify_author(message: Message, user: User | None, *, reason: str = "") -> ModerationAction:
    return do_propose("notify_author", user, message=message, reason=reason)


# Platform actions the policy's ``auto_apply`` may carry out with no person (day or night).
AUTO_APPLICABLE = frozenset({"hide"})


def do_apply_policy(message: Message) -> list[ModerationAction]:
    """Carry out what policy.yaml's ``auto_apply`` allows for this message's decision (e.g. hide
    exposed personal information at once). Everything else the engine recommends stays a
    recommendation for people. Safe to call twice: one automatic action per kind per message."""
    decision = message.decision
    if decision is None or decision.revision != message.revision or message.deleted_at is not None:
        return []
    if removal_verdict(message) == "forbidden":
        return []  # the engine never auto-removes without a breach label; checked again here
    done: list[ModerationAction] = []
    with transaction.atomic():
        for kind in decision.auto_actions:
            if kind not in AUTO_APPLICABLE:
                continue
            if ModerationAction.objects.filter(message=message, kind=kind, proposed_by__isnull=True).exists():
                continue
            labels = ", ".join(decision.labels)
            action = ModerationAction.objects.create(
                message=message,
                author=message.author,
                kind=kind,
                state="approved",
                reason=f"applied automatically as the policy allows ({labels})",
                policy_version=decision.policy_version,
                approved_at=timezone.now(),
            )
            _audit("auto_approved", action, None, {}, action.reason)
            _case(action, "auto", None, f"{action.get_kind_display()} applied automatically ({labels})")
            _enqueue_apply(action.pk)
            done.append(action)
    return done


# --- deciding ----------------------------------------------------------------------------------


def do_approve(action: ModerationAction, user: User | None) -> ModerationAction:
    """Moderators approve; police/legal escalation and permanent blocks need two of them."""
    with transaction.atomic():
        row = _locked(action)
        before = _snapshot(row)
        after = states.next_state(
            row.state,
            "approve",
            actor_of(user),
            kind=row.kind,
            permanent=row.permanent,
            first_approver_id=row.first_approver_id,
        )
        if row.protected_override:
            # The proposal's reason came from a moderator, but the approver owns the removal too.
            states.check_protected(
                actor_of(user), Proposal(row.kind, removal="forbidden", override_reason=row.override_reason)
            )
        row.state = after
        if after == "awaiting_second":
            row.first_approver = user
        else:
            row.approved_by = user
            row.approved_at = timezone.now()
            if row.kind in states.ESCALATIONS and row.message is not None:
                _hold(row.message, user, f"{row.get_kind_display()} approved (action {row.pk})")
            _enqueue_apply(row.pk)
        row.save()
        _audit("approved" if after == "approved" else "first_approval", row, user, before, "")
        _case(row, "approved", user, f"{row.get_kind_display()}: {row.get_state_display()}")
    action.refresh_from_db()
    return action


def do_reject(action: ModerationAction, user: User | None, *, reason: str = "") -> ModerationAction:
    with transaction.atomic():
        row = _locked(action)
        before = _snapshot(row)
        row.state = states.next_state(row.state, "reject", actor_of(user), kind=row.kind)
        row.decided_by = user
        row.save()
        _audit("rejected", row, user, before, reason)
        _case(row, "rejected", user, f"{row.get_kind_display()} rejected: {reason}")
    action.refresh_from_db()
    return action


def do_retry(action: ModerationAction, user: User | None) -> ModerationAction:
    with transaction.atomic():
        row = _locked(action)
        before = _snapshot(row)
        row.state = states.next_state(row.state, "retry", actor_of(user), kind=row.kind)
        row.attempts = 0
        row.save()
        _audit("retried", row, user, before, row.error)
        _enqueue_apply(row.pk)
    action.refresh_from_db()
    return action


def do_mark_done(action: ModerationAction, user: User | None, *, note: str = "") -> ModerationAction:
    """A person did the hand task (filed the report, called the police): record it."""
    with transaction.atomic():
        row = _locked(action)
        before = _snapshot(row)
        row.state = states.next_state(row.state, "done", actor_of(user), kind=row.kind)
        row.decided_by = user
        row.applied_at = timezone.now()
        row.save()
        _audit("done_by_hand", row, user, before, note)
        _case(row, "done", user, f"{row.get_kind_display()} done by hand: {note}")
        after_applied(row, user)
    action.refresh_from_db()
    return action


def do_undo(action: ModerationAction, user: User | None, *, reason: str = "") -> ModerationAction:
    """Undo an applied action by applying its inverse (unhide for hide, unblock for block...).
    The original becomes ``undone`` once the inverse has reached the platform."""
    inverse = states.UNDO.get(action.kind)
    if inverse is None:
        if action.kind == "delete":
            raise states.NotUndoable(
                "A deleted post cannot be restored on the platform; the desk keeps its evidence copy."
            )
        raise states.NotUndoable(f"'{action.get_kind_display()}' has no undo")
    actor = actor_of(user)
    if not states.at_least(actor.role, states.APPROVER_ROLE[inverse]):
        raise states.RoleRefused(actor.role, states.APPROVER_ROLE[inverse], "undo an action")
    return _start_undo(action, inverse, user, reason)


def _start_undo(action: ModerationAction, inverse: str, user: User | None, reason: str) -> ModerationAction:
    with transaction.atomic():
        row = _locked(action)
        if row.state != "applied":
            raise states.InvalidTransition(row.state, "undo")
        if row.undone_by.exclude(state__in=("rejected", "failed")).exists():
            raise states.ModerationError("This action is already being undone")
        undo = ModerationAction.objects.create(
            message=row.message,
            author=row.author,
            kind=inverse,
            state="approved",
            reason=reason.strip(),
            undo_of=row,
            policy_version=row.policy_version,
            proposed_by=user,
            approved_by=user,
            approved_at=timezone.now(),
        )
        _audit("undo_requested", undo, user, _snapshot(row), reason)
        _case(row, "undo", user, f"{row.get_kind_display()} being undone: {reason}")
        _enqueue_apply(undo.pk)
    return undo


# --- after the platform call (called by the task, inside its transaction) --------------------


def after_applied(action: ModerationAction, user: User | None) -> None:
    """What an applied action changes on the desk: strikes, the author's standing, the undone
    original, the notice to the author and, on a repeat offender, a block proposal."""
    author = action.author
    now = timezone.now()
    if action.kind in states.REMOVALS and not action.protected_override and action.message is not None:
        # A confirmed breach counts towards the author's strikes (an override is no breach).
        AuthorEvent.objects.create(
            author=author,
            kind=AuthorEvent.Kind.BREACH,
            message=action.message,
            actor=user,
            detail=action.kind,
        )
    if action.kind == "block" and action.block_days and action.undo_of_id is None:
        from civildesk.moderation.tasks import end_temporary_block

        expires = (action.applied_at or now) + timedelta(days=action.block_days)
        ModerationAction.objects.filter(pk=action.pk).update(expires_at=expires)
        action_id = action.pk
        transaction.on_commit(
            lambda: end_temporary_block.using(run_after=expires).enqueue(action_id=action_id)
        )
    if action.kind in {"block", "unblock"}:
        blocked = action.kind == "block"
        Author.objects.filter(pk=author.pk).update(blocked=blocked, blocked_at=now if blocked else None)
        AuthorEvent.objects.create(
            author=author,
            kind=AuthorEvent.Kind.BLOCK if blocked else AuthorEvent.Kind.UNBLOCK,
            message=action.message,
            actor=user,
            detail=action.reason[:500],
        )
    if action.undo_of_id is not None:
        original = ModerationAction.objects.select_for_update().get(pk=action.undo_of_id)
        before = _snapshot(original)
        original.state = states.next_state(original.state, "undone", actor_of(None), kind=original.kind)
        original.save(update_fields=["state"])
        _audit("undone", original, user, before, f"by action {action.pk}")
        if original.kind in states.REMOVALS:
            AuthorEvent.objects.filter(
                author=author, kind=AuthorEvent.Kind.BREACH, message=original.message
            ).delete()  # an overturned removal is no strike
        appeal = original.appeals.filter(status=Appeal.Status.OVERTURNED).first()
        if appeal is not None:
            plan_notice(action, restored_for=appeal)
    elif action.kind in states.NOTIFY_AFTER or action.kind == "notify_author":
        plan_notice(action)
    if action.kind in states.REMOVALS and not action.protected_override:
        _maybe_propose_block(action)


def _maybe_propose_block(action: ModerationAction) -> None:
    advice = block_advice(action.author)
    if not advice.recommend:
        return
    busy = ModerationAction.objects.filter(author=action.author, kind="block").exclude(
        state__in=("rejected", "undone", "failed")
    )
    if busy.exists():
        return
    block = ModerationAction.objects.create(
        message=action.message,
        author=action.author,
        kind="block",
        reason=f"{advice.strikes} confirmed breaches within {advice.expiry_days} days "
        f"(the policy blocks after {advice.block_after})",
        policy_version=action.policy_version,
    )
    _audit("proposed", block, None, {}, block.reason)


# --- notices ----------------------------------------------------------------------------------


def _clause(action: ModerationAction) -> str:
    decision = action.message.decision if action.message is not None else None
    if decision is not None and decision.clauses:
        return str(decision.clauses[0])
    return desk.policy().clauses["welcome"].text if "welcome" in desk.policy().clauses else ""


def _greeting(author: Author) -> str:
    return author_placeholder(author.platform, author.handle, author.display_name)


def _unique_reference() -> str:
    for _ in range(20):
        ref = notices.new_reference()
        if not AuthorNotice.objects.filter(reference=ref).exists():
            return ref
    raise RuntimeError("could not find a free notice reference")  # 31^6 codes: not in practice


RESTORED_TEXT = (
    "Hi {author}, we have looked again at our decision (reference {reference}) and reversed it. "
    "Thank you for getting in touch. If you want to discuss this further, e-mail {appeals_email}."
)


def plan_notice(action: ModerationAction, *, restored_for: Appeal | None = None) -> AuthorNotice:
    """Write the notice (clause quoted, how to dispute it) and send it once committed."""
    from civildesk.moderation.tasks import send_notice

    reference = _unique_reference()
    clause = _clause(action)
    author = _greeting(action.author)
    if restored_for is not None:
        templates = desk.templates()
        original_ref = restored_for.reference or reference
        if "notice_restored" in templates:
            text = desk.render_template(
                "notice_restored", author=author, reference=original_ref, clause=clause
            )
        else:
            text = RESTORED_TEXT.format(
                author=author,
                reference=original_ref,
                appeals_email=desk.policy().contacts.get("appeals_email", ""),
            )
    else:
        kind = action.kind
        if kind == "notify_author" and action.message is not None:
            # Telling the author on its own: name what was done to the post, if anything was.
            done = (
                ModerationAction.objects.filter(
                    message=action.message, state="applied", kind__in=states.ACTION_PAST
                )
                .order_by("-applied_at", "-pk")
                .first()
            )
            kind = done.kind if done is not None else kind
        template = "notice_blocked" if kind == "block" else "notice_removed"
        text = desk.render_template(
            template,
            author=author,
            clause=clause,
            action=states.ACTION_PAST.get(kind, "acted on"),
            reference=reference,
        )
    notice = AuthorNotice.objects.create(action=action, reference=reference, text=text, clause=clause)
    audit.record(
        "notice.planned",
        None,
        target_type="author_notice",
        target_id=notice.pk,
        after={"reference": reference, "action": action.pk},
        policy_version=action.policy_version,
    )
    transaction.on_commit(lambda: send_notice.enqueue(notice_id=notice.pk))
    return notice


# --- appeals -----------------------------------------------------------------------------------


class AppealNotFound(LookupError):
    pass


def add_working_days(start: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after ``start`` (the desk's hours and holidays)."""
    hours = desk.working_hours()
    day = hours.local(start).date()
    for _ in range(max(days, 1)):
        day = hours.next_working_day(day)
    return hours.at(day, hours.end)


def do_open_appeal(
    *,
    text: str,
    reference: str = "",
    action: ModerationAction | None = None,
    via: str = Appeal.Via.EMAIL,
    user: User | None = None,
) -> Appeal:
    """Open an appeal from a notice reference (the e-mail quoted it) or against an action."""
    # The role first: a viewer must not learn which references exist from the error it gets.
    if user is not None and not states.at_least(actor_of(user).role, "officer"):
        raise states.RoleRefused(actor_of(user).role, "officer", "log an appeal")
    notice = None
    if reference:
        notice = (
            AuthorNotice.objects.select_related("action")
            .filter(reference=notices.normalise_reference(reference))
            .first()
        )
        if notice is None:
            raise AppealNotFound(f"No notice has the reference {reference!r}")
        action = notice.action
    if action is None:
        raise AppealNotFound("An appeal needs a notice reference or an action")
    now = timezone.now()
    days = int(getattr(settings, "CIVILDESK_APPEAL_SLA_WORKING_DAYS", DEFAULT_APPEAL_WORKING_DAYS))
    with transaction.atomic():
        appeal = Appeal.objects.create(
            action=action,
            notice=notice,
            reference=notice.reference if notice else "",
            via=via,
            text=text.strip(),
            opened_by=user,
            opened_at=now,
            due_at=add_working_days(now, days),
        )
        audit.record(
            "appeal.opened",
            user,
            target_type="appeal",
            target_id=appeal.pk,
            after={"action": action.pk, "reference": appeal.reference, "via": via},
            reason=text[:500],
            policy_version=action.policy_version,
        )
        _case(action, "appeal", user, f"appeal opened ({appeal.reference or 'no reference'})")
    return appeal


def do_open_appeal_from_email(*, subject: str, body: str) -> Appeal:
    """An e-mail to the appeals address: matched by the reference it quotes (subject first)."""
    reference = notices.find_reference(subject) or notices.find_reference(body)
    if not reference:
        raise AppealNotFound("The e-mail quotes no notice reference (CD-XXXXXX); a person must match it")
    return do_open_appeal(text=f"{subject}\n\n{body}".strip(), reference=reference, via=Appeal.Via.EMAIL)


def do_decide_appeal(appeal: Appeal, user: User, *, outcome: str, reason: str) -> Appeal:
    """Upheld: the decision stands. Overturned: the action is undone and the author told."""
    if outcome not in (Appeal.Status.UPHELD, Appeal.Status.OVERTURNED):
        raise states.ModerationError(f"Unknown outcome {outcome!r}")
    actor = actor_of(user)
    if not states.at_least(actor.role, "moderator"):
        raise states.RoleRefused(actor.role, "moderator", "decide an appeal")
    if not reason.strip():
        raise states.ModerationError("Write down why: the author and any regulator will ask")
    with transaction.atomic():
        row = Appeal.objects.select_for_update(of=("self",)).select_related("action").get(pk=appeal.pk)
        if row.status != Appeal.Status.OPEN:
            raise states.ModerationError("This appeal has already been decided")
        row.status = outcome
        row.decided_by = user
        row.decided_at = timezone.now()
        row.outcome_reason = reason.strip()
        row.save()
        audit.record(
            f"appeal.{outcome}",
            user,
            target_type="appeal",
            target_id=row.pk,
            before={"status": "open"},
            after={"status": outcome},
            reason=reason,
            policy_version=row.action.policy_version,
        )
        if outcome == Appeal.Status.OVERTURNED:
            if states.UNDO.get(row.action.kind) and row.action.state == "applied":
                do_undo(row.action, user, reason=f"appeal {row.reference or row.pk} overturned: {reason}")
            else:
                # Nothing to undo on the platform (a delete, or never applied): still tell them.
                plan_notice(row.action, restored_for=row)
    appeal.refresh_from_db()
    return appeal


# --- legal hold -------------------------------------------------------------------------------


def _hold(message: Message, user: User | None, reason: str) -> LegalHold:
    hold = LegalHold.objects.create(message=message, reason=reason, placed_by=user)
    audit.record(
        "hold.placed",
        user,
        target_type="message",
        target_id=message.pk,
        after={"hold": hold.pk},
        reason=reason,
    )
    return hold


def do_place_hold(message: Message, user: User, *, reason: str) -> LegalHold:
    if not states.at_least(actor_of(user).role, "moderator"):
        raise states.RoleRefused(actor_of(user).role, "moderator", "place a legal hold")
    with transaction.atomic():
        return _hold(message, user, reason)


def do_release_hold(hold: LegalHold, user: User, *, reason: str) -> LegalHold:
    if not states.at_least(actor_of(user).role, "admin"):
        raise states.RoleRefused(actor_of(user).role, "admin", "release a legal hold")
    with transaction.atomic():
        hold.released_at = timezone.now()
        hold.save(update_fields=["released_at"])
        audit.record(
            "hold.released",
            user,
            target_type="message",
            target_id=hold.message_id,
            after={"hold": hold.pk},
            reason=reason,
        )
    return hold


# --- repeat behaviour and counts (read-only; the dashboard and reports call these) ------------


@dataclass(frozen=True, slots=True)
class BlockAdvice:
    strikes: int
    block_after: int
    expiry_days: int

    @property
    def recommend(self) -> bool:
        return self.block_after > 0 and self.strikes >= self.block_after


def block_advice(author: Author, now: datetime | None = None) -> BlockAdvice:
    """The author's unexpired strikes against the policy's ``strikes`` settings."""
    strikes_cfg = desk.policy().strikes
    expiry = int(strikes_cfg.get("expiry_days", 90))
    block_after = int(strikes_cfg.get("block_after", 3))
    return BlockAdvice(author.strikes(within_days=expiry, now=now), block_after, expiry)


def protected_override_count(since: datetime | None = None) -> int:
    """Removals of posts with no breach label that a moderator pushed through with a reason."""
    rows = ModerationAction.objects.filter(protected_override=True).exclude(
        state__in=("proposed", "rejected")
    )
    if since is not None:
        rows = rows.filter(proposed_at__gte=since)
    return rows.count()


def appeal_counts(since: datetime | None = None) -> dict[str, int]:
    rows: QuerySet[Appeal] = Appeal.objects.all()
    if since is not None:
        rows = rows.filter(opened_at__gte=since)
    totals = rows.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=Appeal.Status.OPEN)),
        upheld=Count("pk", filter=Q(status=Appeal.Status.UPHELD)),
        overturned=Count("pk", filter=Q(status=Appeal.Status.OVERTURNED)),
        overdue=Count("pk", filter=Q(status=Appeal.Status.OPEN, due_at__lt=timezone.now())),
    )
    return {k: int(v or 0) for k, v in totals.items()}
