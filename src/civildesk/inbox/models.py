"""The inbox: organisation accounts, authors, messages with their history, decisions and the
work done on each message (assignments, notes, replies, on-call alerts, the case history).

Message text is attacker-controlled. It is stored verbatim and only ever rendered escaped.
Nothing here is deleted when the platform deletes or edits a post: the history is kept as
``MessageRevision`` rows and the message is flagged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from civildesk.inbox.triage import STATUSES, WAITING


class Platform(models.TextChoices):
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"


class Kind(models.TextChoices):
    MENTION = "mention", "Mention"
    REPLY = "reply", "Reply"
    COMMENT = "comment", "Comment"
    DM = "dm", "Direct message"


class Priority(models.TextChoices):
    P1 = "P1", "P1 crisis"
    P2 = "P2", "P2 threat / personal information"
    P3 = "P3", "P3 breach"
    P4 = "P4", "P4 needs a reply"
    P5 = "P5", "P5 other"


STATUS_CHOICES = [(s, s.capitalize()) for s in STATUSES]


class Account(models.Model):
    """One of the organisation's own accounts (a Page, a profile, an organisation page)."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    platform_account_id = models.CharField(max_length=200)
    handle = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["platform", "platform_account_id"], name="account_unique_per_platform"
            ),
        )
        ordering = ("platform", "handle")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.handle or self.platform_account_id}"


class Author(models.Model):
    """Someone who wrote to the organisation, with their standing on the desk."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    platform_user_id = models.CharField(max_length=200)
    handle = models.CharField(max_length=200, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    blocked = models.BooleanField(default=False)
    blocked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["platform", "platform_user_id"], name="author_unique_per_platform"
            ),
        )

    def __str__(self) -> str:
        return self.handle or self.display_name or self.platform_user_id

    @property
    def shown_name(self) -> str:
        if self.handle and self.display_name and self.display_name != self.handle:
            return f"{self.display_name} ({self.handle})"
        return str(self)

    def strikes(self, *, within_days: int, now: datetime | None = None) -> int:
        """Confirmed breaches that still count towards a block (they expire under the policy)."""
        since = (now or timezone.now()) - timedelta(days=within_days)
        return self.events.filter(kind=AuthorEvent.Kind.BREACH, at__gte=since).count()


class AuthorEvent(models.Model):
    """The author's history: confirmed breaches, blocks and unblocks."""

    class Kind(models.TextChoices):
        BREACH = "breach", "Confirmed breach"
        BLOCK = "block", "Blocked"
        UNBLOCK = "unblock", "Unblocked"

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ("-at",)


class MessageQuerySet(QuerySet["Message"]):
    def triage_order(self) -> MessageQuerySet:
        """P1 crisis always first, then the SLA due time; priority and arrival break ties."""
        return self.annotate(
            crisis_rank=Case(
                When(priority=Priority.P1, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("crisis_rank", "due_at", "priority", "received_at", "pk")

    def waiting(self) -> MessageQuerySet:
        return self.filter(status__in=WAITING)

    def with_label(self, label: str) -> MessageQuerySet:
        return self.filter(label_index__contains=f"|{label}|")

    def breached(self, now: datetime | None = None) -> MessageQuerySet:
        return self.waiting().filter(due_at__lt=now or timezone.now())


class Message(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="messages")
    platform = models.CharField(
        max_length=16, choices=Platform.choices
    )  # copied from the account for filters
    platform_id = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.TextField(blank=True)
    thread_id = models.CharField(max_length=200, blank=True)
    parent_platform_id = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    raw = models.JSONField(default=dict, blank=True)

    posted_at = models.DateTimeField()  # the platform's timestamp
    received_at = models.DateTimeField(default=timezone.now)  # when the desk stored it
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)  # deleted on the platform
    revision = models.PositiveIntegerField(default=1)

    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default="open")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_messages",
    )
    # Copied from the latest decision so the queue sorts and filters in the database.
    priority = models.CharField(max_length=2, choices=Priority.choices, blank=True)
    labels = models.JSONField(default=list, blank=True)
    # "|hate|profanity|": a plain-text copy of the labels so the label filter is one portable
    # LIKE on SQLite and PostgreSQL alike (JSON containment differs between them).
    label_index = models.CharField(max_length=400, blank=True)
    decision = models.ForeignKey(
        "Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    classified_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    auto_replied_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["account", "platform_id"], name="message_unique_per_account"),
        )
        indexes = (
            models.Index(fields=["status", "due_at"], name="message_queue_idx"),
            models.Index(fields=["priority", "due_at"], name="message_priority_idx"),
            models.Index(fields=["platform", "received_at"], name="message_platform_idx"),
            models.Index(fields=["received_at"], name="message_received_idx"),
            models.Index(fields=["account", "parent_platform_id"], name="message_parent_idx"),
        )

    def __str__(self) -> str:
        return f"{self.platform}:{self.platform_id}"

    def set_labels(self, labels: list[str]) -> None:
        self.labels = list(labels)
        self.label_index = "|" + "|".join(labels) + "|" if labels else ""

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING

    @property
    def is_private(self) -> bool:
        return self.kind == Kind.DM


