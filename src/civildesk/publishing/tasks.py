"""Publishing at the due time, exactly once, on Django's task queue (django-tasks-db).

``publish_target`` runs at the post's time for one account. The steps, each its own transaction:

1. **Claim**: lock the target row; go on only if it is ``pending``, the task belongs to the post's
   current version, the post is approved and due, and a retry's back-off has passed. Mark it
   ``sending`` with the time and the attempt, and commit *before* the platform is called. A
   second run of the task (a duplicate, a retry, a redelivery) finds it ``sending`` or
   ``published`` and does nothing.
2. **Call the platform** outside any transaction (a slow platform must not hold a lock).
3. **Record** what the platform said: ``published`` with its id; a retryable error
   (``Transient``, ``RateLimited``) puts it back to ``pending`` with a back-off and queues the
   retry; any other ``ConnectorError`` makes it ``failed``; anything unexpected makes it
   ``unknown``, since the platform may have accepted the post before the error.

If the worker dies between 1 and 3, the target stays ``sending``. ``reconcile`` (run by every
publishing task and whenever the desk shows scheduled posts) turns a ``sending`` claim older than
``SENDING_LEASE`` into ``unknown``: a person looks at the platform and says whether the post went
out. Nothing re-posts it on its own. ``reconcile`` also re-queues a ``pending`` target whose task
never ran (a worker killed before it could claim), which is safe because of the claim.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskContext, task

from civildesk.inbox.connectors import ConnectorError
from civildesk.publishing import publisher
from civildesk.publishing.models import PostEvent, PostTarget, ScheduledPost

log = logging.getLogger("civildesk.publishing")

MAX_ATTEMPTS = 5
# Longer than any platform call may take (the connectors time out well before): a claim older
# than this belongs to a worker that died.
SENDING_LEASE = timedelta(minutes=10)
# A pending target this far past its time has lost its task (its worker died before claiming).
LOST_TASK_AFTER = timedelta(minutes=10)
# A post found this late (the worker was down for hours) is not published unasked.
TOO_LATE = timedelta(hours=6)
# A RateLimited retry further away than this is treated as a failure a person should see.
MAX_RATE_LIMIT_WAIT = timedelta(hours=24)


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=30 * 2 ** max(attempt - 1, 0))


def enqueue(target: PostTarget, run_after: datetime, *, now: datetime | None = None) -> None:
    """Queue the publish task for ``target`` (call inside the transaction that changed it)."""
    version = target.post.version
    publish_target.using(run_after=run_after).enqueue(target_id=target.pk, version=version)
    PostTarget.objects.filter(pk=target.pk).update(last_enqueued_at=now or timezone.now())


def _event(target: PostTarget, event: str, detail: str = "", at: datetime | None = None) -> None:
    PostEvent.objects.create(
        post_id=target.post_id, target=target, event=event, detail=detail, at=at or timezone.now()
    )


@task(takes_context=True)
def publish_target(context: TaskContext, target_id: int, version: int) -> str:
    return publish_now(target_id, version, worker=f"task {context.task_result.id}")


def publish_now(target_id: int, version: int, *, worker: str = "inline", now: datetime | None = None) -> str:
    """Claim, publish, record (the module docstring). Returns what happened, for the task result."""
    now = now or timezone.now()
    reconcile(now=now)
    claimed = _claim(target_id, version, worker, now)
    if isinstance(claimed, str):
        return claimed
    target = claimed
    post = target.post
    account = target.account
    try:
        connector = publisher.connector_for(account.platform, account.platform_account_id)
        platform_id = publisher.publish(
            connector,
            account.platform_account_id,
            post.text,
            idempotency_key=str(target.idempotency_key),
            media_url=post.media_url,
        )
    except ConnectorError as exc:
        if not getattr(exc, "in_doubt", False):
            return _record_error(target, exc)
        # The request went out but the answer was lost (civildesk.platforms.errors.AnswerLost):
        # the platform may have published it, and sending again could post it twice. A person checks.
        message = f"{type(exc).__name__}: {exc}: check the platform before publishing again"[:2000]
        with transaction.atomic():
            PostTarget.objects.filter(pk=target.pk, state=PostTarget.State.SENDING).update(
                state=PostTarget.State.UNKNOWN, last_error=message
            )
            _event(target, "unknown", message[:500])
        log.warning("publishing target %s is in doubt: %s", target_id, message)
        return "unknown"
    except Exception as exc:
        # Not a platform answer: the post may or may not be out there. A person checks.
        log.exception("publishing target %s failed unexpectedly", target_id)
        with transaction.atomic():
            PostTarget.objects.filter(pk=target.pk, state=PostTarget.State.SENDING).update(
                state=PostTarget.State.UNKNOWN, last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            _event(target, "unknown", f"unexpected error while publishing: {type(exc).__name__}: {exc}"[:500])
        return "unknown"
    finished = timezone.now()
    with transaction.atomic():
        updated = PostTarget.objects.filter(pk=target.pk, state=PostTarget.State.SENDING).update(
            state=PostTarget.State.PUBLISHED,
            platform_post_id=platform_id[:200],
            published_at=finished,
            connector=getattr(connector, "name", type(connector).__name__)[:200],
            last_error="",
        )
        if updated:
            _event(target, "published", f"{platform_id} via {getattr(connector, 'name', '')}", at=finished)
        else:
            # The claim was reconciled to `unknown` while the platform took its time: record the
            # platform's answer so the person resolving it sees it.
            PostTarget.objects.filter(pk=target.pk, state=PostTarget.State.UNKNOWN).update(
                last_error=f"the platform later answered with post id {platform_id}"[:2000]
            )
            _event(target, "late_answer", f"published as {platform_id} after the claim expired")
    return "published" if updated else "late"


def _claim(target_id: int, version: int, worker: str, now: datetime) -> PostTarget | str:
    with transaction.atomic():
        target = (
            PostTarget.objects.select_for_update(of=("self",))
            .select_related("post", "account")
            .filter(pk=target_id)
            .first()
        )
        if target is None:
            return "missing"
        # Read the post again now that the target is locked: an edit or cancel that held the lock
        # has committed by now, and this statement sees it.
        post = ScheduledPost.objects.get(pk=target.post_id)
        target.post = post
        if post.version != version:
            return "stale"  # the post was edited; the new version has its own task
        if target.state != PostTarget.State.PENDING:
            return f"skipped ({target.state})"
        if post.state != ScheduledPost.State.SCHEDULED:
            return f"skipped (post {post.state})"
        due = target.next_attempt_at or post.scheduled_at
        if now < due - timedelta(seconds=1):
            enqueue(target, due, now=now)  # came early (clock skew, manual run): come back on time
            return "early"
        # (A retry, or a person's "publish now", sets next_attempt_at: those are wanted now.)
        if target.next_attempt_at is None and now - post.scheduled_at > TOO_LATE:
            target.state = PostTarget.State.FAILED
            target.last_error = (
                f"not published: found {now - post.scheduled_at} after its time (was the worker running?)"
            )
            target.save(update_fields=["state", "last_error"])
            _event(target, "failed", target.last_error, at=now)
            return "too late"
        if not target.account.active:
            target.state = PostTarget.State.FAILED
            target.last_error = "the account is no longer connected"
            target.save(update_fields=["state", "last_error"])
            _event(target, "failed", target.last_error, at=now)
            return "failed"
        target.state = PostTarget.State.SENDING
        target.claimed_at = now
        target.claimed_by = worker[:200]
        target.attempts += 1
        target.next_attempt_at = None
        target.save(update_fields=["state", "claimed_at", "claimed_by", "attempts", "next_attempt_at"])
        _event(target, "claimed", f"attempt {target.attempts} by {worker}", at=now)
    return target


def _record_error(target: PostTarget, exc: ConnectorError) -> str:
    now = timezone.now()
    message = f"{type(exc).__name__}: {exc}"[:2000]
    with transaction.atomic():
        locked = PostTarget.objects.select_for_update(of=("self",)).select_related("post").get(pk=target.pk)
        if locked.state != PostTarget.State.SENDING:
            return f"skipped ({locked.state})"
        wait_until = publisher.retry_at(exc)
        retry = publisher.is_retryable(exc) and locked.attempts < MAX_ATTEMPTS
        if retry and wait_until is not None and wait_until - now > MAX_RATE_LIMIT_WAIT:
            retry = False
            message += f" (the platform asks to wait until {wait_until:%Y-%m-%d %H:%M})"
        locked.last_error = message
        if retry:
            when = max(wait_until or now, now + backoff(locked.attempts))
            locked.state = PostTarget.State.PENDING
            locked.next_attempt_at = when
            locked.save(update_fields=["state", "last_error", "next_attempt_at"])
            _event(locked, "retry", f"{message}; trying again at {when:%H:%M:%S}", at=now)
            enqueue(locked, when, now=now)
            return "retrying"
        locked.state = PostTarget.State.FAILED
        locked.save(update_fields=["state", "last_error"])
        _event(locked, "failed", message, at=now)
    log.warning("publishing target %s failed: %s", target.pk, message)
    return "failed"


def reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """Expire dead claims to ``unknown``; re-queue pending targets whose task was lost."""
    now = now or timezone.now()
    expired = 0
    requeued = 0
    stale = PostTarget.objects.filter(state=PostTarget.State.SENDING, claimed_at__lt=now - SENDING_LEASE)
    for pk in list(stale.values_list("pk", flat=True)[:200]):
        with transaction.atomic():
            target = PostTarget.objects.select_for_update().filter(pk=pk).first()
            if target is None or target.state != PostTarget.State.SENDING or target.claimed_at is None:
                continue
            if target.claimed_at >= now - SENDING_LEASE:
                continue
            target.state = PostTarget.State.UNKNOWN
            target.last_error = (
                f"no answer recorded since {target.claimed_at:%Y-%m-%d %H:%M} (the worker stopped while "
                "publishing): check the platform before publishing again"
            )
            target.save(update_fields=["state", "last_error"])
            _event(target, "unknown", target.last_error, at=now)
            expired += 1
    lost = PostTarget.objects.filter(
        state=PostTarget.State.PENDING,
        post__state=ScheduledPost.State.SCHEDULED,
        post__scheduled_at__lt=now - LOST_TASK_AFTER,
        last_enqueued_at__lt=now - LOST_TASK_AFTER,
    ).exclude(next_attempt_at__gt=now - LOST_TASK_AFTER)
    for target in lost.select_related("post")[:200]:
        with transaction.atomic():
            enqueue(target, now, now=now)
            _event(target, "requeued", "its publish task never ran; queued again", at=now)
            requeued += 1
    return {"unknown": expired, "requeued": requeued}
