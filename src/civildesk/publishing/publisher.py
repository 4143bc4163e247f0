"""The one door posts go out through: ``civildesk.platforms.connector_for(platform, account_id)``.

The setting CIVILDESK_PUBLISH_CONNECTOR may name another factory ``(platform, account_id) ->
connector`` (the tests use a recording fake). When the platforms package is not installed, the
``LocalPublishOutbox`` records the post on the desk and sends it nowhere, and says so in its name,
on every target it publishes and on the pages.

Errors follow ``civildesk.platforms.errors``: a ``ConnectorError`` whose ``retryable`` is true
(``Transient``, ``RateLimited`` with its ``retry_at``) is tried again later; any other error fails
the target and is shown to the post's author.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, Protocol, cast

from django.conf import settings
from django.utils.module_loading import import_string

from civildesk.inbox.connectors import ConnectorError

DEFAULT_FACTORY = "civildesk.publishing.publisher.platform_connector"


class PublishConnector(Protocol):
    name: str

    def publish(
        self, account_id: str, text: str, *, idempotency_key: str = "", media_url: str = ""
    ) -> str: ...


class LocalPublishOutbox:
    """Publishes nothing: records the post on the desk (no platform connector installed)."""

    sends_nowhere: ClassVar[bool] = True
    name = "local-outbox (not sent to any platform)"
    platform = ""

    # The key and the image are accepted for the shared contract; nothing is sent, so neither is used.
    def publish(self, account_id: str, text: str, *, idempotency_key: str = "", media_url: str = "") -> str:
        return f"outbox-{uuid.uuid4().hex[:12]}"


def platform_connector(platform: str, account_id: str) -> PublishConnector:
    try:
        module = importlib.import_module("civildesk.platforms")
    except ImportError:
        return LocalPublishOutbox()
    factory = getattr(module, "connector_for", None)
    if factory is None:
        return LocalPublishOutbox()
    return cast(PublishConnector, factory(platform, account_id))


def connector_for(platform: str, account_id: str) -> PublishConnector:
    path = getattr(settings, "CIVILDESK_PUBLISH_CONNECTOR", "") or DEFAULT_FACTORY
    factory = cast(Callable[[str, str], PublishConnector], import_string(path))
    return factory(platform, account_id)


def publish(
    connector: PublishConnector, account_id: str, text: str, *, idempotency_key: str, media_url: str = ""
) -> str:
    """Call the connector's ``publish``; every connector takes the key and the image, and
    ignores what its platform has no use for."""
    return str(connector.publish(account_id, text, idempotency_key=idempotency_key, media_url=media_url))


def is_retryable(exc: ConnectorError) -> bool:
    return bool(getattr(exc, "retryable", False))


def retry_at(exc: ConnectorError) -> datetime | None:
    value = getattr(exc, "retry_at", None)
    return value if isinstance(value, datetime) else None