class MessageRevision(models.Model):
    """Every version of a message's text, including the state it was in when deleted."""

    class Event(models.TextChoices):
        CREATE = "create", "Received"
        EDIT = "edit", "Edited on the platform"
        DELETE = "delete", "Deleted on the platform"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    event = models.CharField(max_length=8, choices=Event.choices)
    text = models.TextField(blank=True)
    raw = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()  # when it happened on the platform
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("recorded_at", "pk")


class Decision(models.Model):
    """The engine's output for one revision of a message, with the policy version it used."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="decisions")
    revision = models.PositiveIntegerField()
    policy_version = models.CharField(max_length=100)
    labels = models.JSONField(default=list)
    scores = models.JSONField(default=dict)
    priority = models.CharField(max_length=2, choices=Priority.choices)
    actions = models.JSONField(default=list)
    signposts = models.JSONField(default=list)
    evidence = models.JSONField(default=list)
    clauses = models.JSONField(default=list)
    removal = models.CharField(max_length=16)
    payload = models.JSONField(default=dict)  # the full contract dict, keys added later included
    created_at = models.DateTimeField(default=timezone.now)
    classify_ms = models.FloatField(default=0.0)

    class Meta:
        ordering = ("-created_at", "-pk")

    @property
    def auto_actions(self) -> list[str]:
        value: Any = self.payload.get("auto_actions", [])
        return [str(v) for v in value]


class Assignment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-assigned_at",)
        constraints = (
            models.UniqueConstraint(
                fields=["message"], condition=Q(ended_at__isnull=True), name="one_current_assignment"
            ),
        )


class CaseEvent(models.Model):
    """The case history: everything that happened to a message on the desk, in order."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="case_events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    event = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "pk")


class Note(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "pk")


class Reply(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public reply"
        PRIVATE = "private", "Private message"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # The request reached the platform but its answer was lost: a person checks the platform
        # and records what they found, so the author is not sent the same reply twice.
        UNCONFIRMED = "unconfirmed", "May have been posted"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="replies")
    sent_by = models.ForeignKey(  # empty for the automatic out-of-hours crisis reply
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    template = models.CharField(max_length=64, blank=True)
    text = models.TextField()
    visibility = models.CharField(max_length=8, choices=Visibility.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    connector = models.CharField(max_length=100, blank=True)
    platform_reply_id = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "pk")


class OnCallAlert(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="alerts")
    channel = models.CharField(max_length=16)  # email | webhook
    target = models.CharField(max_length=500)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "pk")
        constraints = (models.UniqueConstraint(fields=["message", "channel"], name="one_alert_per_channel"),)
