"""Small presentation helpers for the desk's templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

PRIORITY_TAGS = {"P1": "red", "P2": "orange", "P3": "yellow", "P4": "blue", "P5": "grey"}
SLA_TAGS = {"breached": "red", "at_risk": "orange", "on_track": "green", "met": "white", "missed": "pink"}
SLA_TEXT = {
    "breached": "Overdue",
    "at_risk": "At risk",
    "on_track": "On track",
    "met": "Met",
    "missed": "Missed",
}
STATUS_TAGS = {
    "open": "blue",
    "assigned": "purple",
    "answered": "green",
    "actioned": "aqua-green",
    "closed": "grey",
}


@register.filter
def priority_colour(priority: str) -> str:
    return PRIORITY_TAGS.get(priority or "", "white")


@register.filter
def sla_colour(state: str) -> str:
    return SLA_TAGS.get(state or "", "white")


@register.filter
def sla_text(state: str) -> str:
    return SLA_TEXT.get(state or "", "")


@register.filter
def status_colour(status: str) -> str:
    return STATUS_TAGS.get(status or "", "white")


@register.filter
def humanise(value: Any) -> str:
    return str(value or "").replace("_", " ")
