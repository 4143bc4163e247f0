"""Message text with the engine's evidence spans marked, safe to put in a page.

The text is attacker-controlled: every piece of it is escaped here, and only the <mark> tags this
module writes are markup. Spans may overlap (one word can be profanity and abuse at once), so the
text is cut at every span boundary and each piece is marked with all the labels covering it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    labels: tuple[str, ...]
    notes: tuple[str, ...]


def segments(text: str, evidence: Iterable[Mapping[str, Any]]) -> list[Segment]:
    spans = []
    for item in evidence:
        try:
            start, end = int(item["start"]), int(item["end"])
        except (KeyError, TypeError, ValueError):
            continue
        start, end = max(0, start), min(len(text), end)
        if end > start:
            spans.append((start, end, str(item.get("label", "")), str(item.get("note", ""))))
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    out: list[Segment] = []
    for lo, hi in pairwise(cuts):
        covering = [(label, note) for s, e, label, note in spans if s <= lo and hi <= e]
        labels = tuple(dict.fromkeys(label for label, _ in covering))
        notes = tuple(dict.fromkeys(note for _, note in covering if note))
        if out and out[-1].labels == labels and out[-1].notes == notes:
            out[-1] = Segment(out[-1].text + text[lo:hi], labels, notes)
        else:
            out.append(Segment(text[lo:hi], labels, notes))
    return out


def highlight(text: str, evidence: Iterable[Mapping[str, Any]]) -> SafeString:
    parts: list[str] = []
    for seg in segments(text, evidence):
        if not seg.labels:
            parts.append(escape(seg.text))
            continue
        label_text = ", ".join(label.replace("_", " ") for label in seg.labels)
        title = label_text + (": " + "; ".join(seg.notes) if seg.notes else "")
        classes = " ".join(["cd-evidence", *(f"cd-evidence--{escape(label)}" for label in seg.labels)])
        parts.append(
            f'<mark class="{classes}" data-labels="{escape(" ".join(seg.labels))}" title="{escape(title)}">'
            f"{escape(seg.text)}"
            f'<span class="nhsuk-u-visually-hidden"> (evidence: {escape(label_text)})</span></mark>'
        )
    return mark_safe("".join(parts))
