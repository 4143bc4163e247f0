"""The reply composer's first draft: which of the policy's templates fit a decision, filled in.

Choosing the template follows the engine's signposts (the engine decided *that* the crisis line
or PALS is owed; this module only picks the wording that carries it). Nothing here classifies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

# Templates an officer may send as a reply (notices to authors belong to moderation).
REPLY_TEMPLATES: Final[tuple[str, ...]] = (
    "crisis_reply",
    "dm_request",
    "pals",
    "complaints",
    "clinical_signposting",
    "thanks",
    "passed_on",
)
TEMPLATE_LABELS: Final[dict[str, str]] = {
    "crisis_reply": "Crisis line",
    "dm_request": "Ask for a private message",
    "pals": "PALS",
    "complaints": "Complaints process",
    "clinical_signposting": "Clinical signposting",
    "thanks": "Thank you",
    "passed_on": "Passed on to a team",
}
# In the order of urgency: the crisis line always comes first.
SIGNPOST_TEMPLATES: Final[tuple[tuple[str, str], ...]] = (
    ("crisis_line", "crisis_reply"),
    ("emergency", "crisis_reply"),
    ("private_message", "dm_request"),
    ("complaints", "complaints"),
    ("pals", "pals"),
    ("clinical_services", "clinical_signposting"),
)
# Feedback deserves thanks even though no signpost is owed.
LABEL_TEMPLATES: Final[tuple[tuple[str, str], ...]] = (("praise", "thanks"),)
HANDLE_PLATFORMS: Final[frozenset[str]] = frozenset({"x", "instagram"})


def suggested_templates(
    signposts: Iterable[str], labels: Iterable[str], available: Mapping[str, str]
) -> list[str]:
    owed = set(signposts)
    found = set(labels)
    out: list[str] = []
    for signpost, name in SIGNPOST_TEMPLATES:
        if signpost in owed and name in available and name not in out:
            out.append(name)
    for label, name in LABEL_TEMPLATES:
        if label in found and name in available and name not in out:
            out.append(name)
    return out


def author_placeholder(platform: str, handle: str, display_name: str) -> str:
    """How to greet the author: @handle where handles are the norm, else the shown name."""
    if platform in HANDLE_PLATFORMS and handle:
        return handle if handle.startswith("@") else f"@{handle}"
    return display_name or handle or "there"


def default_visibility(platform: str, kind: str, actions: Iterable[str]) -> str:
    if kind == "dm":
        return "private"
    if "reply_private" in set(actions) and platform != "linkedin":
        return "private"
    return "public"


@dataclass(frozen=True, slots=True)
class Draft:
    template: str
    text: str
    visibility: str
    suggestions: tuple[str, ...]
