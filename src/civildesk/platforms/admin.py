"""Admin pages: add an account, test its connection, see its capabilities, rate state and
recent webhook deliveries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from civildesk.platforms import base, services
from civildesk.platforms.forms import PlatformAccountForm
from civildesk.platforms.models import PlatformAccount, WebhookDelivery

CAPABILITY_ORDER = (
    base.REPLY_PUBLIC,
    base.REPLY_PRIVATE,
    base.HIDE,
    base.DELETE,
    base.BLOCK,
    base.MUTE,
    base.COMMENTS_TOGGLE,
    base.PUBLISH,
    base.REPORT,
)


@admin.register(PlatformAccount)
class PlatformAccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PlatformAccountForm
    list_display = ("__str__", "platform", "account_id", "active", "last_check_ok", "rate_summary")
    list_filter = ("platform", "active")
    actions = ("test_connection",)
    readonly_fields = (
        "webhook_url",
        "capability_table",
        "rate_summary",
        "last_checked_at",
        "last_check_ok",
        "last_check_detail",
    )
    fieldsets = (
        (None, {"fields": ("platform", "account_id", "name", "active", "api_base_url")}),
        (
            "Credentials (stored encrypted; never shown)",
            {"fields": ("secret", "access_token", "verify_token", "api_version")},
        ),
        (
            "Connection",
            {
                "fields": (
                    "webhook_url",
                    "last_checked_at",
                    "last_check_ok",
                    "last_check_detail",
                    "rate_summary",
                )
            },
        ),
        ("What this platform allows", {"fields": ("capability_table",)}),
    )

    @admin.display(description="Webhook URL (give this to the platform)")
    def webhook_url(self, obj: PlatformAccount) -> str:
        if not obj.pk:
            return "shown after saving"
        return f"{settings.CIVILDESK_BASE_URL}{reverse('platform-webhook', args=[obj.webhook_key])}"

    @admin.display(description="Capabilities")
    def capability_table(self, obj: PlatformAccount) -> str:
        if not obj.platform:
            return "-"
        allowed = obj.capabilities
        items = format_html_join(
            "",
            "<li>{}: {}</li>",
            (
                (name.replace("_", " "), "yes" if name in allowed else "no - becomes a task for a person")
                for name in CAPABILITY_ORDER
            ),
        )
        return format_html("<ul>{}</ul>", items)

    @admin.display(description="Rate limit")
    def rate_summary(self, obj: PlatformAccount) -> str:
        state: dict[str, Any] = obj.rate_state or {}
        if not state:
            return "no calls yet"
        parts = [state.get("detail") or ""]
        if state.get("remaining") is not None:
            parts.append(f"{state['remaining']} left")
        if state.get("resets_at"):
            parts.append(f"resets {state['resets_at']}")
        return "; ".join(p for p in parts if p)

    @admin.action(description="Test the connection")
    def test_connection(self, request: HttpRequest, queryset: QuerySet[PlatformAccount]) -> None:
        for account in queryset:
            ok, detail = services.do_check_connection(account)
            self.message_user(request, f"{account}: {detail}", messages.SUCCESS if ok else messages.ERROR)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("received_at", "account", "state", "messages", "redeliveries", "attempts", "error")
    list_filter = ("state", "account__platform")
    readonly_fields = (
        "account",
        "delivery_key",
        "received_at",
        "redeliveries",
        "state",
        "attempts",
        "processed_at",
        "messages",
        "error",
        "headers",
    )
    exclude = ("body",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
