"""The Decision: the stable output contract of the engine (DESIGN.md, "The decision")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    label: str
    start: int
    end: int
    detector: str
    kind: str = ""
    note: str = ""
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "detector": self.detector,
        }
        if self.kind:
            out["kind"] = self.kind
        if self.note:
            out["note"] = self.note
        if self.text:
            out["text"] = self.text
        return out


@dataclass(frozen=True, slots=True)
class Decision:
    id: str | None
    labels: tuple[str, ...]
    scores: dict[str, float]
    priority: str
    actions: tuple[str, ...]
    signposts: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    clauses: tuple[str, ...]
    policy_version: str
    removal: str  # "required" | "forbidden" | "none"
    auto_actions: tuple[str, ...] = ()
    explanations: tuple[Evidence, ...] = ()

    @property
    def removes(self) -> bool:
        return self.removal == "required"

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract. Keys may be added; the DESIGN.md keys never change meaning."""
        return {
            "id": self.id,
            "labels": list(self.labels),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "priority": self.priority,
            "actions": list(self.actions),
            "signposts": list(self.signposts),
            "evidence": [e.to_dict() for e in self.evidence],
            "clauses": list(self.clauses),
            "policy_version": self.policy_version,
            "removal": self.removal,
            "auto_actions": list(self.auto_actions),
            "explanations": [e.to_dict() for e in self.explanations],
        }
