"""Moderation: actions (proposed, approved, applied, undone), author notices, appeals, legal holds,
the append-only hash-chained audit log and the retention runs.

Every change goes through ``civildesk.moderation.services``; nothing here changes state itself.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from civildesk.moderation.states import ACTION_LABELS, STATE_LABELS


class ModerationAction(models.Model):
    message = models.ForeignKey(
        "inbox.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="moderation_actions"
    )
    author = models.ForeignKey("inbox.Author", on_delete=models.PROTECT, related_name="moderation_actions")
    kind = models.CharField(max_length=24, choices=list(ACTION_LABELS.items()))
    state = models.CharField(max_length=16, choices=list(STATE_LABELS.items()), default="proposed")
    permanent = models.BooleanField(default=False)  # blocks only; needs the two-person rule
    block_days = models.PositiveIntegerField(null=True, blank=True)  # a temporary block's length
    expires_at = models.DateTimeField(null=True, blank=True)  # set when a temporary block is applied
    reason = models.TextField(blank=True)
    # A removal of a post with no breach label: the moderator's written reason, counted.
    override_reason = models.TextField(blank=True)
    protected_override = models.BooleanField(default=False)
    undo_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="undone_by"
    )
    policy_version = models.CharField(max_length=100, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(  # who rejected, or who recorded the hand-done task
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    connector = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    # For report / escalation / unsupported actions: what the person has to do, pre-filled.
    human_task = models.TextField(blank=True)

    class Meta:
        ordering = ("-proposed_at", "-pk")
        indexes = (models.Index(fields=["state", "proposed_at"], name="modaction_state_idx"),)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"


class AuthorNotice(models.Model):
    """What the author was told (or why they could not be told), with a reference for appeals."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        NOT_SENT = "not_sent", "Could not be sent"

    action = models.ForeignKey(ModerationAction, on_delete=models.PROTECT, related_name="notices")
    reference = models.CharField(max_length=16, unique=True)
    channel = models.CharField(max_length=24, blank=True)  # private_reply | dm | ""
    text = models.TextField()
    clause = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True)  # why it could not be sent
    connector = models.CharField(max_length=100, blank=True)
    platform_reply_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "pk")


class Appeal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld (decision stands)"
        OVERTURNED = "overturned", "Overturned (action undone)"

    class Via(models.TextChoices):
        EMAIL = "email", "E-mail"
        STAFF = "staff", "Entered by staff"

    action = models.ForeignKey(ModerationAction, on_delete=models.PROTECT, related_name="appeals")
    notice = models.ForeignKey(AuthorNotice, null=True, blank=True, on_delete=models.SET_NULL)
    reference = models.CharField(max_length=16, blank=True)
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.EMAIL)
    text = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)

    class Meta:
        ordering = ("due_at", "pk")


class LegalHold(models.Model):
    """Evidence kept past retention because the police or lawyers may need it."""

    message = models.ForeignKey("inbox.Message", on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-placed_at",)


class RetentionRun(models.Model):
    at = models.DateTimeField(default=timezone.now)
    dry_run = models.BooleanField(default=False)
    message_bodies = models.PositiveIntegerField(default=0)
    authors = models.PositiveIntegerField(default=0)
    kept_on_hold = models.PositiveIntegerField(default=0)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ("-at",)


class AppendOnlyError(RuntimeError):
    """The audit log is append-only: rows are never changed or removed through the application."""


class AuditQuerySet(QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit rows cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit rows cannot be deleted")


class AuditHead(models.Model):
    """One row: the last sequence number and hash. Locking it orders concurrent appends, and it
    lets ``audit verify`` notice when the newest rows were deleted."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied so the hash never depends on a user row that may later be renamed or removed.
    actor_name = models.CharField(max_length=200)
    event = models.CharField(max_length=48)
    target_type = models.CharField(max_length=48)
    target_id = models.CharField(max_length=64)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    policy_version = models.CharField(max_length=100, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ("seq",)
        indexes = (models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit rows cannot be deleted")
