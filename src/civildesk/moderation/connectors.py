"""Where moderation reaches the platforms: the factory named by CIVILDESK_MODERATION_CONNECTOR.

The factory is ``(platform, account_id) -> Connector`` (``civildesk.platforms.base.Connector``);
the default is ``civildesk.platforms.connector_for``. When that factory cannot be imported (the
platforms package is not installed), the desk falls back to ``LocalModerationConnector``: it
records what it was asked to do and sends nothing, and says so in its name, which is stored on
every action it carries out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ClassVar, cast

from django.conf import settings
from django.utils.module_loading import import_string

from civildesk.inbox.connectors import ReplyTarget, SentReply

DEFAULT_FACTORY = "civildesk.platforms.connector_for"
# What the local connector can do: everything a platform API may offer (never "report").
LOCAL_CAPABILITIES = frozenset(
    {"reply_public", "reply_private", "hide", "delete", "block", "mute", "comments_toggle"}
)


class LocalModerationConnector:
    """Records moderation calls on the desk without reaching any platform."""

    sends_nowhere: ClassVar[bool] = True
    name = "local-outbox (not sent to any platform)"
    capabilities = LOCAL_CAPABILITIES

    def __init__(self, platform: str = "", account_id: str = "") -> None:
        self.platform = platform
        self.account_id = account_id
        self.calls: list[tuple[str, str]] = []

    def _note(self, call: str, what: str) -> None:
        self.calls.append((call, what))

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply:
        self._note("reply_public", target.message_id)
        return SentReply(platform_reply_id=f"outbox-{uuid.uuid4().hex[:12]}")

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply:
        self._note("reply_private", target.message_id)
        return SentReply(platform_reply_id=f"outbox-{uuid.uuid4().hex[:12]}")

    def hide(self, target: ReplyTarget) -> None:
        self._note("hide", target.message_id)

    def unhide(self, target: ReplyTarget) -> None:
        self._note("unhide", target.message_id)

    def delete(self, target: ReplyTarget) -> None:
        self._note("delete", target.message_id)

    def block(self, author_id: str) -> None:
        self._note("block", author_id)

    def unblock(self, author_id: str) -> None:
        self._note("unblock", author_id)

    def mute(self, author_id: str) -> None:
        self._note("mute", author_id)

    def unmute(self, author_id: str) -> None:
        self._note("unmute", author_id)


def get_connector(platform: str, account_id: str) -> Any:
    """The configured account's connector (see the module docstring for the fallback)."""
    path = getattr(settings, "CIVILDESK_MODERATION_CONNECTOR", "") or DEFAULT_FACTORY
    try:
        factory = cast(Callable[[str, str], Any], import_string(path))
    except ImportError:
        if path != DEFAULT_FACTORY:
            raise  # a misnamed factory is a configuration error, not a reason to send nothing
        return LocalModerationConnector(platform, account_id)
    return factory(platform, account_id)


def capabilities(connector: Any) -> frozenset[str]:
    return frozenset(getattr(connector, "capabilities", frozenset()))
