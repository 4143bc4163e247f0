from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civildesk.public.models import PageRating


@admin.register(PageRating)
class PageRatingAdmin(admin.ModelAdmin[PageRating]):
    """Read-only: a rating is what a member of the public said, not something to edit."""

    list_display = ("created_at", "page", "rating", "comment", "policy_version")
    list_filter = ("rating", "page")
    search_fields = ("comment",)
    readonly_fields = ("page", "rating", "comment", "client", "policy_version", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
