"""Admin pages for people and desk settings (users and roles, on-call, hours, templates,
staff directory, login lockouts)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from civildesk.inbox import desk
from civildesk.inbox.replies import REPLY_TEMPLATES
from civildesk.web.models import (
    ClosureDay,
    DeskSettings,
    LoginThrottle,
    ReplyTemplate,
    StaffDirectoryEntry,
    StaffProfile,
    WorkingHours,
)

User = get_user_model()


class StaffProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = StaffProfile
    can_delete = False
    fields = ("role", "job_title", "team", "on_call")


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class DeskUserAdmin(UserAdmin):  # type: ignore[type-arg]
    inlines = (StaffProfileInline,)
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("is_active", "staff__role")
    # Roles replace Django's groups and per-user permissions; the flags follow the role.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description="role")
    def role(self, obj: Any) -> str:
        profile = getattr(obj, "staff", None)
        return "admin" if obj.is_superuser else (profile.role if profile else "viewer")


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class _SettingsCache(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool) -> None:
        super().save_model(request, obj, form, change)
        desk.forget_cached_settings()


@admin.register(DeskSettings)
class DeskSettingsAdmin(_SettingsCache):
    formfield_overrides: ClassVar[dict[type[models.Field[Any, Any]], dict[str, Any]]] = {
        models.URLField: {"assume_scheme": "https"}
    }
    fields = (
        "policy_version",
        "oncall_email",
        "oncall_webhook_url",
        "auto_crisis_reply_out_of_hours",
        "at_risk_minutes",
        "late_grace_minutes",
    )
    readonly_fields = ("policy_version",)

    @admin.display(description="policy in force")
    def policy_version(self, obj: DeskSettings) -> str:
        return desk.policy().version

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not DeskSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkingHours)
class WorkingHoursAdmin(_SettingsCache):
    fields = (
        "override",
        "timezone",
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        ("start", "end"),
        ("holiday_country", "holiday_subdivision"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not WorkingHours.objects.exists()


@admin.register(ClosureDay)
class ClosureDayAdmin(_SettingsCache):
    list_display = ("date", "reason")


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(_SettingsCache):
    list_display = ("name", "active", "updated_at")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["name"].help_text = f"One of: {', '.join(REPLY_TEMPLATES)}"
        return form


@admin.register(StaffDirectoryEntry)
class StaffDirectoryAdmin(_SettingsCache):
    list_display = ("name", "role", "team", "aliases", "active")
    search_fields = ("name", "aliases", "team")


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("username", "failures", "last_failure_at", "locked_until")
    actions = ("unlock",)

    @admin.action(description="Unlock the selected user names")
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        queryset.delete()
