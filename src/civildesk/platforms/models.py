"""The organisation's connected platform accounts, their webhook deliveries, and the private
replies already sent (Meta allows one per comment)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from civildesk.inbox.models import Platform
from civildesk.platforms import crypto, registry


def new_webhook_key() -> str:
    # The webhook URL carries it: unguessable, so nobody can even probe which accounts exist.
    return secrets.token_urlsafe(24)


class PlatformAccount(models.Model):
    platform = models.CharField(max_length=16, choices=Platform.choices)
    account_id = models.CharField(
        max_length=200, help_text="Page id, Instagram user id, X user id or LinkedIn organisation URN"
    )
    name = models.CharField(max_length=200, blank=True)
    webhook_key = models.CharField(max_length=64, unique=True, default=new_webhook_key, editable=False)
    credentials_encrypted = models.TextField(blank=True, editable=False)
    api_base_url = models.URLField(
        blank=True, help_text="Leave blank for the platform's own API; set it to point at the simulator"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_ok = models.BooleanField(null=True, blank=True)
    last_check_detail = models.CharField(max_length=500, blank=True)
    rate_state = models.JSONField(default=dict, blank=True)
    poll_cursor = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["platform", "account_id"], name="platform_account_unique"),
        )
        ordering = ("platform", "name", "account_id")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.name or self.account_id}"

    def credentials(self) -> dict[str, str]:
        return crypto.decrypt(self.credentials_encrypted, settings.CIVILDESK_CREDENTIALS_KEYS)

    def set_credentials(self, values: dict[str, str]) -> None:
        clean = {k: v for k, v in values.items() if v}
        self.credentials_encrypted = (
            crypto.encrypt(clean, settings.CIVILDESK_CREDENTIALS_KEYS) if clean else ""
        )

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)

    @property
    def capabilities(self) -> frozenset[str]:
        return registry.capabilities(self.platform)


class WebhookDelivery(models.Model):
    """One delivery as received, stored before anything is parsed, so nothing is lost to a bug."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"

    account = models.ForeignKey(PlatformAccount, on_delete=models.CASCADE, related_name="deliveries")
    delivery_key = models.CharField(max_length=200)
    body = models.BinaryField()
    headers: Any = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    redeliveries = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    messages = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["account", "delivery_key"], name="delivery_unique_per_account"),
        )
        ordering = ("-received_at",)
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.account} {self.delivery_key[:16]} ({self.state})"


class PrivateReply(models.Model):
    platform = models.CharField(max_length=16, choices=Platform.choices)
    account_id = models.CharField(max_length=200)
    comment_id = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["platform", "account_id", "comment_id"], name="one_private_reply_per_comment"
            ),
        )


class WebhookRejection(models.Model):
    """How many deliveries the webhook endpoints refused, per platform and reason (issue 8).

    A counter row in the database rather than a number in a process's memory: every gunicorn
    process adds to the same row, and a restart loses nothing, so ``/metrics`` on any process
    answers the same total. The request itself is not kept: a refused delivery stores no byte.
    """

    class Reason(models.TextChoices):
        SIGNATURE_MISSING = "signature_missing", "Signature missing"
        SIGNATURE_INVALID = "signature_invalid", "Signature invalid"
        MALFORMED = "malformed", "Malformed body"

    platform = models.CharField(max_length=16, choices=Platform.choices)
    reason = models.CharField(max_length=32, choices=Reason.choices)
    count = models.PositiveBigIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["platform", "reason"], name="one_rejection_counter_per_reason"),
        )
        ordering = ("platform", "reason")

    def __str__(self) -> str:
        return f"{self.platform} {self.reason}: {self.count}"
