"""The desk's JSON API (django-ninja). OpenAPI document: /api/openapi.json; docs: /api/docs.

- **Authentication**: ``Authorization: Bearer <token>`` with a token from
  ``civildesk api-token create``. A token acts with the lower of its own role and its user's
  current role, checked on every request against the same role table as the pages
  (``civildesk.web.roles``).
- **Errors**: every 4xx answer is problem details (RFC 9457, ``application/problem+json``):
  ``type``, ``title``, ``status``, ``detail``, and ``errors`` for invalid input.
- **Pagination**: lists take ``page`` (from 1) and ``page_size`` (1-200, default 50) and answer
  ``{"items", "count", "page", "page_size", "pages"}``.
- ``POST /classify`` runs the desk's own engine (``civildesk.inbox.desk.engine()``): the same
  decision the inbox would make, in the contract of DESIGN.md.

Moderation actions, appeals and the weekly report's figures are in ``civildesk.api.moderation``
(registered on this same API at the end of this module).
"""

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PaginationBase, paginate
from ninja.responses import Status
from ninja.security import HttpBearer

from civildesk.api.models import ApiToken
from civildesk.inbox.models import Account, Decision, Message
from civildesk.publishing import services as posts
from civildesk.publishing.models import PostTarget, ScheduledPost
from civildesk.web.roles import role_can

PROBLEM = "application/problem+json"
# No NUL characters in text: PostgreSQL cannot store them.
NO_NUL = r"^[^\x00]*$"
Id = Annotated[int, Field(ge=1, le=2**62)]
MAX_CLASSIFY_CHARS = 20_000

Platform = Literal["x", "facebook", "instagram", "linkedin"]
Kind = Literal["mention", "reply", "comment", "dm"]


class Problem(Exception):
    """A 4xx answer in problem-details form."""

    def __init__(self, status: int, title: str, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = ApiToken.find(token)
        if found is None or found.effective_role() is None:
            return None
        found.touch()
        return found


api = NinjaAPI(
    title="civildesk API",
    version="1",
    description=__doc__ or "",
    urls_namespace="api",
    auth=TokenAuth(),
)


def _problem(request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="civildesk"'
    return response


@api.exception_handler(Problem)
def _on_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return _problem(request, exc.status, exc.title, exc.detail, **exc.extra)


@api.exception_handler(AuthenticationError)
def _on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _problem(
        request, 401, "Unauthorized", "Send 'Authorization: Bearer <token>' with a valid, unrevoked token."
    )


@api.exception_handler(ValidationError)
def _on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors
    ]
    return _problem(
        request, 422, "Invalid request", "The request does not match the API's schema.", errors=errors
    )


@api.exception_handler(Http404)
def _on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _problem(request, 404, "Not found", "No such object.")


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    titles = {400: "Bad request", 403: "Forbidden", 405: "Method not allowed", 429: "Too many requests"}
    return _problem(request, exc.status_code, titles.get(exc.status_code, "Error"), str(exc))


def need(request: HttpRequest, permission: str) -> ApiToken:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    role = token.effective_role()
    if not role_can(role, permission):
        raise Problem(
            403,
            "Forbidden",
            f"This token acts as {role or 'nobody'}, which cannot {permission.replace('_', ' ')}.",
        )
    return token


# --- pagination --------------------------------------------------------------------------------


class Pages(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        count = self._items_count(queryset)
        start = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[start : start + pagination.page_size]),
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "pages": math.ceil(count / pagination.page_size) if count else 0,
        }


# --- schemas -----------------------------------------------------------------------------------


class MessageOut(Schema):
    id: int
    platform: str
    platform_id: str
    account: str
    kind: str
    text: str
    author: str
    posted_at: datetime
    received_at: datetime
    status: str
    priority: str
    labels: list[str]
    due_at: datetime
    answered_at: datetime | None
    decision_id: int | None
    parent_platform_id: str
    deleted_on_platform: bool

    @staticmethod
    def resolve_account(obj: Message) -> str:
        return obj.account.platform_account_id

    @staticmethod
    def resolve_author(obj: Message) -> str:
        return obj.author.handle or obj.author.platform_user_id

    @staticmethod
    def resolve_deleted_on_platform(obj: Message) -> bool:
        return obj.deleted_at is not None


class DecisionOut(Schema):
    id: int
    message_id: int
    revision: int
    policy_version: str
    labels: list[str]
    scores: dict[str, float]
    priority: str
    actions: list[str]
    signposts: list[str]
    evidence: list[dict[str, Any]]
    clauses: list[str]
    removal: str
    created_at: datetime


class MessageDetailOut(MessageOut):
    decision: DecisionOut | None


