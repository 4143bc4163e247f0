"""Scoring the engine against labelled files (pure: takes records and decisions, returns numbers).

Two shapes are understood:
- policy cases (shared/policy_examples.jsonl, tests/cases/*.jsonl): ``labels`` is a list of
  contract labels, with ``removal``, ``priority`` and ``signposts``;
- dataset rows (shared/data/*/*.jsonl): ``labels`` is a dict of dataset labels to 0/1, and only
  the keys present are annotated. Contract labels map onto dataset labels through
  ``DATASET_LABELS`` below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from civildesk.detectors.base import LABELS

# Which contract labels count as a positive for each public dataset label. Offensive in OLID
# and Davidson covers swearing, insults, slurs and threats alike; OLID's "targeted" level
# (abusive) is an insult or threat aimed at a person or group.
DATASET_LABELS: Mapping[str, frozenset[str]] = {
    "offensive": frozenset({"profanity", "abuse", "hate", "violence", "mean_spirited"}),
    "hateful": frozenset({"hate"}),
    "abusive": frozenset({"abuse", "hate", "violence", "mean_spirited"}),
    "spam": frozenset({"advertising", "inappropriate_link"}),
    "crisis": frozenset({"crisis"}),
    "negative_sentiment": frozenset(
        {"criticism", "abuse", "hate", "violence", "mean_spirited", "profanity", "complaint"}
    ),
    "pii": frozenset({"personal_information"}),
}


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, expected: bool, predicted: bool) -> None:
        if expected and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def f1_negative(self) -> float:
        denom = 2 * self.tn + self.fn + self.fp
        return 2 * self.tn / denom if denom else 0.0

    @property
    def macro_f1(self) -> float:
        """Mean of the positive-class and negative-class F1 (the usual binary "macro-F1")."""
        return (self.f1 + self.f1_negative) / 2

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class PolicyReport:
    n: int = 0
    per_label: dict[str, Counts] = field(default_factory=lambda: {label: Counts() for label in LABELS})
    priority_correct: int = 0
    removal_correct: int = 0
    signposts_correct: int = 0
    crisis_total: int = 0
    crisis_found: int = 0
    crisis_line_given: int = 0
    criticism_removed: list[str] = field(default_factory=list)
    missed_crisis: list[str] = field(default_factory=list)

    @property
    def micro(self) -> Counts:
        total = Counts()
        for c in self.per_label.values():
            total.tp += c.tp
            total.fp += c.fp
            total.fn += c.fn
        return total

    @property
    def macro_f1(self) -> float:
        present = [c.f1 for c in self.per_label.values() if c.support or c.fp]
        return sum(present) / len(present) if present else 0.0

    @property
    def crisis_recall(self) -> float:
        return self.crisis_found / self.crisis_total if self.crisis_total else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "micro_f1": round(self.micro.f1, 4),
            "micro_precision": round(self.micro.precision, 4),
            "micro_recall": round(self.micro.recall, 4),
            "macro_f1": round(self.macro_f1, 4),
            "crisis_recall": round(self.crisis_recall, 4),
            "crisis_line_signposted": f"{self.crisis_line_given}/{self.crisis_total}",
            "criticism_removed": len(self.criticism_removed),
            "criticism_removed_ids": self.criticism_removed,
            "missed_crisis_ids": self.missed_crisis,
            "priority_accuracy": round(self.priority_correct / self.n, 4) if self.n else 0.0,
            "removal_accuracy": round(self.removal_correct / self.n, 4) if self.n else 0.0,
            "signpost_accuracy": round(self.signposts_correct / self.n, 4) if self.n else 0.0,
            "per_label": {
                label: {
                    "precision": round(c.precision, 4),
                    "recall": round(c.recall, 4),
                    "f1": round(c.f1, 4),
                    "support": c.support,
                }
                for label, c in self.per_label.items()
            },
        }


def is_policy_case(record: Mapping[str, Any]) -> bool:
    return isinstance(record.get("labels"), list)


def score_policy_cases(
    records: Sequence[Mapping[str, Any]], decisions: Sequence[Mapping[str, Any]]
) -> PolicyReport:
    report = PolicyReport()
    for record, decision in zip(records, decisions, strict=True):
        report.n += 1
        rid = str(record.get("id", report.n))
        expected = set(record.get("labels", []))
        predicted = set(decision.get("labels", []))
        for label in LABELS:
            report.per_label[label].add(label in expected, label in predicted)
        if record.get("priority") == decision.get("priority"):
            report.priority_correct += 1
        if record.get("removal", "none") == decision.get("removal"):
            report.removal_correct += 1
        if set(record.get("signposts", [])) == set(decision.get("signposts", [])):
            report.signposts_correct += 1
        if "crisis" in expected:
            report.crisis_total += 1
            if "crisis" in predicted:
                report.crisis_found += 1
            else:
                report.missed_crisis.append(rid)
            if "crisis_line" in decision.get("signposts", []):
                report.crisis_line_given += 1
        if record.get("removal") == "forbidden" and decision.get("removal") == "required":
            report.criticism_removed.append(rid)
    return report


def score_dataset_rows(
    records: Iterable[Mapping[str, Any]], decisions: Iterable[Mapping[str, Any]]
) -> dict[str, Counts]:
    """Per dataset label counts, over only the rows that annotate that label."""
    out: dict[str, Counts] = {}
    for record, decision in zip(records, decisions, strict=True):
        predicted = set(decision.get("labels", []))
        for name, value in dict(record.get("labels", {})).items():
            mapped = DATASET_LABELS.get(name)
            if mapped is None:
                continue
            out.setdefault(name, Counts()).add(bool(value), bool(mapped & predicted))
    return out
