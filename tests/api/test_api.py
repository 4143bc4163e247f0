"""The JSON API: tokens scoped by role, problem details, pagination, posts, /classify."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from civildesk.api.models import ApiToken
from civildesk.detectors import MessageInput
from civildesk.devtools.testing import at
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import Account
from civildesk.inbox.worker import run_ready_tasks
from civildesk.publishing.models import ScheduledPost
from civildesk.web.models import StaffProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

WEDNESDAY_9AM = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PROBLEM = "application/problem+json"


def person(role: str, name: str | None = None) -> Any:
    user = get_user_model().objects.create_user(name or role, password="a long passphrase for the desk")
    StaffProfile.objects.create(user=user, role=role)
    return user


def token(role: str, *, user_role: str | None = None, name: str | None = None) -> str:
    user = person(user_role or role, name or f"{role}-user")
    return ApiToken.issue(user, f"{role} system", role)[1]


def call(client: Client, method: str, path: str, key: str | None, body: Any = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    if body is not None:
        return getattr(client, method)(
            path, data=json.dumps(body), content_type="application/json", **headers
        )
    return getattr(client, method)(path, **headers)


@pytest.fixture
def messages(engine: Any) -> list[int]:
    ids = []
    for i, text in enumerate(["thank you so much", "you lot are idiots", "is the clinic open?"]):
        when = WEDNESDAY_9AM + timedelta(minutes=i)
        ids.append(
            ingest(
                InboundMessage(
                    platform="x",
                    account_id="trust",
                    platform_id=str(i),
                    kind="mention",
                    text=text,
                    author_id=f"u{i}",
                    created_at=when,
                ),
                now=when,
            ).message_id
        )
    with at(WEDNESDAY_9AM + timedelta(hours=1)):
        run_ready_tasks()
    return ids


def test_openapi_document_is_served_without_a_token(client: Client) -> None:
    doc = client.get("/api/openapi.json").json()
    assert doc["info"]["title"] == "civildesk API"
    assert {"/api/messages", "/api/decisions", "/api/posts", "/api/classify"} <= set(doc["paths"])
    assert "BearerAuth" in json.dumps(doc["components"]) or "TokenAuth" in json.dumps(doc["components"])
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()


def test_no_token_or_a_wrong_one_is_a_401_problem(client: Client) -> None:
    for key in (None, "cdk_not-a-real-token", "something"):
        response = call(client, "get", "/api/messages", key)
        assert response.status_code == 401 and response["Content-Type"] == PROBLEM
        assert response.json()["status"] == 401 and response.json()["title"] == "Unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_tokens_stop_working(client: Client) -> None:
    user = person("officer")
    revoked, raw1 = ApiToken.issue(user, "a", "viewer")
    _expired, raw2 = ApiToken.issue(user, "b", "viewer", expires_at=timezone.now() - timedelta(seconds=1))
    assert call(client, "get", "/api/posts", raw1).status_code == 200
    revoked.revoked_at = timezone.now()
    revoked.save()
    assert call(client, "get", "/api/posts", raw1).status_code == 401
    assert call(client, "get", "/api/posts", raw2).status_code == 401
    assert not ApiToken.objects.filter(digest=raw1).exists()  # only the digest is stored


def test_messages_are_paginated(client: Client, messages: list[int]) -> None:
    key = token("viewer")
    page = call(client, "get", "/api/messages?page_size=2", key).json()
    assert page["count"] == 3 and page["pages"] == 2 and len(page["items"]) == 2
    assert page["items"][0]["id"] == messages[-1]  # newest first
    second = call(client, "get", "/api/messages?page_size=2&page=2", key).json()
    assert [m["id"] for m in second["items"]] == [messages[0]]
    abuse = call(client, "get", "/api/messages?label=abuse", key).json()
    assert [m["text"] for m in abuse["items"]] == ["you lot are idiots"]
    one = call(client, "get", f"/api/messages/{messages[1]}", key).json()
    assert one["decision"]["labels"] == ["abuse"] and one["decision"]["removal"] == "required"
    decisions = call(client, "get", f"/api/decisions?message_id={messages[1]}", key).json()
    assert decisions["count"] == 1 and decisions["items"][0]["priority"] == "P3"


def test_bad_input_is_a_422_problem_and_unknown_ids_404(client: Client) -> None:
    key = token("viewer")
    bad = call(client, "get", "/api/messages?page=0&priority=P9", key)
    assert bad.status_code == 422 and bad["Content-Type"] == PROBLEM
    assert {tuple(e["loc"])[-1] for e in bad.json()["errors"]} >= {"page", "priority"}
    missing = call(client, "get", "/api/messages/999999", key)
    assert missing.status_code == 404 and missing["Content-Type"] == PROBLEM
    huge = call(client, "get", f"/api/posts/{2**70}", key)
    assert huge.status_code in (404, 422) and huge["Content-Type"] == PROBLEM


def test_classify_runs_the_desks_engine(client: Client, engine: Any) -> None:
    key = token("viewer")
    response = call(client, "post", "/api/classify", key, {"text": "I am going to end it all tonight"})
    decision = response.json()
    assert response.status_code == 200
    assert "crisis" in decision["labels"] and decision["priority"] == "P1"
    direct = engine.classify(MessageInput(text="I am going to end it all tonight"))
    assert decision["labels"] == list(direct.labels) and decision["actions"] == list(direct.actions)
    bad = call(client, "post", "/api/classify", key, {"text": "hi", "platform": "myspace"})
    assert bad.status_code == 422 and bad["Content-Type"] == PROBLEM


def test_roles_scope_tokens(client: Client) -> None:
    account = Account.objects.create(platform="x", platform_account_id="trust-x", handle="@trust")
    body = {"text": "Open this weekend", "accounts": [account.pk], "scheduled_at": "2030-11-30T10:00:00Z"}
    viewer = token("viewer")
    refused = call(client, "post", "/api/posts", viewer, body)
    assert refused.status_code == 403 and refused["Content-Type"] == PROBLEM
    assert "cannot schedule post" in refused.json()["detail"]
    # An admin's token issued as viewer reads only; an officer's token issued as admin is an officer.
    capped = token("viewer", user_role="admin", name="boss")
    assert call(client, "post", "/api/posts", capped, body).status_code == 403
    officer = token("admin", user_role="officer", name="officer-with-admin-token")
    created = call(client, "post", "/api/posts", officer, body)
    assert created.status_code == 201, created.content
    post = created.json()
    assert post["state"] == "scheduled" and post["targets"][0]["platform"] == "x"
    assert call(client, "post", f"/api/posts/{post['id']}/approve", officer).status_code == 403


def test_post_problems_per_platform(client: Client) -> None:
    x = Account.objects.create(platform="x", platform_account_id="trust-x")
    ig = Account.objects.create(platform="instagram", platform_account_id="trust-ig")
    key = token("officer")
    body = {"text": "a" * 300, "accounts": [x.pk, ig.pk], "scheduled_at": "2030-11-30T10:00:00Z"}
    response = call(client, "post", "/api/posts", key, body)
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    found = {(p["platform"], p["field"]) for p in response.json()["problems"]}
    assert found == {("x", "text"), ("instagram", "media_url")}
    naive = call(
        client,
        "post",
        "/api/posts",
        key,
        {**body, "text": "hi", "accounts": [x.pk], "scheduled_at": "2030-11-30T10:00:00"},
    )
    assert naive.status_code == 422
    assert not ScheduledPost.objects.exists()


def test_approval_through_the_api(client: Client) -> None:
    x = Account.objects.create(platform="x", platform_account_id="trust-x")
    author = token("officer", name="author")
    body = {"text": "Hi", "accounts": [x.pk], "scheduled_at": "2030-11-30T10:00:00Z", "needs_approval": True}
    post = call(client, "post", "/api/posts", author, body).json()
    assert post["state"] == "awaiting_approval"
    moderator = token("moderator", name="lead")
    approved = call(client, "post", f"/api/posts/{post['id']}/approve", moderator)
    assert approved.status_code == 200 and approved.json()["state"] == "scheduled"
    again = call(client, "post", f"/api/posts/{post['id']}/approve", moderator)
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    listed = call(client, "get", "/api/posts?state=scheduled", author).json()
    assert listed["count"] == 1 and listed["items"][0]["approved_by"] == "lead"


@pytest.mark.parametrize(
    "since",
    [
        "0237-12-08T20:14:54-19:43",  # found by schemathesis: PostgreSQL refuses offsets past ±15:59
        "2026-11-25T09:00:00+23:59",
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC: out of range
    ],
)
def test_any_offset_python_accepts_is_an_answer_not_a_server_error(
    client: Client, messages: list[int], since: str
) -> None:
    key = token("viewer")
    for path in ("/api/messages", "/api/decisions"):
        response = call(client, "get", f"{path}?since={quote(since)}", key)
        assert response.status_code in (200, 422), (path, since, response.content[:300])
