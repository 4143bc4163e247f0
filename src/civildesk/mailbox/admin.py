"""Admin pages: read-only (links and dismissals go through the mailbox page, where they are audited)."""

from __future__ import annotations

from django.contrib import admin

from civildesk.inbox.admin import ReadOnly
from civildesk.mailbox.models import InboundMail, MailboxStatus


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnly):
    list_display = ("received_at", "subject", "from_address", "status", "reference")
    list_filter = ("status", "matched_by")
    search_fields = ("message_id", "subject", "from_address", "reference")
    exclude = ("raw",)


@admin.register(MailboxStatus)
class MailboxStatusAdmin(ReadOnly):
    list_display = ("last_success_at", "consecutive_failures", "last_error_at", "next_poll_at")
