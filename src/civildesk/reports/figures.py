"""The report's figures, computed from plain facts about messages. No Django here.

The definitions, because a leader will ask "what does 92 % mean?":

- A message belongs to the period by ``posted_at`` (the platform's time), the same moment the SLA
  clock starts from; days are London days.
- **SLA met %** = met / (met + missed). *Met*: a person replied by the due time. *Missed*: replied
  late, or still waiting (open or assigned) after the due time. Still waiting but not yet due is
  *pending*; closed or actioned without a reply (spam hidden, a duplicate closed) owed no reply and
  is left out of the percentage rather than counted as a success.
- **Median first response** is measured in *working* time (the policy's hours, bank holidays
  and closures excluded) from posting to a person's first reply: a Friday 16:30 message answered
  Monday 09:30 took one working hour, not three days.
- **Time to first crisis reply** is wall-clock time from posting to the first reply the platform
  accepted, the automatic out-of-hours crisis reply included: crisis is a 24-hour matter.
- **Top recurring authors**: people who wrote two or more times in the period.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from civildesk.inbox.sla import WorkingHours
from civildesk.inbox.triage import WAITING
from civildesk.reports.period import Period

SlaOutcome = Literal["met", "missed", "pending", "no_reply_owed"]
TOP_AUTHORS = 10


@dataclass(frozen=True, slots=True)
class MessageFacts:
    pk: int
    platform: str
    kind: str
    posted_at: datetime
    author_key: str
    author_name: str
    priority: str
    labels: tuple[str, ...]
    status: str
    due_at: datetime
    answered_at: datetime | None  # a person's first reply
    first_reply_at: datetime | None  # the first reply the platform accepted, automatic included
    text: str = ""  # only the CSV export shows it


@dataclass(frozen=True, slots=True)
class DayVolume:
    day: date
    counts: tuple[int, ...]  # in the order of Report.platforms

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class CrisisFigures:
    count: int
    replied: int
    median_minutes: float | None
    longest_minutes: float | None

    @property
    def unreplied(self) -> int:
        return self.count - self.replied


@dataclass(frozen=True, slots=True)
class SlaFigures:
    met: int
    missed: int
    pending: int
    no_reply_owed: int

    @property
    def percent_met(self) -> float | None:
        decided = self.met + self.missed
        return None if decided == 0 else 100.0 * self.met / decided


@dataclass(frozen=True, slots=True)
class AuthorRow:
    name: str
    platform: str
    messages: int
    top_label: str


@dataclass(frozen=True, slots=True)
class PostFigures:
    """Scheduled posts due in the period, per account they went to."""

    published: int = 0
    failed: int = 0
    unknown: int = 0  # the worker died mid-send: a person must check the platform
    waiting: int = 0  # still pending, sending, or awaiting approval


@dataclass(frozen=True, slots=True)
class ModerationFigures:
    """From civildesk.moderation.reporting when it exists; otherwise ``recorded`` is False."""

    recorded: bool
    actions_by_type: Mapping[str, int] = field(default_factory=dict)
    criticism_overrides: int | None = None
    appeals: Mapping[str, int] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    generated_at: datetime
    policy_version: str
    platforms: tuple[tuple[str, str], ...]  # (value, label), the chart and table order
    total: int
    volume: tuple[DayVolume, ...]
    by_platform: tuple[tuple[str, int], ...]  # (label, count)
    labels: tuple[tuple[str, int], ...]  # most frequent first
    crisis: CrisisFigures
    sla: SlaFigures
    median_first_response_minutes: float | None
    responses_counted: int
    top_authors: tuple[AuthorRow, ...]
    posts: PostFigures
    moderation: ModerationFigures


def sla_outcome(fact: MessageFacts, as_of: datetime) -> SlaOutcome:
    if fact.answered_at is not None:
        return "met" if fact.answered_at <= fact.due_at else "missed"
    if fact.status in WAITING:
        return "missed" if fact.due_at <= as_of else "pending"
    return "no_reply_owed"


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _minutes(begin: datetime, finish: datetime) -> float:
    return max(0.0, (finish - begin).total_seconds() / 60.0)


def compute(
    period: Period,
    facts: Iterable[MessageFacts],
    *,
    hours: WorkingHours,
    as_of: datetime,
    platforms: Sequence[tuple[str, str]],
    posts: PostFigures,
    moderation: ModerationFigures,
    policy_version: str = "",
) -> Report:
    """All the figures for ``period``; facts outside the period are ignored."""
    rows = [f for f in facts if period.contains(f.posted_at)]
    order = [value for value, _ in platforms]
    index = {value: n for n, value in enumerate(order)}

    per_day: dict[date, list[int]] = {day: [0] * len(order) for day in period.dates}
    for f in rows:
        if f.platform in index:
            per_day[period.local_date(f.posted_at)][index[f.platform]] += 1
    volume = tuple(DayVolume(day, tuple(counts)) for day, counts in per_day.items())
    platform_totals = Counter(f.platform for f in rows)

    label_counts = Counter(label for f in rows for label in f.labels)
    labels = tuple(sorted(label_counts.items(), key=lambda item: (-item[1], item[0])))

    crisis_rows = [f for f in rows if f.priority == "P1"]
    crisis_minutes = [_minutes(f.posted_at, f.first_reply_at) for f in crisis_rows if f.first_reply_at]
    crisis = CrisisFigures(
        count=len(crisis_rows),
        replied=len(crisis_minutes),
        median_minutes=_median(crisis_minutes),
        longest_minutes=max(crisis_minutes) if crisis_minutes else None,
    )

    outcomes = Counter(sla_outcome(f, as_of) for f in rows)
    sla = SlaFigures(
        met=outcomes["met"],
        missed=outcomes["missed"],
        pending=outcomes["pending"],
        no_reply_owed=outcomes["no_reply_owed"],
    )

    response_minutes = [
        hours.working_seconds(f.posted_at, f.answered_at) / 60.0 for f in rows if f.answered_at is not None
    ]

    return Report(
        period=period,
        generated_at=as_of,
        policy_version=policy_version,
        platforms=tuple(platforms),
        total=len(rows),
        volume=volume,
        by_platform=tuple((label, platform_totals[value]) for value, label in platforms),
        labels=labels,
        crisis=crisis,
        sla=sla,
        median_first_response_minutes=_median(response_minutes),
        responses_counted=len(response_minutes),
        top_authors=top_authors(rows, dict(platforms)),
        posts=posts,
        moderation=moderation,
    )


def top_authors(rows: Sequence[MessageFacts], platform_labels: Mapping[str, str]) -> tuple[AuthorRow, ...]:
    by_author: dict[str, list[MessageFacts]] = {}
    for f in rows:
        by_author.setdefault(f.author_key, []).append(f)
    recurring = [(key, msgs) for key, msgs in by_author.items() if len(msgs) >= 2]
    recurring.sort(key=lambda item: (-len(item[1]), item[1][0].author_name, item[0]))
    out: list[AuthorRow] = []
    for _key, msgs in recurring[:TOP_AUTHORS]:
        labels = Counter(label for m in msgs for label in m.labels)
        top = sorted(labels.items(), key=lambda item: (-item[1], item[0]))
        out.append(
            AuthorRow(
                name=msgs[0].author_name,
                platform=platform_labels.get(msgs[0].platform, msgs[0].platform),
                messages=len(msgs),
                top_label=top[0][0] if top else "",
            )
        )
    return tuple(out)


def describe_minutes(minutes: float | None, *, working: bool = False) -> str:
    """``None`` -> "–"; 0.5 -> "30 s"; 75 -> "1 h 15 min"; 3000 -> "2 d 2 h".

    Working time is never shown in days: "a day" of working time would be read as 24 hours.
    """
    if minutes is None:
        return "–"
    if minutes < 1:
        return f"{round(minutes * 60)} s"
    whole = round(minutes)
    days, rest = (0, whole) if working else divmod(whole, 24 * 60)
    hrs, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hrs} h"
    if hrs:
        return f"{hrs} h {mins:02d} min"
    return f"{mins} min"


def describe_percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def as_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data (for the JSON API): numbers stay numbers, times are ISO 8601."""
    period = report.period
    crisis, sla, posts, mod = report.crisis, report.sla, report.posts, report.moderation
    return {
        "week": period.iso_week,
        "first_day": period.first_day.isoformat(),
        "last_day": period.last_day.isoformat(),
        "timezone": period.timezone,
        "generated_at": report.generated_at.isoformat(),
        "policy_version": report.policy_version,
        "messages": report.total,
        "by_platform": {
            value: count for (value, _), (_, count) in zip(report.platforms, report.by_platform, strict=True)
        },
        "by_day": [
            {
                "day": v.day.isoformat(),
                **{value: v.counts[n] for n, (value, _) in enumerate(report.platforms)},
            }
            for v in report.volume
        ],
        "labels": dict(report.labels),
        "crisis": {
            "count": crisis.count,
            "replied": crisis.replied,
            "median_minutes_to_first_reply": crisis.median_minutes,
            "longest_minutes_to_first_reply": crisis.longest_minutes,
        },
        "sla": {
            "met": sla.met,
            "missed": sla.missed,
            "pending": sla.pending,
            "no_reply_owed": sla.no_reply_owed,
            "percent_met": sla.percent_met,
        },
        "median_first_response_working_minutes": report.median_first_response_minutes,
        "responses_counted": report.responses_counted,
        "top_authors": [
            {"name": a.name, "platform": a.platform, "messages": a.messages, "top_label": a.top_label}
            for a in report.top_authors
        ],
        "scheduled_posts": {
            "published": posts.published,
            "failed": posts.failed,
            "unknown": posts.unknown,
            "waiting": posts.waiting,
        },
        "moderation": {
            "recorded": mod.recorded,
            "actions_by_type": dict(mod.actions_by_type),
            "criticism_overrides": mod.criticism_overrides,
            "appeals": dict(mod.appeals),
        },
    }
