"""What each platform accepts in a post, checked before a scheduled post is saved. Pure.

One post is composed once and sent to several accounts, so the same text is checked against the
rules of every platform it targets, and each problem names its platform:

- X: at most 280 *weighted* characters, counted as X counts them (``xtext``: URLs weigh 23,
  emoji and CJK 2); no U+FFFE/U+FEFF/U+FFFF.
- Instagram: no text-only posts (an image is required, given as a public ``https`` JPEG URL,
  since the platform fetches it), a caption of at most 2,200 characters and at most 30 hashtags.
- LinkedIn: at most 3,000 characters.
- Facebook: at most 63,206 characters, and a scheduled post must be at least 10 minutes ahead
  (the Graph API's own floor for ``scheduled_publish_time``).
- Every platform: some text, and a time that is still in the future.

Sources: ../shared/platforms.md and the platforms' documentation it cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

from civildesk.publishing import xtext

PLATFORMS: Final[tuple[str, ...]] = ("x", "facebook", "instagram", "linkedin")

# Characters (or X's weighted characters) a post may hold.
TEXT_LIMITS: Final[dict[str, int]] = {
    "x": xtext.MAX_WEIGHTED_LENGTH,
    "facebook": 63_206,
    "instagram": 2_200,
    "linkedin": 3_000,
}
INSTAGRAM_MAX_HASHTAGS: Final = 30
FACEBOOK_MIN_LEAD: Final = timedelta(minutes=10)
JPEG_SUFFIXES: Final = (".jpg", ".jpeg")

# A hashtag as Instagram counts them: '#' and at least one letter, digit or underscore, not in the
# middle of a word ("C#" is not a tag) and not an HTML entity ("&#39;").
_HASHTAG = re.compile(r"(?<![\w&#])#\w+")


@dataclass(frozen=True, slots=True)
class Problem:
    platform: str
    field: str  # text | media_url | scheduled_at
    message: str

    def __str__(self) -> str:
        if not self.platform:
            return self.message[:1].upper() + self.message[1:]
        return f"{PLATFORM_NAMES.get(self.platform, self.platform)}: {self.message}"


@dataclass(frozen=True, slots=True)
class Measure:
    platform: str
    length: int
    limit: int
    unit: str

    @property
    def remaining(self) -> int:
        return self.limit - self.length

    @property
    def platform_name(self) -> str:
        return PLATFORM_NAMES.get(self.platform, self.platform)

    @property
    def over(self) -> bool:
        return self.length > self.limit


PLATFORM_NAMES: Final[dict[str, str]] = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
}


def length(platform: str, text: str) -> int:
    return xtext.weighted_length(text) if platform == "x" else len(text)


def measure(platform: str, text: str) -> Measure:
    unit = "weighted characters" if platform == "x" else "characters"
    return Measure(platform, length(platform, text), TEXT_LIMITS[platform], unit)


def hashtags(text: str) -> list[str]:
    return _HASHTAG.findall(text)


def _is_public_jpeg_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and parts.path.lower().endswith(JPEG_SUFFIXES)


def validate(
    platform: str,
    text: str,
    *,
    media_url: str = "",
    scheduled_at: datetime | None = None,
    now: datetime | None = None,
) -> list[Problem]:
    """Everything ``platform`` would refuse about this post (empty when it is fine)."""
    if platform not in TEXT_LIMITS:
        return [Problem(platform, "accounts", f"civildesk cannot publish to {platform!r}")]
    problems: list[Problem] = []

    def problem(field: str, message: str) -> None:
        problems.append(Problem(platform, field, message))

    text = text.strip()
    if not text:
        problem("text", "the post has no text")
    size = measure(platform, text)
    if size.over:
        problem(
            "text",
            f"{size.length:,} {size.unit}, {size.length - size.limit:,} over the limit of {size.limit:,}",
        )
    if platform == "x" and xtext.parse(text).has_invalid_characters:
        problem("text", "the text contains characters X refuses (U+FFFE, U+FEFF or U+FFFF)")
    if platform == "instagram":
        if not media_url.strip():
            problem("media_url", "Instagram needs an image: give the public https address of a JPEG")
        elif not _is_public_jpeg_url(media_url.strip()):
            problem("media_url", "the image must be a public https address of a JPEG (.jpg or .jpeg)")
        tags = len(hashtags(text))
        if tags > INSTAGRAM_MAX_HASHTAGS:
            problem("text", f"{tags} hashtags; Instagram allows at most {INSTAGRAM_MAX_HASHTAGS}")
    if scheduled_at is not None and now is not None:
        if scheduled_at <= now:
            problem("scheduled_at", "the time has already passed")
        elif platform == "facebook" and scheduled_at - now < FACEBOOK_MIN_LEAD:
            problem("scheduled_at", "Facebook needs a scheduled post to be at least 10 minutes ahead")
    return problems


def validate_all(
    platforms: Iterable[str],
    text: str,
    *,
    media_url: str = "",
    scheduled_at: datetime | None = None,
    now: datetime | None = None,
) -> list[Problem]:
    """The problems for every platform the post goes to, once per platform."""
    out: list[Problem] = []
    for platform in dict.fromkeys(platforms):
        out.extend(validate(platform, text, media_url=media_url, scheduled_at=scheduled_at, now=now))
    return out
