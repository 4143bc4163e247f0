"""Judging a "was this page helpful?" submission, and summarising ratings (pure: no Django).

Spam guards, cheapest first and none needing a third party:
- a honeypot field that people never see (hidden from sight and from screen readers) but form-
  filling robots complete;
- a minimum fill time: the form carries a signed time of issue, and a submission a couple of
  seconds after the page loaded was not typed by a person; a form older than a day has expired;
- more than two links in a comment is advertising, not feedback.
A robot is answered exactly as a person would be (the thanks page), so it learns nothing; only a
person's honest mistake (no rating chosen, a comment too long) is shown as an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

MAX_COMMENT = 1000
MIN_FILL_SECONDS = 3.0
MAX_FORM_AGE_SECONDS = 24 * 3600
MAX_LINKS = 2
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)

Outcome = Literal["accept", "invalid", "spam", "expired"]


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    rating: int = 0
    comment: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message for the person
    reason: str = ""  # why it was judged spam (for the log, never shown)


def judge(
    *,
    rating: str,
    comment: str,
    honeypot: str,
    issued_at: float | None,
    now: float,
    min_seconds: float = MIN_FILL_SECONDS,
) -> Verdict:
    """``issued_at`` is the verified time the form was served (None: missing or forged token)."""
    if honeypot.strip():
        return Verdict("spam", reason="honeypot filled")
    if issued_at is None:
        return Verdict("expired")
    age = now - issued_at
    if age > MAX_FORM_AGE_SECONDS:
        return Verdict("expired")
    if age < min_seconds:
        return Verdict("spam", reason=f"sent {age:.1f}s after the page loaded")
    comment = comment.replace("\r\n", "\n").strip()
    if len(_LINK.findall(comment)) > MAX_LINKS:
        return Verdict("spam", reason="too many links")
    errors: dict[str, str] = {}
    value = int(rating) if rating.strip() in {"1", "2", "3", "4", "5"} else 0
    if not value:
        errors["rating"] = "Choose a rating from 1 to 5"
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Your comment must be {MAX_COMMENT} characters or fewer"
    if errors:
        return Verdict("invalid", errors=errors)
    return Verdict("accept", rating=value, comment=comment)


@dataclass(frozen=True, slots=True)
class RatingSummary:
    count: int
    mean: float | None  # None when nobody has rated
    distribution: tuple[tuple[int, int], ...]  # (stars, how many) for 1..5, every value present
    helpful_share: float | None  # share of 4s and 5s
    comments: int

    @property
    def rows(self) -> list[tuple[int, int, int]]:
        """(stars, count, percent of all ratings) for a table."""
        return [(s, n, round(100 * n / self.count) if self.count else 0) for s, n in self.distribution]


def summarise(ratings: Iterable[tuple[int, str]]) -> RatingSummary:
    """Ratings as (stars, comment) pairs -> the figures a report shows."""
    counts = dict.fromkeys(range(1, 6), 0)
    comments = 0
    for stars, comment in ratings:
        if stars not in counts:
            raise ValueError(f"a rating must be 1 to 5, not {stars!r}")
        counts[stars] += 1
        comments += bool(comment.strip())
    n = sum(counts.values())
    return RatingSummary(
        count=n,
        mean=round(sum(s * c for s, c in counts.items()) / n, 2) if n else None,
        distribution=tuple(counts.items()),
        helpful_share=round((counts[4] + counts[5]) / n, 3) if n else None,
        comments=comments,
    )
