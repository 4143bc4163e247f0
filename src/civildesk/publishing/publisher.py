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
import inspect
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, cast

from django.conf import settings
from django.utils.module_loading import import_string

from civildesk.inbox.connectors import ConnectorError

DEFAULT_FACTORY = "civildesk.publishing.publisher.platform_connector"


class PublishConnector(Protocol):
    name: str

    def publish(self, account_id: str, text: str) -> str: ...


class LocalPublishOutbox:
    """Publishes nothing: records the post on the desk (no platform connector installed)."""

    name = "local-outbox (not sent to any platform)"
    platform = ""

    def publish(self, account_id: str, text: str) -> str:
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


def sends_nowhere(connector: object) -> bool:
    """The local outbox, or a platform connector for an account with no credentials (it records
    and sends nothing, and says so with ``sends_nowhere``)."""
    return isinstance(connector, LocalPublishOutbox) or bool(getattr(connector, "sends_nowhere", False))


def publish(
    connector: PublishConnector, account_id: str, text: str, *, idempotency_key: str, media_url: str = ""
) -> str:
    """Call the connector's ``publish``; pass the idempotency key and the image only to a connector
    whose ``publish`` takes them (the shared contract is ``publish(account_id, text)``)."""
    extra: dict[str, Any] = {}
    try:
        params = inspect.signature(connector.publish).parameters
    except (TypeError, ValueError):
        params = {}  # type: ignore[assignment]
    if "idempotency_key" in params:
        extra["idempotency_key"] = idempotency_key
    if media_url and "media_url" in params:
        extra["media_url"] = media_url
    return str(connector.publish(account_id, text, **extra))


def is_retryable(exc: ConnectorError) -> bool:
    return bool(getattr(exc, "retryable", False))


def retry_at(exc: ConnectorError) -> datetime | None:
    value = getattr(exc, "retry_at", None)
    return value if isinstance(value, datetime) else None
