"""The audit log: append-only rows, each carrying the SHA-256 of the row before it.

Editing a row changes its contents but not its stored hash; deleting one leaves a gap in the
sequence and a ``prev_hash`` that points at nothing. ``verify()`` recomputes the chain from the
first row and names the first row that does not fit, so ``civildesk audit verify`` can tell an
auditor exactly where the log was tampered with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from civildesk.moderation.models import AuditEntry, AuditHead

if TYPE_CHECKING:
    from django.contrib.auth.models import User

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON as the database gives it back (so the hash survives a round trip)."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def row_hash(
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor_name: str,
    event: str,
    target_type: str,
    target_id: str,
    before: Any,
    after: Any,
    reason: str,
    policy_version: str,
) -> str:
    body = json.dumps(
        {
            "prev": prev_hash,
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor_name,
            "event": event,
            "target": [target_type, target_id],
            "before": _canonical(before),
            "after": _canonical(after),
            "reason": reason,
            "policy_version": policy_version,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(
    event: str,
    actor: User | None,
    *,
    target_type: str,
    target_id: object,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    policy_version: str = "",
) -> AuditEntry:
    """Append one row. Call inside the transaction of the change it records."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        at = timezone.now()
        seq = head.seq + 1
        prev = head.hash or GENESIS
        actor_name = actor.get_username() if actor is not None else "civildesk (automatic)"
        fields: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "actor_name": actor_name,
            "event": event,
            "target_type": target_type,
            "target_id": str(target_id),
            "before": _canonical(dict(before or {})),
            "after": _canonical(dict(after or {})),
            "reason": reason,
            "policy_version": policy_version,
        }
        digest = row_hash(prev_hash=prev, **fields)
        entry = AuditEntry.objects.create(actor=actor, prev_hash=prev, hash=digest, **fields)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest)
        return entry


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit row {self.seq}: {self.problem}"


def _rows() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def verify() -> list[Problem]:
    """Every break in the chain, first one first (an empty list: the log is intact)."""
    problems: list[Problem] = []
    expected_seq = 1
    prev = GENESIS
    for row in _rows():
        if row.seq != expected_seq:
            missing = f"{expected_seq}" if row.seq == expected_seq + 1 else f"{expected_seq}–{row.seq - 1}"
            problems.append(
                Problem(expected_seq, f"deleted (rows {missing} are missing before row {row.seq})")
            )
        elif row.prev_hash != prev:
            problems.append(
                Problem(row.seq, "its link to the row before does not match (edited or reordered)")
            )
        recomputed = row_hash(
            prev_hash=row.prev_hash,
            seq=row.seq,
            at=row.at,
            actor_name=row.actor_name,
            event=row.event,
            target_type=row.target_type,
            target_id=row.target_id,
            before=row.before,
            after=row.after,
            reason=row.reason,
            policy_version=row.policy_version,
        )
        if recomputed != row.hash:
            problems.append(Problem(row.seq, "edited (its contents no longer match its hash)"))
        prev = row.hash
        expected_seq = row.seq + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq >= expected_seq:
        missing = f"{expected_seq}" if head.seq == expected_seq else f"{expected_seq}–{head.seq}"
        problems.append(Problem(expected_seq, f"deleted (the newest rows {missing} are missing)"))
    elif head is not None and head.seq and head.hash != prev:
        problems.append(Problem(head.seq, "edited (the newest row does not match the recorded head)"))
    return problems


def for_target(target_type: str, target_id: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(target_type=target_type, target_id=str(target_id)))
