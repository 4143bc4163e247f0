"""A message passed on to a team from the policy's directory, with the e-mail that carried it.

The team's name and address are copied onto the row when it is sent: the directory in
policy.yaml may change later, the record of where a message went must not.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from civildesk.handoff.states import STATES
from civildesk.inbox.models import Message


class Handoff(models.Model):
    class Delivery(models.TextChoices):
        PENDING = "pending", "E-mail queued"
        SENT = "sent", "E-mail sent"
        FAILED = "failed", "E-mail failed"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="handoffs")
    reference = models.CharField(max_length=16, unique=True)
    team_id = models.CharField(max_length=64)
    team_name = models.CharField(max_length=200)
    team_email = models.EmailField()
    note = models.TextField(blank=True)  # the officer's words to the team
    state = models.CharField(max_length=16, choices=[(s, s.capitalize()) for s in STATES], default="sent")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()  # the team's acknowledgement is due by then (working-day rule)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_via = models.CharField(max_length=16, blank=True)  # desk | link
    closed_at = models.DateTimeField(null=True, blank=True)
    author_told_at = models.DateTimeField(null=True, blank=True)
    # The e-mail exactly as composed at hand-off time; a retry sends the same words.
    subject = models.CharField(max_length=300)
    body = models.TextField()
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-sent_at", "-pk")
        indexes = (models.Index(fields=["state", "due_at"], name="handoff_open_idx"),)
        constraints = (
            # One open hand-off per message and team: passing the same thing twice is a mistake.
            models.UniqueConstraint(
                fields=["message", "team_id"], condition=~Q(state="closed"), name="one_open_handoff_per_team"
            ),
        )

    def __str__(self) -> str:
        return f"{self.reference} to {self.team_name}"
