"""A recording platform connector for the moderation tests (the ``Connector`` contract)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from civildesk.inbox.connectors import ReplyTarget, SentReply

EVERYTHING = frozenset(
    {"reply_public", "reply_private", "hide", "delete", "block", "mute", "comments_toggle"}
)


@dataclass
class RecordingConnector:
    """Remembers every call; ``fail`` queues exceptions to raise, per method, in order."""

    name: str = "recording-fake (tests only)"
    platform: str = ""
    account_id: str = ""
    capabilities: frozenset[str] = EVERYTHING
    calls: list[tuple[str, str]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    fail: dict[str, list[Exception]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def _call(self, method: str, what: str) -> None:
        pending = self.fail.get(method)
        if pending:
            raise pending.pop(0)
        self.calls.append((method, what))

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply:
        self._call("reply_public", target.message_id)
        self.texts.append(text)
        return SentReply(platform_reply_id=f"pub-{next(self._ids)}")

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply:
        self._call("reply_private", target.message_id)
        self.texts.append(text)
        return SentReply(platform_reply_id=f"dm-{next(self._ids)}")

    def hide(self, target: ReplyTarget) -> None:
        self._call("hide", target.message_id)

    def unhide(self, target: ReplyTarget) -> None:
        self._call("unhide", target.message_id)

    def delete(self, target: ReplyTarget) -> None:
        self._call("delete", target.message_id)

    def block(self, author_id: str) -> None:
        self._call("block", author_id)

    def unblock(self, author_id: str) -> None:
        self._call("unblock", author_id)

    def mute(self, author_id: str) -> None:
        self._call("mute", author_id)

    def unmute(self, author_id: str) -> None:
        self._call("unmute", author_id)


current: RecordingConnector | None = None
asked: list[tuple[str, str]] = []


def factory(platform: str, account_id: str) -> RecordingConnector:
    assert current is not None, "the platform fixture is not active"
    asked.append((platform, account_id))
    return current
