"""Every mail the appeals mailbox received (kept before anything else is done with it), and the
mailbox's health as the dashboard shows it.

Changed only through ``civildesk.mailbox.services`` and the poll task.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class InboundMail(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received, not yet matched"
        MATCHED = "matched", "Appeal opened"
        UNMATCHED = "unmatched", "Waiting for a person to link it"
        DISMISSED = "dismissed", "Dismissed (not an appeal)"

    class MatchedBy(models.TextChoices):
        REFERENCE = "reference", "Notice reference"
        HANDLE = "handle", "Author's handle"
        STAFF = "staff", "Linked by staff"

    # The idempotency key: each mail is taken once, however often the server shows it to us.
    message_id = models.CharField(max_length=300, unique=True)
    raw = models.BinaryField()  # the mail exactly as the server sent it: nothing is ever lost
    from_address = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    matched_by = models.CharField(max_length=12, choices=MatchedBy.choices, blank=True)
    reference = models.CharField(max_length=16, blank=True)  # the notice it was matched to
    # A second mail about the same notice joins the appeal already open instead of opening another.
    follow_up = models.BooleanField(default=False)
    appeal = models.ForeignKey(
        "moderation.Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="mails"
    )
    why_unmatched = models.TextField(blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # matching attempts that raised
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-received_at", "-pk")
        indexes = (models.Index(fields=["status", "received_at"], name="mail_status_idx"),)

    def __str__(self) -> str:
        return f"{self.subject or '(no subject)'} from {self.from_address or 'unknown'}"


class MailboxStatus(models.Model):
    """One row (pk=1): the last success and the last error, shown on the dashboard and in /metrics.
    The next queued poll and the lease are the chain's (``civildesk.ops.periodic``)."""

    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_fetched = models.PositiveIntegerField(default=0)  # mails stored by the last good poll

    class Meta:
        verbose_name_plural = "mailbox status"

    @property
    def failing(self) -> bool:
        return self.consecutive_failures > 0
