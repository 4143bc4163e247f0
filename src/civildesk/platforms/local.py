"""The connector used for an account without credentials: it records, and reaches no platform.

Its name says so, like ``LocalOutbox``, so the pages never claim a hide or a reply happened on
the platform when it did not.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from civildesk.inbox.connectors import ReplyTarget, SentReply
from civildesk.inbox.inbound import InboundMessage
from civildesk.platforms.base import PollPage, RateState


@dataclass
class RecordingConnector:
    sends_nowhere: ClassVar[bool] = True  # for callers that show "not sent" on their pages
    platform: str
    account_id: str
    capabilities: frozenset[str]
    name: str = "local-outbox (not sent to any platform)"
    actions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def _record(self, action: str, **details: Any) -> None:
        self.actions.append((action, details))

    def handshake(self, query: Mapping[str, str]) -> tuple[int, str, str]:
        return 404, "text/plain", "this account has no credentials"

    def verify_signature(self, headers: Mapping[str, str], raw_body: bytes) -> bool:
        return False  # without a secret nothing can be verified, so nothing is accepted

    def parse_events(self, raw_body: bytes) -> list[InboundMessage]:
        return []

    def poll_events(self, cursor: str) -> PollPage:
        return PollPage(cursor=cursor)

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply:
        self._record("reply_public", target=target, text=text)
        return SentReply(platform_reply_id=f"outbox-{uuid.uuid4().hex[:12]}")

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply:
        self._record("reply_private", target=target, text=text)
        return SentReply(platform_reply_id=f"outbox-{uuid.uuid4().hex[:12]}")

    def hide(self, target: ReplyTarget) -> None:
        self._record("hide", target=target)

    def unhide(self, target: ReplyTarget) -> None:
        self._record("unhide", target=target)

    def delete(self, target: ReplyTarget) -> None:
        self._record("delete", target=target)

    def block(self, author_id: str) -> None:
        self._record("block", author_id=author_id)

    def unblock(self, author_id: str) -> None:
        self._record("unblock", author_id=author_id)

    def mute(self, author_id: str) -> None:
        self._record("mute", author_id=author_id)

    def unmute(self, author_id: str) -> None:
        self._record("unmute", author_id=author_id)

    def set_comments(self, post_id: str, enabled: bool) -> None:
        self._record("set_comments", post_id=post_id, enabled=enabled)

    # The key and the image are accepted for the shared contract; nothing is sent, so neither is used.
    def publish(self, account_id: str, text: str, *, idempotency_key: str = "", media_url: str = "") -> str:
        self._record("publish", account_id=account_id, text=text)
        return f"outbox-{uuid.uuid4().hex[:12]}"

    def rate_state(self) -> RateState:
        return RateState(detail="no platform connected")
