"""One door for every change to a scheduled post: compose, edit, approve, return, cancel, retry,
resolve. Each runs in one transaction, writes the post's history and queues the publish tasks
in that same transaction (the task queue is the database), so a post is never saved without
its task or queued without being saved. Views and the API check the role and call these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from civildesk.inbox.models import Account
from civildesk.publishing import rules, tasks
from civildesk.publishing.models import PostEvent, PostTarget, ScheduledPost

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class PostInvalid(ValueError):
    """The post breaks a platform's rules; ``problems`` says which and why."""

    def __init__(self, problems: Sequence[rules.Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


class NotAllowed(PermissionError):
    """The change is not possible in the post's state or for this person."""


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    account_ids: tuple[int, ...]
    scheduled_at: datetime
    media_url: str = ""
    needs_approval: bool = False


def _accounts(ids: Iterable[int]) -> list[Account]:
    wanted = list(dict.fromkeys(ids))
    found = {a.pk: a for a in Account.objects.filter(pk__in=wanted, active=True)}
    return [found[i] for i in wanted if i in found]


def check(draft: Draft, *, now: datetime | None = None) -> list[rules.Problem]:
    """Everything wrong with the draft for the platforms it targets (empty when it can be saved)."""
    now = now or timezone.now()
    accounts = _accounts(draft.account_ids)
    problems: list[rules.Problem] = []
    if not accounts:
        problems.append(rules.Problem("", "accounts", "choose at least one connected account"))
    elif len(accounts) != len(set(draft.account_ids)):
        problems.append(rules.Problem("", "accounts", "an account chosen is not connected any more"))
    media = draft.media_url.strip()
    if media and not media.lower().startswith("https://"):
        problems.append(rules.Problem("", "media_url", "the image address must start with https://"))
    problems += rules.validate_all(
        [a.platform for a in accounts],
        draft.text,
        media_url=draft.media_url,
        scheduled_at=draft.scheduled_at,
        now=now,
    )
    return problems


def _record(post: ScheduledPost, event: str, actor: User | None, detail: str = "") -> None:
    PostEvent.objects.create(post=post, actor=actor, event=event, detail=detail)


def _queue_all(post: ScheduledPost, now: datetime) -> None:
    for target in post.targets.filter(state=PostTarget.State.PENDING).select_related("post"):
        tasks.enqueue(target, target.next_attempt_at or post.scheduled_at, now=now)


def _lock(post: ScheduledPost) -> ScheduledPost:
    """Lock the post and its targets: a publish task claims a target under the target's lock and
    checks the post's version there, so an edit or a cancel and a claim never interleave."""
    locked = ScheduledPost.objects.select_for_update().get(pk=post.pk)
    list(PostTarget.objects.select_for_update().filter(post=locked).order_by("pk"))
    return locked


def create_post(author: User, draft: Draft, *, now: datetime | None = None) -> ScheduledPost:
    now = now or timezone.now()
    problems = check(draft, now=now)
    if problems:
        raise PostInvalid(problems)
    with transaction.atomic():
        post = ScheduledPost.objects.create(
            author=author,
            text=draft.text.strip(),
            media_url=draft.media_url.strip(),
            scheduled_at=draft.scheduled_at,
            needs_approval=draft.needs_approval,
            state=ScheduledPost.State.AWAITING_APPROVAL
            if draft.needs_approval
            else ScheduledPost.State.SCHEDULED,
            created_at=now,
            updated_at=now,
        )
        for account in _accounts(draft.account_ids):
            PostTarget.objects.create(post=post, account=account)
        _record(post, "created", author, f"for {draft.scheduled_at.isoformat()}")
        if post.state == ScheduledPost.State.SCHEDULED:
            _queue_all(post, now)
    return post


def update_post(
    post: ScheduledPost, actor: User, draft: Draft, *, now: datetime | None = None
) -> ScheduledPost:
    """Change the words, time, image, accounts or approval of a post not yet being published.
    An edit of an approved post needs approving again."""
    now = now or timezone.now()
    problems = check(draft, now=now)
    if problems:
        raise PostInvalid(problems)
    with transaction.atomic():
        locked = _lock(post)
        if not locked.editable:
            raise NotAllowed("publishing has started: this post can no longer be changed")
        wanted = {a.pk: a for a in _accounts(draft.account_ids)}
        for target in locked.targets.all():
            if target.account_id not in wanted:
                target.delete()
            elif target.state == PostTarget.State.CANCELLED:
                target.state = PostTarget.State.PENDING
                target.save(update_fields=["state"])
        existing = set(locked.targets.values_list("account_id", flat=True))
        for pk, account in wanted.items():
            if pk not in existing:
                PostTarget.objects.create(post=locked, account=account)
        locked.text = draft.text.strip()
        locked.media_url = draft.media_url.strip()
        locked.scheduled_at = draft.scheduled_at
        locked.needs_approval = draft.needs_approval
        locked.version += 1
        locked.updated_at = now
        locked.approved_by, locked.approved_at = None, None
        locked.state = (
            ScheduledPost.State.AWAITING_APPROVAL if draft.needs_approval else ScheduledPost.State.SCHEDULED
        )
        locked.save()
        locked.targets.update(next_attempt_at=None, last_enqueued_at=None)
        _record(locked, "edited", actor, f"version {locked.version}, for {draft.scheduled_at.isoformat()}")
        if locked.state == ScheduledPost.State.SCHEDULED:
            _queue_all(locked, now)
    return locked


def approve(post: ScheduledPost, approver: User, *, now: datetime | None = None) -> ScheduledPost:
    now = now or timezone.now()
    with transaction.atomic():
        locked = ScheduledPost.objects.select_for_update().get(pk=post.pk)
        if locked.state != ScheduledPost.State.AWAITING_APPROVAL:
            raise NotAllowed(f"this post is {locked.get_state_display().lower()}, not awaiting approval")
        if locked.author_id == approver.pk:
            raise NotAllowed("a post needs someone other than its author to approve it")
        platforms = [t.account.platform for t in locked.targets.select_related("account")]
        late = [
            p
            for p in rules.validate_all(
                platforms, locked.text, media_url=locked.media_url, scheduled_at=locked.scheduled_at, now=now
            )
            if p.field == "scheduled_at"
        ]
        if late:
            raise PostInvalid(late)
        locked.state = ScheduledPost.State.SCHEDULED
        locked.approved_by, locked.approved_at = approver, now
        locked.review_note = ""
        locked.save(update_fields=["state", "approved_by", "approved_at", "review_note"])
        _record(locked, "approved", approver)
        _queue_all(locked, now)
    return locked


def reject(post: ScheduledPost, reviewer: User, note: str) -> ScheduledPost:
    note = note.strip()
    if not note:
        raise NotAllowed("say what needs changing, so the author can fix it")
    with transaction.atomic():
        locked = ScheduledPost.objects.select_for_update().get(pk=post.pk)
        if locked.state != ScheduledPost.State.AWAITING_APPROVAL:
            raise NotAllowed("only a post awaiting approval can be returned")
        locked.state = ScheduledPost.State.REJECTED
        locked.review_note = note[:2000]
        locked.save(update_fields=["state", "review_note"])
        _record(locked, "returned", reviewer, note[:500])
    return locked


def cancel(post: ScheduledPost, actor: User) -> ScheduledPost:
    """Stop whatever has not started publishing; what is already out stays out."""
    with transaction.atomic():
        locked = _lock(post)
        if locked.state == ScheduledPost.State.CANCELLED:
            return locked
        stopped = locked.targets.filter(state__in=(PostTarget.State.PENDING, PostTarget.State.FAILED)).update(
            state=PostTarget.State.CANCELLED
        )
        locked.state = ScheduledPost.State.CANCELLED
        locked.version += 1  # queued tasks become stale
        locked.save(update_fields=["state", "version"])
        _record(locked, "cancelled", actor, f"{stopped} account(s) not published")
    return locked


def retry_target(target: PostTarget, actor: User, *, now: datetime | None = None) -> PostTarget:
    """Try a failed target again, now (the author or a colleague fixed the cause)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = PostTarget.objects.select_for_update(of=("self",)).select_related("post").get(pk=target.pk)
        if locked.state != PostTarget.State.FAILED:
            raise NotAllowed("only a failed account can be tried again")
        if locked.post.state != ScheduledPost.State.SCHEDULED:
            raise NotAllowed("the post is not scheduled")
        _requeue(locked, now)
        PostEvent.objects.create(
            post=locked.post, target=locked, actor=actor, event="retry_requested", at=now
        )
    return locked


def _requeue(target: PostTarget, now: datetime) -> None:
    target.state = PostTarget.State.PENDING
    target.next_attempt_at = now
    target.attempts = 0
    target.save(update_fields=["state", "next_attempt_at", "attempts"])
    tasks.enqueue(target, now, now=now)


def resolve_unknown(
    target: PostTarget,
    actor: User,
    *,
    outcome: str,
    platform_post_id: str = "",
    note: str = "",
    now: datetime | None = None,
) -> PostTarget:
    """A person checked the platform for a target in doubt and says what they found:
    ``published`` (give its id or link), ``not_published`` (publish it now) or ``give_up``."""
    now = now or timezone.now()
    if outcome not in {"published", "not_published", "give_up"}:
        raise NotAllowed(f"unknown outcome {outcome!r}")
    with transaction.atomic():
        locked = PostTarget.objects.select_for_update(of=("self",)).select_related("post").get(pk=target.pk)
        if locked.state != PostTarget.State.UNKNOWN:
            raise NotAllowed("only an account in doubt needs resolving")
        locked.resolved_by, locked.resolved_at = actor, now
        detail = note.strip()[:500]
        if outcome == "published":
            locked.state = PostTarget.State.PUBLISHED
            locked.platform_post_id = platform_post_id.strip()[:200] or locked.platform_post_id
            locked.published_at = locked.published_at or locked.claimed_at or now
            locked.save(
                update_fields=["state", "platform_post_id", "published_at", "resolved_by", "resolved_at"]
            )
        elif outcome == "give_up":
            locked.state = PostTarget.State.CANCELLED
            locked.save(update_fields=["state", "resolved_by", "resolved_at"])
        else:
            if locked.post.state != ScheduledPost.State.SCHEDULED:
                raise NotAllowed("the post is not scheduled")
            locked.save(update_fields=["resolved_by", "resolved_at"])
            _requeue(locked, now)
        PostEvent.objects.create(
            post=locked.post, target=locked, actor=actor, event=f"resolved_{outcome}", detail=detail, at=now
        )
    return locked


def feedback(post: ScheduledPost) -> dict[str, Any]:
    """What people said about this post: replies and comments to it on every account it went to,
    with their labels (praise and criticism counted)."""
    from django.db.models import Q

    from civildesk.inbox.models import Message

    query = Q(pk__in=[])
    for target in post.targets.filter(state=PostTarget.State.PUBLISHED).exclude(platform_post_id=""):
        pid = target.platform_post_id
        query |= Q(account_id=target.account_id) & (Q(parent_platform_id=pid) | Q(thread_id=pid))
    replies = list(
        Message.objects.filter(query).exclude(kind="dm").select_related("author").order_by("posted_at", "pk")
    )
    counts = {
        label: sum(1 for m in replies if label in (m.labels or []))
        for label in ("praise", "criticism", "complaint", "question")
    }
    return {"replies": replies, "counts": counts, "total": len(replies)}
