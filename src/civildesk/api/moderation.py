"""API endpoints for moderation actions, appeals and the weekly report's figures.

Every change goes through ``civildesk.moderation.services`` (the ``do_*`` one door), inside
``role_capped_at(token role)`` so that the moderation rules see the token's role, never more:
an admin's token issued as ``officer`` proposes but cannot approve. The rules' typed refusals
become problem details: a role refusal or the two-person rule is 403, an action or appeal in the
wrong state is 409, protected criticism or bad input is 422.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from civildesk.api.api import ERRORS, NO_NUL, Id, Pages, Problem, ProblemOut, _id, api, need
from civildesk.api.models import ApiToken
from civildesk.inbox.models import Author, Message
from civildesk.moderation import services, states
from civildesk.moderation.models import Appeal, ModerationAction
from civildesk.reports import build
from civildesk.reports.figures import as_dict
from civildesk.reports.period import BadPeriod, last_full_week, parse_week, week_of

T = TypeVar("T")
ActionKind = Literal[
    "hide",
    "unhide",
    "delete",
    "block",
    "unblock",
    "mute",
    "unmute",
    "report",
    "escalate_police",
    "escalate_legal",
    "notify_author",
]
ActionState = Literal[
    "proposed", "awaiting_second", "approved", "applied", "failed", "human_task", "rejected", "undone"
]
WRITE_ERRORS: dict[int, type[Schema]] = {**ERRORS, 409: ProblemOut}


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


class ActionOut(Schema):
    id: int
    kind: str
    state: str
    message_id: int | None
    author_id: int
    permanent: bool
    block_days: int | None
    expires_at: datetime | None
    reason: str
    override_reason: str
    protected_override: bool
    undo_of_id: int | None
    policy_version: str
    proposed_by: str | None
    proposed_at: datetime
    first_approver: str | None
    approved_by: str | None
    approved_at: datetime | None
    decided_by: str | None
    applied_at: datetime | None
    attempts: int
    error: str
    human_task: str
    next_steps: list[str] = Field(..., description="What may happen next (approve, reject, ...)")

    @staticmethod
    def resolve_proposed_by(obj: ModerationAction) -> str | None:
        return _username(obj.proposed_by)

    @staticmethod
    def resolve_first_approver(obj: ModerationAction) -> str | None:
        return _username(obj.first_approver)

    @staticmethod
    def resolve_approved_by(obj: ModerationAction) -> str | None:
        return _username(obj.approved_by)

    @staticmethod
    def resolve_decided_by(obj: ModerationAction) -> str | None:
        return _username(obj.decided_by)

    @staticmethod
    def resolve_next_steps(obj: ModerationAction) -> list[str]:
        return [e for e in states.allowed_events(obj.state) if e not in states.SYSTEM_EVENTS]


class ActionIn(Schema):
    kind: ActionKind
    message_id: Id | None = Field(None, description="The message acted on (block/mute may name an author)")
    author_id: Id | None = Field(None, description="For block/mute/unblock/unmute without a message")
    reason: str = Field("", max_length=5000, pattern=NO_NUL)
    permanent: bool = Field(False, description="Blocks only; needs two moderators")
    block_days: int | None = Field(None, ge=1, le=3650, description="A temporary block's length")
    override_reason: str = Field(
        "",
        max_length=5000,
        pattern=NO_NUL,
        description="Removing a post with no breach label (protected criticism): a moderator's reason",
    )


class RejectIn(Schema):
    reason: str = Field("", max_length=5000, pattern=NO_NUL)


class ActionFilters(Schema):
    state: ActionState | None = None
    kind: ActionKind | None = None
    message_id: int | None = Field(None, ge=1, le=2**62)


class AppealOut(Schema):
    id: int
    action_id: int
    reference: str
    via: str
    text: str
    status: str
    opened_by: str | None
    opened_at: datetime
    due_at: datetime
    overdue: bool
    decided_by: str | None
    decided_at: datetime | None
    outcome_reason: str

    @staticmethod
    def resolve_opened_by(obj: Appeal) -> str | None:
        return _username(obj.opened_by)

    @staticmethod
    def resolve_decided_by(obj: Appeal) -> str | None:
        return _username(obj.decided_by)

    @staticmethod
    def resolve_overdue(obj: Appeal) -> bool:
        return obj.status == Appeal.Status.OPEN and obj.due_at < timezone.now()


class AppealIn(Schema):
    text: str = Field(..., min_length=1, max_length=20_000, pattern=NO_NUL)
    reference: str = Field("", max_length=40, pattern=NO_NUL, description="The notice's CD-XXXXXX")
    action_id: Id | None = Field(None, description="When there is no reference: the action appealed")
    via: Literal["email", "staff"] = "staff"


class DecideIn(Schema):
    outcome: Literal["upheld", "overturned"]
    reason: str = Field(..., min_length=1, max_length=5000, pattern=NO_NUL)


class AppealFilters(Schema):
    status: Literal["open", "upheld", "overturned"] | None = None
    action_id: int | None = Field(None, ge=1, le=2**62)


class ReportQuery(Schema):
    week: str | None = Field(
        None, max_length=10, pattern=NO_NUL, description="ISO week, e.g. 2026-W49; default: last full week"
    )


# --- the one door, with the token's role ---------------------------------------------------------


@contextmanager
def _moderation(token: ApiToken) -> Iterator[None]:
    """Run a moderation service as the token (its role caps the user's) and turn its typed
    refusals into problem details."""
    try:
        with services.role_capped_at(token.effective_role()):
            yield
    except states.RoleRefused as exc:
        raise Problem(403, "Forbidden", str(exc)) from exc
    except states.SecondApproverRequired as exc:
        raise Problem(403, "A second, different moderator must approve", str(exc)) from exc
    except (states.InvalidTransition, states.NotUndoable) as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    except states.ProtectedCriticism as exc:
        raise Problem(422, "Protected criticism", str(exc)) from exc
    except services.AppealNotFound as exc:
        raise Problem(422, "No such notice", str(exc)) from exc
    except states.ModerationError as exc:
        raise Problem(422, "Not allowed as asked", str(exc)) from exc


def _actions() -> QuerySet[ModerationAction]:
    return ModerationAction.objects.select_related(
        "proposed_by", "first_approver", "approved_by", "decided_by"
    )


def _appeals() -> QuerySet[Appeal]:
    return Appeal.objects.select_related("opened_by", "decided_by")


def _action_step(
    request: HttpRequest, action_id: int, step: Callable[[ModerationAction, Any], Any]
) -> ModerationAction:
    token = need(request, "view_message")
    action = get_object_or_404(ModerationAction, pk=_id(action_id))
    with _moderation(token):
        step(action, token.user)
    return _actions().get(pk=action.pk)


# --- actions -----------------------------------------------------------------------------------


@api.get("/actions", response={200: list[ActionOut], **ERRORS}, tags=["moderation"])
@paginate(Pages)
def list_actions(request: HttpRequest, filters: Query[ActionFilters]) -> QuerySet[ModerationAction]:
    need(request, "view_inbox")
    qs = _actions().order_by("-proposed_at", "-pk")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.message_id:
        qs = qs.filter(message_id=filters.message_id)
    return qs


@api.get("/actions/{action_id}", response={200: ActionOut, **ERRORS}, tags=["moderation"])
def get_action(request: HttpRequest, action_id: int) -> ModerationAction:
    need(request, "view_inbox")
    return get_object_or_404(_actions(), pk=_id(action_id))


@api.post("/actions", response={201: ActionOut, **WRITE_ERRORS}, tags=["moderation"])
def propose_action(request: HttpRequest, body: ActionIn) -> Status[ModerationAction]:
    """Propose an action (officers and up); a moderator approves it before anything happens."""
    token = need(request, "view_message")
    message = author = None
    if body.message_id is not None:
        message = Message.objects.select_related("author", "decision").filter(pk=body.message_id).first()
        if message is None:
            raise Problem(422, "Invalid request", f"No message has the id {body.message_id}")
    if body.author_id is not None:
        author = Author.objects.filter(pk=body.author_id).first()
        if author is None:
            raise Problem(422, "Invalid request", f"No author has the id {body.author_id}")
    with _moderation(token):
        action = services.do_propose(
            body.kind,
            token.user,
            message=message,
            author=author if author is not None else (message.author if message else None),
            reason=body.reason,
            permanent=body.permanent,
            override_reason=body.override_reason,
            block_days=body.block_days,
        )
    return Status(201, _actions().get(pk=action.pk))


@api.post("/actions/{action_id}/approve", response={200: ActionOut, **WRITE_ERRORS}, tags=["moderation"])
def approve_action(request: HttpRequest, action_id: int) -> ModerationAction:
    """Moderators approve; escalations and permanent blocks need a second, different moderator."""
    return _action_step(request, action_id, services.do_approve)


@api.post("/actions/{action_id}/reject", response={200: ActionOut, **WRITE_ERRORS}, tags=["moderation"])
def reject_action(request: HttpRequest, action_id: int, body: RejectIn) -> ModerationAction:
    return _action_step(
        request, action_id, lambda action, user: services.do_reject(action, user, reason=body.reason)
    )


# --- appeals -----------------------------------------------------------------------------------


@api.get("/appeals", response={200: list[AppealOut], **ERRORS}, tags=["appeals"])
@paginate(Pages)
def list_appeals(request: HttpRequest, filters: Query[AppealFilters]) -> QuerySet[Appeal]:
    need(request, "view_inbox")
    qs = _appeals().order_by("due_at", "pk")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.action_id:
        qs = qs.filter(action_id=filters.action_id)
    return qs


@api.get("/appeals/{appeal_id}", response={200: AppealOut, **ERRORS}, tags=["appeals"])
def get_appeal(request: HttpRequest, appeal_id: int) -> Appeal:
    need(request, "view_inbox")
    return get_object_or_404(_appeals(), pk=_id(appeal_id))


@api.post("/appeals", response={201: AppealOut, **WRITE_ERRORS}, tags=["appeals"])
def open_appeal(request: HttpRequest, body: AppealIn) -> Status[Appeal]:
    """Log an appeal (officers and up): by the notice's reference, or against an action."""
    token = need(request, "view_inbox")
    action = None
    if body.action_id is not None:
        action = ModerationAction.objects.filter(pk=body.action_id).first()
        if action is None:
            raise Problem(422, "Invalid request", f"No action has the id {body.action_id}")
    with _moderation(token):
        appeal = services.do_open_appeal(
            text=body.text, reference=body.reference, action=action, via=body.via, user=token.user
        )
    return Status(201, _appeals().get(pk=appeal.pk))


@api.post("/appeals/{appeal_id}/decide", response={200: AppealOut, **WRITE_ERRORS}, tags=["appeals"])
def decide_appeal(request: HttpRequest, appeal_id: int, body: DecideIn) -> Appeal:
    """Moderators decide: upheld (the action stands) or overturned (the action is undone)."""
    token = need(request, "view_inbox")
    appeal = get_object_or_404(Appeal, pk=_id(appeal_id))
    with _moderation(token):
        if appeal.status != Appeal.Status.OPEN and states.at_least(
            services.actor_of(token.user).role, "moderator"
        ):
            # Only someone who could decide it learns that it is already decided.
            raise Problem(409, "Conflict", "This appeal has already been decided")
        services.do_decide_appeal(appeal, token.user, outcome=body.outcome, reason=body.reason)
    return _appeals().get(pk=appeal.pk)


# --- reports -----------------------------------------------------------------------------------


@api.get("/reports/weekly", response={200: dict[str, Any], **ERRORS}, tags=["reports"])
def weekly_report(request: HttpRequest, query: Query[ReportQuery]) -> dict[str, Any]:
    """The weekly report's figures (the same numbers as the HTML/PDF report)."""
    need(request, "view_dashboard")
    from civildesk.inbox import desk

    zone = desk.working_hours().timezone
    now = timezone.now()
    if not query.week:
        period = last_full_week(now, zone)
    else:
        try:
            period = parse_week(query.week, zone)
        except BadPeriod as exc:
            raise Problem(422, "Invalid request", str(exc)) from exc
        if period.first_day > week_of(now.astimezone(period.tz).date(), zone).first_day:
            raise Problem(422, "Invalid request", "That week has not started yet")
    return as_dict(build.build_report(period, now=now))
