from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civildesk.handoff.models import Handoff


@admin.register(Handoff)
class HandoffAdmin(admin.ModelAdmin[Handoff]):
    """Read-only: hand-offs change through the desk (their one door), never by editing rows."""

    list_display = ("reference", "team_name", "state", "sent_at", "due_at", "acknowledged_at", "delivery")
    list_filter = ("state", "team_id", "delivery")
    search_fields = ("reference",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
