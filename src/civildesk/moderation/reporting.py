"""Moderation figures for the weekly report (``civildesk.reports.build`` reads these three).

All three take aware datetimes and count over the half-open period [start, end):

- an action counts in the week it was *carried out* (``applied_at``), not when it was proposed:
  a proposal rejected on Monday, or still waiting, did nothing to anybody;
- an action applied and later undone was still carried out, so it still counts (the undo counts
  too, as its own kind, in the week it was applied);
- appeals count in the week they were received, by their outcome today.

Read-only: nothing here changes a row.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, QuerySet

from civildesk.moderation import states
from civildesk.moderation.models import Appeal, ModerationAction

# "applied" and "undone" are the two states an action that reached the platform (or was done by
# hand) can be in; "approved" is on its way, "failed" never happened.
CARRIED_OUT: tuple[str, ...] = ("applied", "undone")


def _check(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        # A naive time would be read in the server's zone and shift the week by an hour or more.
        raise ValueError("start and end must be aware datetimes")


def _carried_out(start: datetime, end: datetime) -> QuerySet[ModerationAction]:
    _check(start, end)
    return ModerationAction.objects.filter(state__in=CARRIED_OUT, applied_at__gte=start, applied_at__lt=end)


def actions_by_type(start: datetime, end: datetime) -> dict[str, int]:
    """Actions carried out in [start, end), by kind ("hide", "delete", "block", ...); kinds with
    none are left out."""
    rows = _carried_out(start, end).values("kind").annotate(n=Count("pk")).order_by("kind")
    return {str(row["kind"]): int(row["n"]) for row in rows}


def criticism_overrides(start: datetime, end: datetime) -> int:
    """Removals carried out in [start, end) of posts the engine gave no breach label (protected
    criticism), each pushed through by a moderator with a written reason."""
    return _carried_out(start, end).filter(protected_override=True, kind__in=states.REMOVALS).count()


def appeals_summary(start: datetime, end: datetime) -> dict[str, int]:
    """Appeals received in [start, end), by current outcome. Every outcome is listed, with 0 when
    there were none, so a quiet week reads "0 overturned" rather than leaving the row out."""
    _check(start, end)
    counts = dict.fromkeys((str(s) for s in Appeal.Status.values), 0)
    rows = (
        Appeal.objects.filter(opened_at__gte=start, opened_at__lt=end)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    )
    for row in rows:
        counts[str(row["status"])] = int(row["n"])
    return counts
