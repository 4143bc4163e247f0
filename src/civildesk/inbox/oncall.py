"""Out-of-hours alerts: who is told about a crisis message, and how.

Alerts go by e-mail (Django's mail backend) to the desk's on-call address and every staff member
marked on call, and optionally as a JSON POST to a webhook (a paging service, a Teams or Slack
relay). A direct message's text is NOT put in the e-mail or the webhook: it was sent privately, so
the alert carries a link and the on-call person reads it on the desk.
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from civildesk.inbox.models import Message, OnCallAlert

WEBHOOK_TIMEOUT_SECONDS = 10.0
MAX_ATTEMPTS = 5


def recipients() -> list[str]:
    from civildesk.web.models import DeskSettings

    desk = DeskSettings.load()
    addresses = [a for a in (desk.oncall_email, settings.CIVILDESK_ONCALL_EMAIL) if a]
    on_call = get_user_model().objects.filter(is_active=True, staff__on_call=True).exclude(email="")
    addresses.extend(on_call.values_list("email", flat=True))
    return sorted(set(addresses))


def webhook_url() -> str:
    from civildesk.web.models import DeskSettings

    return DeskSettings.load().oncall_webhook_url or str(settings.CIVILDESK_ONCALL_WEBHOOK_URL)


def plan_alerts(message: Message) -> list[OnCallAlert]:
    """Create (once per channel) the alerts for a message; the caller enqueues delivery."""
    planned: list[OnCallAlert] = []
    to = recipients()
    if to:
        alert, created = OnCallAlert.objects.get_or_create(
            message=message, channel="email", defaults={"target": ", ".join(to)}
        )
        if created:
            planned.append(alert)
    url = webhook_url()
    if url:
        alert, created = OnCallAlert.objects.get_or_create(
            message=message, channel="webhook", defaults={"target": url}
        )
        if created:
            planned.append(alert)
    return planned


def message_url(message: Message) -> str:
    return f"{settings.CIVILDESK_BASE_URL}{reverse('message', args=[message.pk])}"


def payload(message: Message) -> dict[str, Any]:
    out: dict[str, Any] = {
        "event": "crisis_message_out_of_hours",
        "message_id": message.pk,
        "platform": message.platform,
        "kind": message.kind,
        "priority": message.priority,
        "author": message.author.handle or message.author.display_name,
        "posted_at": message.posted_at.isoformat(),
        "url": message_url(message),
        "auto_replied": message.auto_replied_at is not None,
    }
    if not message.is_private:
        out["text"] = message.text[:500]
    return out


def deliver(alert: OnCallAlert) -> None:
    """Send one alert; raises on failure (the task records it and retries)."""
    message = alert.message
    data = payload(message)
    if alert.channel == "email":
        body = [
            "A message that looks like someone in crisis arrived while the desk is closed.",
            "",
            f"Platform: {message.get_platform_display()} ({message.get_kind_display()})",
            f"From: {data['author']}",
            f"Posted: {timezone.localtime(message.posted_at):%a %d %b %Y %H:%M}",
            f"Crisis-line reply sent automatically: {'yes' if data['auto_replied'] else 'no'}",
            f"Open it on the desk: {data['url']}",
        ]
        if "text" in data:
            body += ["", "The message (as posted publicly):", str(data["text"])]
        else:
            body += ["", "It is a direct message: read it on the desk."]
        send_mail(
            subject=f"[civildesk] P1 crisis message on {message.get_platform_display()}",
            message="\n".join(body),
            from_email=None,
            recipient_list=[a.strip() for a in alert.target.split(",") if a.strip()],
            fail_silently=False,
        )
    elif alert.channel == "webhook":
        response = httpx.post(alert.target, json=data, timeout=WEBHOOK_TIMEOUT_SECONDS)
        response.raise_for_status()
    else:
        raise ValueError(f"unknown alert channel {alert.channel!r}")