class AccountOut(Schema):
    id: int
    platform: str
    platform_account_id: str
    handle: str
    name: str


class TargetOut(Schema):
    account_id: int
    platform: str
    state: str
    attempts: int
    published_at: datetime | None
    platform_post_id: str
    last_error: str

    @staticmethod
    def resolve_platform(obj: PostTarget) -> str:
        return obj.account.platform


class PostOut(Schema):
    id: int
    text: str
    media_url: str
    scheduled_at: datetime
    state: str
    outcome: str
    needs_approval: bool
    author: str
    approved_by: str | None
    created_at: datetime
    targets: list[TargetOut]

    @staticmethod
    def resolve_author(obj: ScheduledPost) -> str:
        return obj.author.get_username()

    @staticmethod
    def resolve_approved_by(obj: ScheduledPost) -> str | None:
        return obj.approved_by.get_username() if obj.approved_by else None

    @staticmethod
    def resolve_targets(obj: ScheduledPost) -> list[PostTarget]:
        return list(obj.targets.all())


class PostIn(Schema):
    text: str = Field(..., min_length=1, max_length=70_000, pattern=NO_NUL)
    accounts: list[Id] = Field(..., min_length=1, max_length=50, description="Account ids (GET /accounts)")
    scheduled_at: datetime = Field(..., description="With a timezone, e.g. 2026-11-28T10:00:00+00:00")
    media_url: str = Field("", max_length=1000, pattern=NO_NUL)
    needs_approval: bool = False


class ClassifyIn(Schema):
    text: str = Field(..., max_length=MAX_CLASSIFY_CHARS)
    platform: Platform | None = None
    kind: Kind | None = None
    author: str | None = Field(None, max_length=200, pattern=NO_NUL)
    id: str | None = Field(None, max_length=200, pattern=NO_NUL)


class ClassifyOut(Schema):
    id: str | None
    labels: list[str]
    scores: dict[str, float]
    priority: str
    actions: list[str]
    signposts: list[str]
    evidence: list[dict[str, Any]]
    clauses: list[str]
    removal: str
    policy_version: str


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None
    problems: list[dict[str, str]] | None = None


ERRORS: dict[int, type[Schema]] = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}


# --- messages and decisions --------------------------------------------------------------------


class MessageFilters(Schema):
    status: str | None = Field(None, max_length=16, pattern=NO_NUL)
    platform: Platform | None = None
    label: str | None = Field(None, max_length=40, pattern=NO_NUL)
    priority: Literal["P1", "P2", "P3", "P4", "P5"] | None = None
    since: datetime | None = Field(None, description="Received at or after this time")


@api.get("/messages", response={200: list[MessageOut], **ERRORS}, tags=["messages"])
@paginate(Pages)
def list_messages(request: HttpRequest, filters: Query[MessageFilters]) -> QuerySet[Message]:
    need(request, "view_inbox")
    qs = Message.objects.select_related("author", "account").order_by("-received_at", "-pk")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.platform:
        qs = qs.filter(platform=filters.platform)
    if filters.label:
        qs = qs.with_label(filters.label)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.since:
        qs = qs.filter(received_at__gte=_aware(filters.since))
    return qs


@api.get("/messages/{message_id}", response={200: MessageDetailOut, **ERRORS}, tags=["messages"])
def get_message(request: HttpRequest, message_id: int) -> Message:
    need(request, "view_message")
    return get_object_or_404(
        Message.objects.select_related("author", "account", "decision"), pk=_id(message_id)
    )


class DecisionFilters(Schema):
    message_id: int | None = Field(None, ge=1, le=2**62)
    since: datetime | None = None
    label: str | None = Field(None, max_length=40, pattern=NO_NUL)


@api.get("/decisions", response={200: list[DecisionOut], **ERRORS}, tags=["decisions"])
@paginate(Pages)
def list_decisions(request: HttpRequest, filters: Query[DecisionFilters]) -> Any:
    need(request, "view_message")
    qs = Decision.objects.order_by("-created_at", "-pk")
    if filters.message_id:
        qs = qs.filter(message_id=filters.message_id)
    if filters.since:
        qs = qs.filter(created_at__gte=_aware(filters.since))
    if filters.label:
        wanted = filters.label
        qs = qs.filter(message__label_index__contains=f"|{wanted}|")
    return qs


@api.get("/decisions/{decision_id}", response={200: DecisionOut, **ERRORS}, tags=["decisions"])
def get_decision(request: HttpRequest, decision_id: int) -> Decision:
    need(request, "view_message")
    return get_object_or_404(Decision, pk=_id(decision_id))


