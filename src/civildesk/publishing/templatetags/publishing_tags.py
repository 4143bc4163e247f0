"""Failed and doubtful posts, shown where people will see them: a banner for the post's author on
every desk page, and a panel on the dashboard for everyone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone

from civildesk.publishing.models import ScheduledPost, attention_for
from civildesk.web.access import can

register = template.Library()


@register.inclusion_tag("publishing/_attention.html", takes_context=True)
def posts_attention_banner(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can(user, "view_posts"):
        return {"targets": []}
    return {
        "targets": list(attention_for(user.pk)[:20]),
        "heading": "Your posts that did not publish",
        "heading_id": "mine-attention",
    }


@register.inclusion_tag("publishing/_dashboard_panel.html", takes_context=True)
def posts_dashboard_panel(context: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    week = ScheduledPost.objects.filter(
        scheduled_at__gte=now, scheduled_at__lt=now + timedelta(days=7), state=ScheduledPost.State.SCHEDULED
    ).count()
    return {
        "attention": list(attention_for()[:50]),
        "next_week": week,
        "awaiting": ScheduledPost.objects.filter(state=ScheduledPost.State.AWAITING_APPROVAL).count(),
    }
