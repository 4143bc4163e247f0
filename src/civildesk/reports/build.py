"""Read the database into plain facts and compute the report (``figures`` does the arithmetic).

Moderation figures belong to ``civildesk.moderation``: this module asks its ``reporting`` module,
when the app is installed and the module has the functions below, and otherwise marks the section
"not recorded yet" instead of guessing from the inbox's own status field. The contract:

    actions_by_type(start: datetime, end: datetime) -> dict[str, int]
        moderation actions carried out in [start, end), by type ("hide", "delete", "block", ...)
    criticism_overrides(start: datetime, end: datetime) -> int
        removals a moderator carried out although the engine said the post was protected criticism
    appeals_summary(start: datetime, end: datetime) -> dict[str, int]
        appeals received in [start, end) by current outcome ("upheld", "overturned", "pending", ...)

``start`` and ``end`` are aware UTC datetimes; the period is half-open.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from civildesk.inbox import desk
from civildesk.inbox.models import Message, Platform
from civildesk.publishing.models import PostTarget, ScheduledPost
from civildesk.reports.figures import MessageFacts, ModerationFigures, PostFigures, Report, compute
from civildesk.reports.period import Period

MODERATION_APP = "civildesk.moderation"
MODERATION_REPORTING = "civildesk.moderation.reporting"
NOT_RECORDED = "Not recorded yet: the moderation log does not provide these figures in this version."


def _first_reply(message: Message) -> datetime | None:
    """The first reply that reached the author: the automatic crisis reply or a person's. Both
    moments are set only when the platform accepted the reply (a failed send leaves them empty)."""
    sent = [t for t in (message.auto_replied_at, message.answered_at) if t is not None]
    return min(sent) if sent else None


def message_facts(period: Period) -> list[MessageFacts]:
    qs = (
        Message.objects.filter(posted_at__gte=period.start, posted_at__lt=period.end)
        .select_related("author")
        .order_by("posted_at", "pk")
    )
    return [
        MessageFacts(
            pk=m.pk,
            platform=m.platform,
            kind=m.kind,
            posted_at=m.posted_at,
            author_key=f"{m.author.platform}:{m.author.platform_user_id}",
            author_name=m.author.shown_name,
            priority=m.priority,
            labels=tuple(str(label) for label in m.labels),
            status=m.status,
            due_at=m.due_at,
            answered_at=m.answered_at,
            first_reply_at=_first_reply(m),
            text=m.text,
        )
        for m in qs
    ]


def post_figures(period: Period) -> PostFigures:
    """Each account a post was due to go to in the period counts once; cancelled and returned
    posts were never meant to go out, so they are left out."""
    targets = PostTarget.objects.filter(
        post__scheduled_at__gte=period.start, post__scheduled_at__lt=period.end
    ).exclude(
        Q(state=PostTarget.State.CANCELLED)
        | Q(post__state__in=[ScheduledPost.State.CANCELLED, ScheduledPost.State.REJECTED])
    )
    states = [str(s) for s in targets.values_list("state", flat=True)]
    return PostFigures(
        published=states.count(PostTarget.State.PUBLISHED),
        failed=states.count(PostTarget.State.FAILED),
        unknown=states.count(PostTarget.State.UNKNOWN),
        waiting=sum(states.count(s) for s in (PostTarget.State.PENDING, PostTarget.State.SENDING)),
    )


def _reporting_functions() -> dict[str, Callable[..., Any]] | None:
    if not apps.is_installed(MODERATION_APP):
        return None
    try:
        module = importlib.import_module(MODERATION_REPORTING)
    except ModuleNotFoundError as exc:
        # Only "there is no such module" means "not recorded yet"; an import error inside the
        # module is a bug and must show, not quietly blank the section.
        if exc.name is not None and MODERATION_REPORTING.startswith(exc.name):
            return None
        raise
    wanted = ("actions_by_type", "criticism_overrides", "appeals_summary")
    found = {name: getattr(module, name, None) for name in wanted}
    if not all(callable(fn) for fn in found.values()):
        return None
    return {name: fn for name, fn in found.items() if fn is not None}


def moderation_figures(period: Period) -> ModerationFigures:
    functions = _reporting_functions()
    if functions is None:
        return ModerationFigures(recorded=False, note=NOT_RECORDED)
    start, end = period.start, period.end
    return ModerationFigures(
        recorded=True,
        actions_by_type={str(k): int(v) for k, v in functions["actions_by_type"](start, end).items()},
        criticism_overrides=int(functions["criticism_overrides"](start, end)),
        appeals={str(k): int(v) for k, v in functions["appeals_summary"](start, end).items()},
    )


def build_report(period: Period, *, now: datetime | None = None) -> Report:
    hours = desk.working_hours()
    return compute(
        period,
        message_facts(period),
        hours=hours,
        as_of=now or timezone.now(),
        platforms=[(str(value), str(label)) for value, label in Platform.choices],
        posts=post_figures(period),
        moderation=moderation_figures(period),
        policy_version=desk.policy().version,
    )
