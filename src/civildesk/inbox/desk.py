"""The desk's view of the policy: the loaded policy.yaml plus the admin's overrides.

The engine is built once per process (loading the learned heads takes a moment and ~300 MB) and
rebuilt only when the staff directory changes, because the detectors need staff names to tell
"targets a member of staff" from ordinary criticism. Working hours are re-read at most every few
seconds, so the worker picks up an admin's change without a restart.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import threading
import time
from typing import TYPE_CHECKING

from django.conf import settings

from civildesk.inbox.sla import WorkingHours

if TYPE_CHECKING:
    from civildesk.policy import Engine, Policy

_HOURS_TTL_SECONDS = 5.0
_lock = threading.Lock()
_engine: tuple[str, Engine] | None = None
_hours: tuple[float, WorkingHours] | None = None
_directory: tuple[float, str, list[tuple[str, str, str, str]]] | None = None


@functools.cache
def _load_policy(path: str | None) -> Policy:
    from civildesk.policy import load_policy

    return load_policy(path)


def policy() -> Policy:
    """The policy file as shipped or as named by CIVILDESK_POLICY (templates not overridden)."""
    return _load_policy(settings.CIVILDESK_POLICY)


def _directory_signature() -> tuple[str, list[tuple[str, str, str, str]]]:
    """The admin's staff directory and a digest of it, re-read at most every few seconds (the
    worker asks for every message; the directory changes a few times a year)."""
    global _directory
    now = time.monotonic()
    cached = _directory
    if cached is not None and now - cached[0] < _HOURS_TTL_SECONDS:
        return cached[1], cached[2]
    digest, rows = _read_directory()
    _directory = (now, digest, rows)
    return digest, rows


def _read_directory() -> tuple[str, list[tuple[str, str, str, str]]]:
    from civildesk.web.models import StaffDirectoryEntry

    rows = list(
        StaffDirectoryEntry.objects.filter(active=True)
        .order_by("pk")
        .values_list("name", "role", "team", "aliases")
    )
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
    return digest, rows


def policy_with_directory(rows: list[tuple[str, str, str, str]]) -> Policy:
    """The policy with the admin's staff directory added to the file's."""
    from civildesk.detectors import StaffMember

    base = policy()
    if not rows:
        return base
    extra = tuple(
        StaffMember(
            name=name, role=role, team=team, aliases=tuple(a.strip() for a in aliases.split(",") if a.strip())
        )
        for name, role, team, aliases in rows
    )
    return dataclasses.replace(base, staff=(*base.staff, *extra))


def engine() -> Engine:
    """The process's engine; classification never happens anywhere else."""
    global _engine
    from civildesk.policy import Engine
    from civildesk.policy.engine import keep_for_life

    digest, rows = _directory_signature()
    with _lock:
        if _engine is None or _engine[0] != digest:
            built = Engine.default(policy_with_directory(rows), use_model=settings.CIVILDESK_USE_MODEL)
            _engine = (digest, built)
            keep_for_life()
        return _engine[1]


def working_hours() -> WorkingHours:
    global _hours
    now = time.monotonic()
    cached = _hours
    if cached is not None and now - cached[0] < _HOURS_TTL_SECONDS:
        return cached[1]
    hours = _build_hours()
    _hours = (now, hours)
    return hours


def forget_cached_settings() -> None:
    """Drop cached hours and engine (tests and the admin's save hooks call this)."""
    global _hours, _engine, _directory
    _hours = None
    _engine = None
    _directory = None


def _build_hours() -> WorkingHours:
    from civildesk.web.models import ClosureDay, DeskSettings
    from civildesk.web.models import WorkingHours as HoursRow

    desk = DeskSettings.load()
    row = HoursRow.objects.filter(pk=HoursRow.singleton_pk, override=True).first()
    closed = ClosureDay.upcoming()
    if row is not None:
        return WorkingHours.build(
            timezone=row.timezone,
            days=row.days,
            start=row.start,
            end=row.end,
            holiday_country=row.holiday_country or None,
            holiday_subdivision=row.holiday_subdivision or None,
            late_grace_minutes=desk.late_grace_minutes,
            closed_dates=closed,
            at_risk_minutes=desk.at_risk_minutes,
        )
    hours = policy().hours
    return WorkingHours.build(
        timezone=hours.timezone,
        days=hours.days,
        start=hours.start,
        end=hours.end,
        holiday_country=hours.holiday_country or None,
        holiday_subdivision=hours.holiday_subdivision,
        late_grace_minutes=desk.late_grace_minutes,
        closed_dates=closed,
        at_risk_minutes=desk.at_risk_minutes,
    )


def templates() -> dict[str, str]:
    """The policy's templates with the admin's active overrides applied."""
    from civildesk.web.models import ReplyTemplate

    merged = dict(policy().templates)
    merged.update(dict(ReplyTemplate.objects.filter(active=True).values_list("name", "text")))
    return merged


def render_template(name: str, **values: str) -> str:
    """Fill a template (admin override first) with the policy's contacts and ``values``."""
    current = policy()
    with_overrides = dataclasses.replace(current, templates=templates())
    return with_overrides.render(name, **values)
