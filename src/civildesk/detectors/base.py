"""The detector interface: what every detector receives and what it returns.

Detectors are pure: no Django, no I/O at call time. Each one looks at a message and returns
findings, every finding naming the span of text that justifies it so that a person (or a
complainant) can see *why* a label was given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from civildesk.detectors.normalise import Normalised, normalise


class LazyRegex:
    """A regular expression compiled the first time it is used. The detectors' big pattern sets
    (lexicon sections, phrase books) took most of the engine's start-up to compile, while any one
    message needs only a few of them; the test suite compiles every one, so a broken pattern still
    fails there rather than on the message that first needs it."""

    __slots__ = ("_rx", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._rx: re.Pattern[str] | None = None

    def get(self) -> re.Pattern[str]:
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self.source)
        return rx

    @property
    def compiled(self) -> bool:
        return self._rx is not None


# The contract labels (DESIGN.md). Use exactly these names.
LABELS: tuple[str, ...] = (
    "hate",
    "profanity",
    "violence",
    "defamation",
    "abuse",
    "targets_staff",
    "inappropriate_link",
    "illegal_activity",
    "personal_information",
    "advertising",
    "mean_spirited",
    "crisis",
    "individual_care",
    "complaint",
    "clinical_question",
    "criticism",
    "praise",
)

# Signals that are not contract labels but that the engine reads (priority, signposts).
# "question": the author asks something that deserves a reply (raises P5 to P4).
SIGNALS: tuple[str, ...] = ("question",)

KINDS: tuple[str, ...] = ("mention", "reply", "comment", "dm")
PLATFORMS: tuple[str, ...] = ("x", "facebook", "instagram", "linkedin")


@dataclass(frozen=True, slots=True)
class MessageInput:
    """One message as the engine sees it. Only ``text`` is required."""

    text: str
    platform: str | None = None
    kind: str | None = None  # mention | reply | comment | dm
    author: str | None = None
    id: str | None = None

    @property
    def is_private(self) -> bool:
        """A direct message is seen only by the Trust: details shared there are not exposed."""
        return self.kind == "dm"


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence: ``label`` holds for ``text[start:end]`` with confidence ``score``.

    ``kind`` refines the label for the engine (e.g. ``nhs_number`` for personal information,
    ``imminent`` for crisis, ``negated`` when a detector saw a cue but judged it does not apply;
    a finding with ``score`` 0 is kept only as an explanation and never raises a label).
    ``note`` is a short human-readable reason shown beside the highlighted span.
    """

    label: str
    score: float
    start: int
    end: int
    detector: str
    kind: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class StaffMember:
    name: str
    role: str = ""
    team: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """Organisation-specific data the detectors need, taken from policy.yaml by the caller."""

    organisation_names: tuple[str, ...] = ()
    account_handles: tuple[str, ...] = ()
    staff: tuple[StaffMember, ...] = ()
    places: tuple[str, ...] = ()  # sites, wards, teams, services: make a "name + place" disclosure
    extra: dict[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A message with its text normalised once, shared by every detector (normalising is the
    most expensive step, so no detector repeats it)."""

    message: MessageInput
    norm: Normalised

    @property
    def text(self) -> str:
        return self.message.text


def prepare(message: MessageInput) -> Prepared:
    return Prepared(message=message, norm=normalise(message.text))


class Detector(Protocol):
    """Anything with a name and a pure ``detect`` method."""

    name: str

    def detect(self, prepared: Prepared) -> list[Finding]: ...
