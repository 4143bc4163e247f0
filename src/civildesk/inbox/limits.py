"""How long a reply may be on each platform, and how each platform counts.

X counts *weighted* characters (twitter-text v3): most Latin, Greek and Cyrillic characters and
common punctuation weigh 1, everything else (CJK, emoji) weighs 2, and any URL weighs 23 whatever
its length, after NFC normalisation. An emoji sequence joined with ZWJ or a skin-tone modifier is
one emoji. The other platforms count plain characters. Limits are the platforms' documented ones
(platforms.md); LinkedIn pages cannot send private messages through the API at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

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

_URL = re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE)
_X_URL_WEIGHT = 23
# twitter-text v3 ranges that weigh 1; everything else weighs 2.
_LIGHT_RANGES: Final[tuple[tuple[int, int], ...]] = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_JOINERS = {0x200D, 0xFE0F, 0xFE0E}


def _light(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _LIGHT_RANGES)


def _is_modifier(cp: int) -> bool:
    return 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F


def x_weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    total = 0
    last = 0
    for match in _URL.finditer(text):
        total += _weigh(text[last : match.start()]) + _X_URL_WEIGHT
        last = match.end()
    return total + _weigh(text[last:])


def _weigh(text: str) -> int:
    total = 0
    joined = False  # the previous code point glues this one into the same emoji
    in_emoji = False
    for ch in text:
        cp = ord(ch)
        if in_emoji and (cp in _JOINERS or _is_modifier(cp)):
            joined = cp == 0x200D
            continue
        if joined:
            joined = False
            continue
        in_emoji = not _light(cp)
        total += 1 if _light(cp) else 2
    return total


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
