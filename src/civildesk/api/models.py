"""API tokens: one per system that calls the desk, each limited to a role.

A token acts as its user, but never with more than the token's own role: a token issued with
``viewer`` reads, even for an admin. If the user's role is later lowered, or the user is
deactivated, the token follows at once (the effective role is the lower of the two, checked on
every request). Only a SHA-256 digest of the token is stored; the token itself is shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from civildesk.web.roles import ROLE_LABELS, ROLES

TOKEN_PREFIX = "cdk_"
_TOUCH_EVERY = timedelta(minutes=5)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    name = models.CharField(max_length=200, help_text="Which system uses this token.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    role = models.CharField(
        max_length=16,
        choices=[(r, ROLE_LABELS[r]) for r in ROLES],
        default="viewer",
        help_text="The most this token may do (never more than its user's role).",
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.role})"

    @classmethod
    def issue(
        cls, user: object, name: str, role: str = "viewer", *, expires_at: object = None
    ) -> tuple[ApiToken, str]:
        """Create a token; return it with the secret, which is not stored and shown only now."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name, user=user, role=role, prefix=raw[:12], digest=digest(raw), expires_at=expires_at
        )
        return token, raw

    @property
    def active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def effective_role(self) -> str | None:
        from civildesk.web.access import user_role

        held = user_role(self.user)
        if held is None or not self.active:
            return None
        return ROLES[min(ROLES.index(held), ROLES.index(self.role))]

    def touch(self) -> None:
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > _TOUCH_EVERY:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
            return None
        token = cls.objects.select_related("user", "user__staff").filter(digest=digest(raw)).first()
        if token is None or not token.active:
            return None
        return token
