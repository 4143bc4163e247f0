"""How the author can be told about an action, and the reference that ties an appeal to it.

Pure (no Django): the platform rules from ../shared/platforms.md as data. Meta allows one
private reply to a comment within 7 days of it, and ordinary DMs within 24 hours of the
person's last message; X allows a DM (the person may refuse DMs, which the connector reports);
LinkedIn offers organisation pages no private messages at all.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

PRIVATE_REPLY_WINDOW: Final = timedelta(days=7)
DM_WINDOW: Final = timedelta(hours=24)
META: Final = frozenset({"facebook", "instagram"})
# Easy to read aloud and type from an e-mail: no 0/O, 1/I/L.
_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "CD-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def normalise_reference(text: str) -> str:
    """'cd-ab12cd', ' CD AB12CD ' -> 'CD-AB12CD' (people retype references in e-mails)."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if cleaned.startswith("CD"):
        cleaned = cleaned[2:]
    return f"CD-{cleaned}"


_REFERENCE_IN_TEXT: Final = re.compile(r"\bCD[-\s]?([A-Z2-9]{6})\b", re.IGNORECASE)


def find_reference(text: str) -> str:
    """The first notice reference quoted in an e-mail's subject or body ('' if none)."""
    found = _REFERENCE_IN_TEXT.search(text)
    return f"CD-{found.group(1).upper()}" if found else ""


@dataclass(frozen=True, slots=True)
class Channel:
    name: str  # "private_reply" | "dm" | "" (none possible)
    reason: str = ""  # why none is possible

    @property
    def possible(self) -> bool:
        return bool(self.name)


def choose_channel(
    *, platform: str, kind: str, posted_at: datetime, now: datetime, capabilities: Iterable[str]
) -> Channel:
    """The private channel the platform allows for this message now, or why there is none."""
    caps = set(capabilities)
    if "reply_private" not in caps:
        return Channel("", f"{platform} offers no private messages through its API for this account")
    age = now - posted_at
    if platform in META:
        if kind == "dm":
            if age > DM_WINDOW:
                return Channel("", "the 24-hour window for messaging this person has closed")
            return Channel("dm")
        if age > PRIVATE_REPLY_WINDOW:
            return Channel("", "the 7-day window for a private reply to this comment has closed")
        return Channel("private_reply")
    if platform == "x":
        return Channel("dm")
    return Channel("", f"{platform} offers no private messages to authors")
