from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any], key: str) -> Any:
    """``charts|get_item:"volume"``: Django templates cannot index a dict by a variable."""
    return mapping.get(key)
