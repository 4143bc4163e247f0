"""schemathesis against the served OpenAPI document, in process (Django's WSGI app, no network):
every operation, with valid and with invalid input, answers without a 5xx, and every 4xx other
than 405 is problem details. The example count is kept small so the run stays well under two
minutes; ``SCHEMATHESIS_EXAMPLES`` raises it for a longer hunt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from civildesk.api.models import ApiToken
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import Account, Message
from civildesk.inbox.worker import run_ready_tasks
from civildesk.moderation import services
from civildesk.web.models import StaffProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings", "engine")]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))


@pytest.fixture
def schema(settings: Any) -> Iterator[Any]:
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis's WSGI client calls the app as localhost
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Called straight through WSGI, each request's end would close the test's database
    # connection (and with it its transaction, on PostgreSQL); Django's test client detaches this
    # handler the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def admin_key() -> str:
    user = get_user_model().objects.create_user("fuzzer", password="a long passphrase for the desk")
    StaffProfile.objects.create(user=user, role="admin")
    Account.objects.create(platform="x", platform_account_id="trust-x")
    # Something to act on: generated ids are often small, so the write paths meet real rows
    # (an action to approve or reject, an appeal to decide), not only 404s.
    posted = timezone.now() - timedelta(hours=1)
    result = ingest(
        InboundMessage(
            platform="x",
            account_id="trust-x",
            platform_id="1",
            kind="mention",
            text="you are all idiots at that clinic",
            author_id="u1",
            created_at=posted,
        ),
        now=posted,
    )
    run_ready_tasks()
    message = Message.objects.get(pk=result.message_id)
    action = services.do_hide(message, user, reason="abuse")
    services.do_open_appeal(text="please look again", action=action, user=user)
    return ApiToken.issue(user, "schemathesis", "admin")[1]


def test_the_document_lists_every_operation(schema: Any) -> None:
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {f"{op.method.upper()} {op.path}" for op in operations}
    assert {
        "GET /api/actions",
        "POST /api/actions",
        "POST /api/actions/{action_id}/approve",
        "POST /api/appeals/{appeal_id}/decide",
        "GET /api/reports/weekly",
    } <= paths


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_no_operation_answers_with_a_server_error(schema: Any, admin_key: str, mode: GenerationMode) -> None:
    headers = {"Authorization": f"Bearer {admin_key}"}
    strategies = [
        result.ok().as_strategy(generation_mode=mode, headers=headers)
        for result in schema.get_all_operations()
    ]
    seen: set[str] = set()

    # Each operation gets its own examples (a shared strategy would favour the cheap ones).
    @settings(
        max_examples=EXAMPLES * len(strategies),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(st.one_of(strategies))
    def check(case: Any) -> None:
        seen.add(case.operation.label)
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error], headers=headers)
        if 400 <= response.status_code < 500 and response.status_code != 405:
            # schemathesis's response: lower-case header names, each with a list of values.
            assert response.headers["content-type"] == ["application/problem+json"], (
                case.operation.label,
                response.text[:300],
            )
            assert response.json()["status"] == response.status_code

    check()
    assert len(seen) >= len(strategies) // 2  # the run reached most operations, not one
