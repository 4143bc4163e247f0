"""How long a reply may be on each platform, and how each platform counts.

X counts *weighted* characters (twitter-text v3; ``civildesk.publishing.xtext`` implements the
rules for replies and scheduled posts alike): most Latin, Greek and Cyrillic characters and common
punctuation weigh 1, everything else (CJK, emoji) weighs 2, and any URL weighs 23 whatever its
length, after NFC normalisation. An emoji sequence is one emoji. The other platforms count plain
characters. Limits are the platforms' documented ones (platforms.md); LinkedIn pages cannot send private messages through the API at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from civildesk.publishing import xtext

# (platform, visibility) -> maximum length; absent means the platform offers no such reply.
LIMITS: Final[dict[tuple[str, str], int]] = {
    ("x", "public"): 280,
    ("x", "private"): 10_000,
    ("facebook", "public"): 8_000,
    ("facebook", "private"): 2_000,
    ("instagram", "public"): 2_200,
    ("instagram", "private"): 1_000,
    ("linkedin", "public"): 1_250,
}


def x_weighted_length(text: str) -> int:
    return xtext.weighted_length(text)


def length(platform: str, text: str) -> int:
    return x_weighted_length(text) if platform == "x" else len(text)


@dataclass(frozen=True, slots=True)
class LengthCheck:
    platform: str
    visibility: str
    length: int
    limit: int | None  # None: this platform cannot send this kind of reply

    @property
    def supported(self) -> bool:
        return self.limit is not None

    @property
    def ok(self) -> bool:
        return self.limit is not None and 0 < self.length <= self.limit

    @property
    def message(self) -> str:
        if self.limit is None:
            return f"{self.platform} does not allow {self.visibility} replies from an organisation account"
        if self.length == 0:
            return "The reply is empty"
        if self.length > self.limit:
            return f"{self.length - self.limit} characters too long for {self.platform} (limit {self.limit})"
        return f"{self.limit - self.length} characters left"


def check(platform: str, visibility: str, text: str) -> LengthCheck:
    return LengthCheck(
        platform, visibility, length(platform, text.strip()), LIMITS.get((platform, visibility))
    )