@api.post("/classify", response={200: ClassifyOut, **ERRORS}, tags=["classify"])
def classify(request: HttpRequest, body: ClassifyIn) -> dict[str, Any]:
    """Classify a text against the published policy, exactly as the inbox would (nothing is stored)."""
    need(request, "view_inbox")
    from civildesk.detectors import MessageInput
    from civildesk.inbox import desk

    decision = desk.engine().classify(
        MessageInput(
            text=body.text.replace("\x00", ""),
            platform=body.platform,
            kind=body.kind,
            author=body.author,
            id=body.id,
        )
    )
    return decision.to_dict()


# --- scheduled posts ---------------------------------------------------------------------------


@api.get("/accounts", response={200: list[AccountOut], **ERRORS}, tags=["posts"])
@paginate(Pages)
def list_accounts(request: HttpRequest) -> QuerySet[Account]:
    need(request, "view_posts")
    return Account.objects.filter(active=True).order_by("platform", "handle", "pk")


class PostFilters(Schema):
    state: Literal["awaiting_approval", "scheduled", "rejected", "cancelled"] | None = None
    start: datetime | None = Field(None, description="Scheduled at or after")
    end: datetime | None = Field(None, description="Scheduled before")


def _posts() -> QuerySet[ScheduledPost]:
    return ScheduledPost.objects.select_related("author", "approved_by").prefetch_related("targets__account")


@api.get("/posts", response={200: list[PostOut], **ERRORS}, tags=["posts"])
@paginate(Pages)
def list_posts(request: HttpRequest, filters: Query[PostFilters]) -> QuerySet[ScheduledPost]:
    need(request, "view_posts")
    qs = _posts().order_by("scheduled_at", "pk")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.start:
        qs = qs.filter(scheduled_at__gte=_aware(filters.start))
    if filters.end:
        qs = qs.filter(scheduled_at__lt=_aware(filters.end))
    return qs


@api.get("/posts/{post_id}", response={200: PostOut, **ERRORS}, tags=["posts"])
def get_post(request: HttpRequest, post_id: int) -> ScheduledPost:
    need(request, "view_posts")
    return get_object_or_404(_posts(), pk=_id(post_id))


@api.post("/posts", response={201: PostOut, **ERRORS}, tags=["posts"])
def create_post(request: HttpRequest, body: PostIn) -> Status[ScheduledPost]:
    """Schedule a post; each platform's rules are checked first (422 lists every problem)."""
    token = need(request, "schedule_post")
    if body.scheduled_at.tzinfo is None:
        raise Problem(422, "Invalid request", "scheduled_at needs a timezone (e.g. +00:00 or Z)")
    draft = posts.Draft(
        text=body.text,
        account_ids=tuple(body.accounts),
        scheduled_at=_aware(body.scheduled_at),
        media_url=body.media_url,
        needs_approval=body.needs_approval,
    )
    try:
        post = posts.create_post(token.user, draft)
    except posts.PostInvalid as exc:
        raise Problem(
            422,
            "The post does not fit every platform",
            str(exc),
            problems=[{"platform": p.platform, "field": p.field, "message": p.message} for p in exc.problems],
        ) from exc
    return Status(201, _posts().get(pk=post.pk))


@api.post("/posts/{post_id}/approve", response={200: PostOut, 409: ProblemOut, **ERRORS}, tags=["posts"])
def approve_post(request: HttpRequest, post_id: int) -> ScheduledPost:
    token = need(request, "approve_post")
    post = get_object_or_404(ScheduledPost, pk=_id(post_id))
    try:
        posts.approve(post, token.user)
    except posts.NotAllowed as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    except posts.PostInvalid as exc:
        raise Problem(422, "The post cannot be approved", str(exc)) from exc
    return _posts().get(pk=post.pk)


@api.post("/posts/{post_id}/cancel", response={200: PostOut, **ERRORS}, tags=["posts"])
def cancel_post(request: HttpRequest, post_id: int) -> ScheduledPost:
    token = need(request, "schedule_post")
    post = get_object_or_404(ScheduledPost, pk=_id(post_id))
    posts.cancel(post, token.user)
    return _posts().get(pk=post.pk)


# --- helpers -----------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    """The moment in UTC. A naive time is read in the desk's zone; any offset Python accepts
    (up to ±24 h) is converted here, because PostgreSQL refuses offsets beyond ±15:59."""
    try:
        aware = moment if moment.tzinfo is not None else timezone.make_aware(moment)
        return aware.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise Problem(422, "Invalid request", f"the time {moment.isoformat()} is out of range") from exc


def _id(value: int) -> int:
    # Database integer columns stop at 2**63-1: anything larger cannot exist.
    if not 0 < value < 2**63:
        raise Http404
    return value


# Moderation actions, appeals and reports: registered on ``api`` when imported.
from civildesk.api import moderation as _moderation_endpoints  # noqa: E402, F401
