"""What every source hands to the ingestion service: one platform event, already parsed.

Webhooks, polling, file import and the simulator all build an ``InboundMessage`` and call
``civildesk.inbox.ingest.ingest``. This module stays free of Django so connectors and parsers can
build messages without a configured project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

PLATFORMS: Final[tuple[str, ...]] = ("x", "facebook", "instagram", "linkedin")
KINDS: Final[tuple[str, ...]] = ("mention", "reply", "comment", "dm")
EventType = Literal["create", "edit", "delete"]
EVENT_TYPES: Final[tuple[str, ...]] = ("create", "edit", "delete")


class InvalidInbound(ValueError):
    """The source produced something the desk cannot store (it names the field)."""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    platform: str  # x | facebook | instagram | linkedin
    account_id: str  # the organisation's account on that platform (page id, user id, URN)
    platform_id: str  # the message's id on the platform: unique per account
    kind: str  # mention | reply | comment | dm
    text: str
    author_id: str
    author_handle: str = ""
    author_name: str = ""
    created_at: datetime | None = None  # when the platform says it was posted
    thread_id: str = ""  # conversation / post the message belongs to
    parent_id: str = ""  # platform id of the message it answers, if any
    event: EventType = "create"
    raw: dict[str, Any] = field(default_factory=dict)  # the platform's JSON, kept verbatim

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise InvalidInbound(f"platform: {self.platform!r} is not one of {', '.join(PLATFORMS)}")
        if self.kind not in KINDS:
            raise InvalidInbound(f"kind: {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.event not in EVENT_TYPES:
            raise InvalidInbound(f"event: {self.event!r} is not one of {', '.join(EVENT_TYPES)}")
        for name in ("account_id", "platform_id", "author_id"):
            value = getattr(self, name)
            if not value or len(value) > 200:
                raise InvalidInbound(f"{name}: must be 1-200 characters")
        if self.created_at is not None and self.created_at.tzinfo is None:
            raise InvalidInbound("created_at: must be timezone-aware")
