"""Admin pages for the organisation's accounts; messages and decisions are read-only here
(people work them on the desk, where every change is recorded)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civildesk.inbox.models import Account, Author, Decision, Message


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("platform", "handle", "name", "platform_account_id", "active")
    list_filter = ("platform", "active")


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Author)
class AuthorAdmin(ReadOnly):
    list_display = ("platform", "handle", "display_name", "blocked", "last_seen_at")
    list_filter = ("platform", "blocked")
    search_fields = ("handle", "display_name")


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ("platform", "platform_id", "kind", "priority", "status", "received_at", "due_at")
    list_filter = ("platform", "kind", "priority", "status")


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    list_display = ("message", "priority", "labels", "policy_version", "created_at")
