"""Scheduled posts: composed once, published to one or more of the organisation's accounts.

A ``ScheduledPost`` holds the words, the time and the approval; each account it goes to is a
``PostTarget`` with its own publishing state, because one platform can accept the post while
another refuses it. Every change is written to ``PostEvent`` next to it.

Publishing state of a target (see ``tasks.publish_target`` for how it moves):

    pending ──claim──► sending ──platform said yes──► published
       ▲                  │   └─platform said no (for good)──► failed ──retry──► pending
       └─retryable error──┘
                          └─ worker died / nothing recorded in time ──► unknown
                                   (a person checks the platform and resolves it)

``unknown`` is never retried automatically: the platform may or may not have the post, and
posting it again blindly could publish it twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from civildesk.inbox.models import Account


class ScheduledPost(models.Model):
    class State(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        SCHEDULED = "scheduled", "Scheduled"
        REJECTED = "rejected", "Returned by the approver"
        CANCELLED = "cancelled", "Cancelled"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scheduled_posts"
    )
    text = models.TextField()
    media_url = models.URLField(max_length=1000, blank=True)
    scheduled_at = models.DateTimeField()
    needs_approval = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.SCHEDULED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    # Bumped by every edit: a publish task queued for an older version does nothing.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("scheduled_at", "pk")
        indexes = (models.Index(fields=["scheduled_at"], name="post_scheduled_idx"),)

    def __str__(self) -> str:
        return f"post {self.pk} at {self.scheduled_at:%Y-%m-%d %H:%M}"

    @property
    def outcome(self) -> str:
        """One word for lists and the calendar, from the approval and the targets' states."""
        if self.state != self.State.SCHEDULED:
            return str(self.state)
        states = {t.state for t in self.targets.all()}
        for state in (PostTarget.State.UNKNOWN, PostTarget.State.FAILED, PostTarget.State.SENDING):
            if state in states:
                return str(state)
        if states and states <= {PostTarget.State.PUBLISHED, PostTarget.State.CANCELLED}:
            return "published" if PostTarget.State.PUBLISHED in states else "cancelled"
        return "scheduled"

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    @property
    def editable(self) -> bool:
        """Words, time and accounts may change until any account has started publishing."""
        if self.state in (self.State.CANCELLED,):
            return False
        return all(
            t.state in (PostTarget.State.PENDING, PostTarget.State.CANCELLED) for t in self.targets.all()
        )


OUTCOME_LABELS: dict[str, str] = {
    "awaiting_approval": "Awaiting approval",
    "rejected": "Returned by the approver",
    "cancelled": "Cancelled",
    "scheduled": "Scheduled",
    "sending": "Publishing now",
    "published": "Published",
    "failed": "Failed",
    "unknown": "Check the platform",
}


class PostTargetQuerySet(models.QuerySet["PostTarget"]):
    def needing_attention(self) -> PostTargetQuerySet:
        """Failed, or in doubt: a person has to look (shown to the author and on the dashboard)."""
        return self.filter(
            Q(state=PostTarget.State.UNKNOWN)
            | (Q(state=PostTarget.State.FAILED) & ~Q(post__state=ScheduledPost.State.CANCELLED))
        )


class PostTarget(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for its time"
        SENDING = "sending", "Being published"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Unknown: check the platform"
        CANCELLED = "cancelled", "Cancelled"

    post = models.ForeignKey(ScheduledPost, on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="scheduled_targets")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    # Sent to the platform where its connector accepts one, and kept for the audit either way.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    platform_post_id = models.CharField(max_length=200, blank=True)
    connector = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = PostTargetQuerySet.as_manager()

    class Meta:
        ordering = ("post", "account__platform", "pk")
        constraints = (models.UniqueConstraint(fields=["post", "account"], name="one_target_per_account"),)
        indexes = (models.Index(fields=["state", "claimed_at"], name="post_target_state_idx"),)

    def __str__(self) -> str:
        return f"{self.post_id} → {self.account}"

    @property
    def platform(self) -> str:
        return self.account.platform


class PostEvent(models.Model):
    """The post's history: created, edited, approved, claimed, published, failed, resolved."""

    post = models.ForeignKey(ScheduledPost, on_delete=models.CASCADE, related_name="events")
    target = models.ForeignKey(
        PostTarget, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    event = models.CharField(max_length=32)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "pk")


def attention_for(user_id: int | None = None) -> PostTargetQuerySet:
    qs = PostTarget.objects.needing_attention().select_related("post__author", "account")
    return qs.filter(post__author_id=user_id) if user_id is not None else qs


def posts_between(start: datetime, end: datetime) -> models.QuerySet[ScheduledPost]:
    return (
        ScheduledPost.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end)
        .filter(~Q(state=ScheduledPost.State.CANCELLED))
        .select_related("author")
        .prefetch_related("targets__account")
    )
