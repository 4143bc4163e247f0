"""Admin pages: moderation rows are read-only here (every change goes through the desk, where it
is audited); legal holds are where an admin sees what retention keeps."""

from __future__ import annotations

from django.contrib import admin

from civildesk.inbox.admin import ReadOnly
from civildesk.moderation.models import (
    Appeal,
    AuditEntry,
    AuthorNotice,
    LegalHold,
    ModerationAction,
    RetentionRun,
)


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnly):
    list_display = ("pk", "kind", "state", "message", "author", "proposed_by", "approved_by", "proposed_at")
    list_filter = ("kind", "state", "protected_override")


@admin.register(AuthorNotice)
class AuthorNoticeAdmin(ReadOnly):
    list_display = ("reference", "status", "channel", "created_at", "reason")
    list_filter = ("status", "channel")
    search_fields = ("reference",)


@admin.register(Appeal)
class AppealAdmin(ReadOnly):
    list_display = ("pk", "reference", "status", "opened_at", "due_at", "decided_by")
    list_filter = ("status", "via")
    search_fields = ("reference",)


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnly):
    list_display = ("message", "reason", "placed_by", "placed_at", "released_at")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    list_display = ("seq", "at", "actor_name", "event", "target_type", "target_id", "reason")
    list_filter = ("event", "target_type")
    search_fields = ("target_id", "actor_name")


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnly):
    list_display = ("at", "dry_run", "message_bodies", "authors", "kept_on_hold")
