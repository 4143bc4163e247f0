"""People and desk settings: staff roles, login lockout, and what admins may change without
editing policy.yaml (on-call contacts, working hours, closure days, reply templates, the staff
directory the detectors use to recognise staff names)."""

from __future__ import annotations

import datetime as dt
from datetime import time
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from civildesk.web.roles import ROLE_LABELS, ROLES


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=16, choices=[(r, ROLE_LABELS[r]) for r in ROLES], default="viewer")
    job_title = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=200, blank=True)
    on_call = models.BooleanField(default=False, help_text="Receives out-of-hours crisis alerts by e-mail.")

    class Meta:
        verbose_name = "staff member"

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Only admins reach the Django admin; keep the flags Django checks in step with the role.
        is_admin = self.role == "admin"
        user = self.user
        if user.is_staff != is_admin or user.is_superuser != is_admin:
            user.is_staff = is_admin
            user.is_superuser = is_admin
            user.save(update_fields=["is_staff", "is_superuser"])


class LoginThrottle(models.Model):
    """Failed logins per user name, whether or not the account exists (so lockout does not
    reveal which names are real)."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.username

    @property
    def locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class SingletonModel(models.Model):
    singleton_pk: ClassVar[int] = 1

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = self.singleton_pk
        super().save(*args, **kwargs)


class DeskSettings(SingletonModel):
    """Settings an admin changes in the admin site; policy.yaml stays the source of the rules."""

    oncall_email = models.EmailField(
        blank=True, help_text="Alerted about crisis messages out of hours (as well as on-call staff)."
    )
    oncall_webhook_url = models.URLField(blank=True, help_text="Receives the same alert as a JSON POST.")
    auto_crisis_reply_out_of_hours = models.BooleanField(
        default=True,
        help_text="Out of hours, answer crisis messages at once with the crisis-line template.",
    )
    at_risk_minutes = models.PositiveIntegerField(
        default=60, help_text="A waiting message is 'at risk' with this much working time left."
    )
    late_grace_minutes = models.PositiveIntegerField(
        default=60,
        help_text="Messages arriving this close to closing time are due at the end of the next working day.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "desk settings"

    def __str__(self) -> str:
        return "Desk settings"

    @classmethod
    def load(cls) -> DeskSettings:
        obj, _ = cls.objects.get_or_create(pk=cls.singleton_pk)
        return obj


class WorkingHours(SingletonModel):
    """Overrides the policy file's hours when ``override`` is ticked."""

    override = models.BooleanField(default=False, help_text="Use these hours instead of policy.yaml's.")
    timezone = models.CharField(max_length=64, default="Europe/London")
    monday = models.BooleanField(default=True)
    tuesday = models.BooleanField(default=True)
    wednesday = models.BooleanField(default=True)
    thursday = models.BooleanField(default=True)
    friday = models.BooleanField(default=True)
    saturday = models.BooleanField(default=False)
    sunday = models.BooleanField(default=False)
    start = models.TimeField(default=time(9, 0))
    end = models.TimeField(default=time(17, 0))
    holiday_country = models.CharField(max_length=8, default="GB", blank=True)
    holiday_subdivision = models.CharField(
        max_length=8, default="ENG", blank=True, help_text="ENG = England & Wales bank holidays"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "working hours"

    def __str__(self) -> str:
        return "Working hours"

    @property
    def days(self) -> tuple[int, ...]:
        flags = (
            self.monday,
            self.tuesday,
            self.wednesday,
            self.thursday,
            self.friday,
            self.saturday,
            self.sunday,
        )
        return tuple(i for i, on in enumerate(flags) if on)


class ClosureDay(models.Model):
    """A day the desk is closed beyond bank holidays (e.g. an organisation closure day)."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("date",)

    def __str__(self) -> str:
        return f"{self.date:%a %d %b %Y} {self.reason}".strip()

    @classmethod
    def upcoming(cls) -> list[dt.date]:
        return list(cls.objects.values_list("date", flat=True))


class ReplyTemplate(models.Model):
    """An admin's wording for one of the policy's templates (crisis_reply, pals, ...)."""

    name = models.CharField(max_length=64, unique=True, help_text="The policy template it replaces.")
    text = models.TextField(help_text="Placeholders: {author} {crisis_line} {pals_url} {complaints_url} ...")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class StaffDirectoryEntry(models.Model):
    """A member of staff the public may name; added to the policy's directory for the detectors."""

    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=200, blank=True)
    aliases = models.CharField(max_length=500, blank=True, help_text="Comma-separated other names.")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "staff directory"

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in self.aliases.split(",") if a.strip())
