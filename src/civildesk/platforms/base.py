"""One connector interface for every platform (see ../shared/platforms.md's sketch).

A connector is built for one organisation account (``connector_for(platform, account_id)``) and
declares ``capabilities``: the pages and the moderation actions offer only what is in that set;
anything else becomes a human task. Every method raises only ``civildesk.platforms.errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol

from civildesk.inbox.connectors import ReplyTarget, SentReply
from civildesk.inbox.inbound import InboundMessage

# Capability names. A connector lists the ones its platform's API allows.
REPLY_PUBLIC: Final = "reply_public"
REPLY_PRIVATE: Final = "reply_private"  # a private reply to a comment, or a DM
HIDE: Final = "hide"
DELETE: Final = "delete"
BLOCK: Final = "block"
MUTE: Final = "mute"
COMMENTS_TOGGLE: Final = "comments_toggle"
PUBLISH: Final = "publish"
REPORT: Final = "report"  # no platform offers it: never in a set, always a human task
ALL_CAPABILITIES: Final[frozenset[str]] = frozenset(
    {REPLY_PUBLIC, REPLY_PRIVATE, HIDE, DELETE, BLOCK, MUTE, COMMENTS_TOGGLE, PUBLISH, REPORT}
)


@dataclass(frozen=True, slots=True)
class RateState:
    """What the platform's last response said about our remaining budget."""

    limit: int | None = None
    remaining: int | None = None
    resets_at: datetime | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PollPage:
    messages: list[InboundMessage] = field(default_factory=list)
    cursor: str = ""  # hand back on the next poll; empty when there is nothing newer


class Connector(Protocol):
    name: str
    platform: str
    account_id: str
    capabilities: frozenset[str]

    # webhooks
    def handshake(self, query: Mapping[str, str]) -> tuple[int, str, str]:
        """(status, content type, body) answering the platform's subscription check."""
        ...

    def verify_signature(self, headers: Mapping[str, str], raw_body: bytes) -> bool: ...

    def parse_events(self, raw_body: bytes) -> list[InboundMessage]: ...

    def poll_events(self, cursor: str) -> PollPage: ...

    # replies
    def reply_public(self, target: ReplyTarget, text: str) -> SentReply: ...

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply: ...

    # moderation; each has its undo beside it, delete has none
    def hide(self, target: ReplyTarget) -> None: ...

    def unhide(self, target: ReplyTarget) -> None: ...

    def delete(self, target: ReplyTarget) -> None: ...

    def block(self, author_id: str) -> None: ...

    def unblock(self, author_id: str) -> None: ...

    def mute(self, author_id: str) -> None: ...

    def unmute(self, author_id: str) -> None: ...

    def set_comments(self, post_id: str, enabled: bool) -> None: ...

    # publishing
    def publish(
        self, account_id: str, text: str, *, idempotency_key: str = "", media_url: str = ""
    ) -> str: ...

    def rate_state(self) -> RateState: ...
