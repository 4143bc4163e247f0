"""Scheduled posts in the admin: read-only (they are worked on the desk, where changes are recorded)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civildesk.publishing.models import PostEvent, PostTarget, ScheduledPost


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _TargetInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PostTarget
    extra = 0
    can_delete = False
    readonly_fields = (
        "account",
        "state",
        "attempts",
        "claimed_at",
        "published_at",
        "platform_post_id",
        "connector",
        "last_error",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScheduledPost)
class ScheduledPostAdmin(_ReadOnly):
    list_display = ("pk", "scheduled_at", "author", "state", "needs_approval")
    list_filter = ("state", "needs_approval")
    inlines = (_TargetInline,)


@admin.register(PostEvent)
class PostEventAdmin(_ReadOnly):
    list_display = ("at", "post", "target", "event", "actor")
    list_filter = ("event",)
