"""Comparing two decisions on the same message, and adding the differences up. Pure.

The questions a policy edit must answer before it is adopted:
- more or fewer removals (``removal == "required"``), and which messages;
- any *criticism* that would now be removed (the policy protects criticism: a removal is only
  ever for a breach, so this should be zero);
- any *crisis* that would now be missed (a message the current policy treats as a crisis, P1,
  that the new one does not);
- how priorities, labels and actions move.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Outcome:
    labels: frozenset[str]
    priority: str
    removal: str
    actions: frozenset[str]
    signposts: frozenset[str] = frozenset()
    policy_version: str = ""

    @property
    def removes(self) -> bool:
        return self.removal == "required"

    @property
    def crisis(self) -> bool:
        return "crisis" in self.labels or self.priority == "P1"

    @classmethod
    def of(cls, decision: Any) -> Outcome:
        """From an engine Decision, a stored Decision row or the contract dict."""
        get = decision.get if isinstance(decision, Mapping) else lambda k, d=None: getattr(decision, k, d)
        return cls(
            labels=frozenset(get("labels", ()) or ()),
            priority=str(get("priority", "") or ""),
            removal=str(get("removal", "") or ""),
            actions=frozenset(get("actions", ()) or ()),
            signposts=frozenset(get("signposts", ()) or ()),
            policy_version=str(get("policy_version", "") or ""),
        )


@dataclass
class Report:
    examples_per_kind: int = 5
    messages: int = 0
    changed: int = 0
    removals_before: int = 0
    removals_after: int = 0
    newly_removed: list[str] = field(default_factory=list)
    no_longer_removed: list[str] = field(default_factory=list)
    criticism_removed: list[str] = field(default_factory=list)
    crisis_missed: list[str] = field(default_factory=list)
    crisis_added: list[str] = field(default_factory=list)
    priority_moves: Counter[tuple[str, str]] = field(default_factory=Counter)
    labels_gained: Counter[str] = field(default_factory=Counter)
    labels_lost: Counter[str] = field(default_factory=Counter)
    actions_gained: Counter[str] = field(default_factory=Counter)
    actions_lost: Counter[str] = field(default_factory=Counter)
    versions_before: Counter[str] = field(default_factory=Counter)
    versions_after: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, message_id: str, before: Outcome, after: Outcome) -> None:
        self.messages += 1
        self.versions_before[before.policy_version] += 1
        self.versions_after[after.policy_version] += 1
        self.removals_before += before.removes
        self.removals_after += after.removes
        if (before.labels, before.priority, before.removal, before.actions) != (
            after.labels,
            after.priority,
            after.removal,
            after.actions,
        ):
            self.changed += 1
        if after.removes and not before.removes:
            self.newly_removed.append(message_id)
            if "criticism" in before.labels | after.labels:
                self.criticism_removed.append(message_id)
        if before.removes and not after.removes:
            self.no_longer_removed.append(message_id)
        if before.crisis and not after.crisis:
            self.crisis_missed.append(message_id)
        if after.crisis and not before.crisis:
            self.crisis_added.append(message_id)
        if before.priority != after.priority:
            self.priority_moves[(before.priority, after.priority)] += 1
        for label in after.labels - before.labels:
            self.labels_gained[label] += 1
            self._example(f"+{label}", message_id)
        for label in before.labels - after.labels:
            self.labels_lost[label] += 1
            self._example(f"-{label}", message_id)
        for action in after.actions - before.actions:
            self.actions_gained[action] += 1
        for action in before.actions - after.actions:
            self.actions_lost[action] += 1

    def _example(self, kind: str, message_id: str) -> None:
        bucket = self.examples.setdefault(kind, [])
        if len(bucket) < self.examples_per_kind:
            bucket.append(message_id)

    @property
    def risky(self) -> bool:
        """A change nobody should adopt unread: criticism removed or a crisis missed."""
        return bool(self.criticism_removed or self.crisis_missed)

    def per_label(self) -> dict[str, dict[str, int]]:
        labels = sorted(set(self.labels_gained) | set(self.labels_lost))
        return {
            label: {
                "gained": self.labels_gained[label],
                "lost": self.labels_lost[label],
                "net": self.labels_gained[label] - self.labels_lost[label],
            }
            for label in labels
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "changed": self.changed,
            "removals": {
                "before": self.removals_before,
                "after": self.removals_after,
                "newly_removed": len(self.newly_removed),
                "no_longer_removed": len(self.no_longer_removed),
                "newly_removed_ids": self.newly_removed[: self.examples_per_kind * 4],
                "no_longer_removed_ids": self.no_longer_removed[: self.examples_per_kind * 4],
            },
            "criticism_removed": len(self.criticism_removed),
            "criticism_removed_ids": self.criticism_removed,
            "crisis_missed": len(self.crisis_missed),
            "crisis_missed_ids": self.crisis_missed,
            "crisis_added": len(self.crisis_added),
            "priority_moves": {
                f"{a or '-'}->{b or '-'}": n for (a, b), n in sorted(self.priority_moves.items())
            },
            "labels": self.per_label(),
            "actions": {
                a: {"gained": self.actions_gained[a], "lost": self.actions_lost[a]}
                for a in sorted(set(self.actions_gained) | set(self.actions_lost))
            },
            "policy_versions": {"before": dict(self.versions_before), "after": dict(self.versions_after)},
            "examples": self.examples,
            "risky": self.risky,
        }


def render(report: Report, *, title: str = "") -> str:
    r = report.as_dict()
    lines = [title] if title else []
    lines.append(f"messages replayed   {r['messages']}  (decision changed for {r['changed']})")
    rem = r["removals"]
    delta = rem["after"] - rem["before"]
    more = "more" if delta > 0 else "fewer" if delta < 0 else "the same number of"
    lines.append(
        f"removals            {rem['before']} -> {rem['after']}  ({abs(delta) or ''} {more} removals; "
        f"{rem['newly_removed']} newly removed, {rem['no_longer_removed']} no longer removed)".replace(
            "( ", "("
        )
    )
    if rem["newly_removed_ids"]:
        lines.append(f"  newly removed     {', '.join(rem['newly_removed_ids'])}")
    lines.append(f"criticism removed   {r['criticism_removed']}" + _ids(r["criticism_removed_ids"]))
    lines.append(f"crisis missed       {r['crisis_missed']}" + _ids(r["crisis_missed_ids"]))
    lines.append(f"crisis added        {r['crisis_added']}")
    if r["priority_moves"]:
        lines.append("priority changes")
        lines.extend(f"  {move:<10} {n}" for move, n in r["priority_moves"].items())
    if r["labels"]:
        lines.append(f"  {'label':<22} {'gained':>6} {'lost':>6} {'net':>6}")
        for label, c in r["labels"].items():
            lines.append(f"  {label:<22} {c['gained']:>6} {c['lost']:>6} {c['net']:>+6}")
    if r["actions"]:
        lines.append(f"  {'action':<22} {'gained':>6} {'lost':>6}")
        for action, c in r["actions"].items():
            lines.append(f"  {action:<22} {c['gained']:>6} {c['lost']:>6}")
    if report.risky:
        lines.append(
            "NOT SAFE TO ADOPT AS IS: the new policy removes criticism or misses a crisis (see above)."
        )
    elif not r["changed"]:
        lines.append("No decision would change.")
    return "\n".join(lines)


def _ids(ids: Iterable[str], limit: int = 20) -> str:
    listed = list(ids)
    if not listed:
        return ""
    more = f" and {len(listed) - limit} more" if len(listed) > limit else ""
    return f"  (messages {', '.join(listed[:limit])}{more})"
