"""Replaying stored messages through the engine with another policy file (needs Django)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from civildesk.replay.compare import Outcome, Report

BATCH = 256
_SPAN = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)


class ReplayError(ValueError):
    """The replay cannot run as asked (bad --since, unreadable policy...)."""


def parse_since(value: str) -> timedelta:
    """'90d', '12w', '48h' -> a time span."""
    match = _SPAN.match(value or "")
    if not match:
        raise ReplayError(f"--since {value!r}: use a number and h, d or w, e.g. 90d")
    amount, unit = int(match.group(1)), match.group(2).lower()
    if amount <= 0 or amount > 100_000:
        raise ReplayError(f"--since {value!r}: out of range")
    return {"h": timedelta(hours=amount), "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]


def _with_directory(policy: Any) -> Any:
    """``policy`` (None: the one in force) with the admin's staff directory added, as the desk's
    own engine uses it, so both sides of the comparison know the same staff names."""
    from civildesk.detectors import StaffMember
    from civildesk.inbox import desk
    from civildesk.web.models import StaffDirectoryEntry

    rows = list(
        StaffDirectoryEntry.objects.filter(active=True)
        .order_by("pk")
        .values_list("name", "role", "team", "aliases")
    )
    if policy is None:
        return desk.policy_with_directory(rows)
    extra = tuple(
        StaffMember(
            name=name, role=role, team=team, aliases=tuple(a.strip() for a in aliases.split(",") if a.strip())
        )
        for name, role, team, aliases in rows
    )
    return dataclasses.replace(policy, staff=(*policy.staff, *extra)) if extra else policy


@dataclass(frozen=True)
class Engines:
    before: Any | None  # None: compare with the stored decisions instead of re-running
    after: Any


def build_engines(
    new_policy_path: str, *, baseline: str = "current", use_model: bool | None = None
) -> Engines:
    from civildesk.policy import Engine, load_policy

    model = settings.CIVILDESK_USE_MODEL if use_model is None else use_model
    new = Engine.default(_with_directory(load_policy(new_policy_path)), use_model=model)
    if baseline == "stored":
        return Engines(before=None, after=new)
    current = Engine.default(_with_directory(None), use_model=model)
    return Engines(before=current, after=new)


def _messages(since: datetime, limit: int | None) -> Iterator[list[Any]]:
    from civildesk.inbox.models import Message

    qs = Message.objects.filter(received_at__gte=since).select_related("author", "decision").order_by("pk")
    if limit:
        qs = qs[:limit]
    batch: list[Any] = []
    for message in qs.iterator(chunk_size=BATCH):
        batch.append(message)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def replay(
    engines: Engines,
    *,
    since: timedelta,
    now: datetime | None = None,
    limit: int | None = None,
    examples: int = 5,
) -> Report:
    from civildesk.detectors import MessageInput
    from civildesk.policy import Context

    now = now or timezone.now()
    report = Report(examples_per_kind=examples)
    expiry = int(engines.after.policy.strikes.get("expiry_days", 90))
    strikes_cache: dict[int, int] = {}
    for batch in _messages(now - since, limit):
        inputs = [
            MessageInput(
                text=m.text,
                platform=m.platform,
                kind=m.kind,
                author=m.author.handle or m.author.platform_user_id,
                id=str(m.pk),
            )
            for m in batch
        ]
        contexts = []
        for m in batch:
            if m.author_id not in strikes_cache:
                strikes_cache[m.author_id] = m.author.strikes(within_days=expiry, now=now)
            contexts.append(Context(prior_strikes=strikes_cache[m.author_id]))
        after = engines.after.classify_batch(inputs, contexts)
        before: list[Outcome | None]
        if engines.before is not None:
            before = [Outcome.of(d) for d in engines.before.classify_batch(inputs, contexts)]
        else:
            before = [Outcome.of(m.decision) if m.decision is not None else None for m in batch]
        for message, old, new in zip(batch, before, after, strict=True):
            if old is None:
                continue  # never classified: nothing to compare with
            report.add(str(message.pk), old, Outcome.of(new))
    return report
