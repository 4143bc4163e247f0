"""Which class serves which platform, and building one from credentials (no Django here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civildesk.platforms.common import ConnectorBase
from civildesk.platforms.facebook import FacebookConnector
from civildesk.platforms.instagram import InstagramConnector
from civildesk.platforms.linkedin import LinkedInConnector
from civildesk.platforms.x import XConnector

CLASSES: dict[str, type[ConnectorBase]] = {
    "x": XConnector,
    "facebook": FacebookConnector,
    "instagram": InstagramConnector,
    "linkedin": LinkedInConnector,
}

# What an admin types in for each platform (the form asks for exactly these).
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    "x": ("consumer_secret", "access_token"),
    "facebook": ("app_secret", "verify_token", "access_token"),
    "instagram": ("app_secret", "verify_token", "access_token"),
    "linkedin": ("client_secret", "access_token", "api_version"),
}


def build(platform: str, account_id: str, credentials: Mapping[str, str], **kwargs: Any) -> ConnectorBase:
    try:
        cls = CLASSES[platform]
    except KeyError:
        raise ValueError(f"no connector for platform {platform!r}") from None
    return cls(account_id, credentials, **kwargs)


def capabilities(platform: str) -> frozenset[str]:
    return CLASSES[platform].capabilities
