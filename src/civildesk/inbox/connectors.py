"""The one door replies go out through: a connector per platform behind one small interface.

The platform connectors (X, Facebook, Instagram, LinkedIn) live in ``civildesk.platforms`` and
implement this interface among others. The setting CIVILDESK_CONNECTORS names a factory
``(platform) -> ReplyConnector``. When no platform connector is installed, the default factory
returns the ``LocalOutbox``: it records what would have been sent and sends nothing, and says so
in its name, in every Reply row it produces and on the pages.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol, cast

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    platform: str
    account_id: str  # the organisation's account
    message_id: str  # platform id of the message being answered
    kind: str  # mention | reply | comment | dm
    author_id: str
    thread_id: str = ""


@dataclass(frozen=True, slots=True)
class SentReply:
    platform_reply_id: str


class ConnectorError(Exception):
    """The platform refused or failed; ``retryable`` says whether trying later may help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class ReplyConnector(Protocol):
    name: str

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply: ...

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply: ...


class LocalOutbox:
    """Records replies on the desk without reaching any platform (no connector configured)."""

    sends_nowhere: ClassVar[bool] = True
    name = "local-outbox (not sent to any platform)"

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply:
        return SentReply(platform_reply_id=f"outbox-{uuid.uuid4().hex[:12]}")

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply:
        return SentReply(platform_reply_id=f"outbox-{uuid.uuid4().hex[:12]}")


def default_factory(platform: str) -> ReplyConnector:
    """The platform package's connector when it is installed, else the local outbox."""
    try:
        module = importlib.import_module("civildesk.platforms")
    except ImportError:
        return LocalOutbox()
    factory = getattr(module, "reply_connector", None)
    if factory is None:
        return LocalOutbox()
    return cast(ReplyConnector, factory(platform))


def get_connector(platform: str) -> ReplyConnector:
    factory = cast(Callable[[str], ReplyConnector], import_string(settings.CIVILDESK_CONNECTORS))
    return factory(platform)


def sends_nowhere(connector: object) -> bool:
    """Whether ``connector`` records and reaches no platform: every local outbox (replies,
    publishing, moderation, an account with no credentials yet) declares ``sends_nowhere = True``.
    It lives here, not in ``civildesk.platforms``, because the desk must work without that package."""
    return bool(getattr(connector, "sends_nowhere", False))
