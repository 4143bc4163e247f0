"""Fuzzing every operation of the served OpenAPI document: whatever comes in, no 5xx, and every
4xx is problem details. (A small property test driven by the document itself; schemathesis would
do the same with more strategies.)"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civildesk.api.models import ApiToken
from civildesk.inbox.models import Account
from civildesk.web.models import StaffProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings", "engine")]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["x", "P1", "scheduled", "2026-11-28T10:00:00Z", "2026-11-28", "abuse", "\x00", "💙"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
)


def _operations(client: Client) -> list[tuple[str, str, dict[str, Any]]]:
    doc = client.get("/api/openapi.json").json()
    return [(method.upper(), path, op) for path, ops in doc["paths"].items() for method, op in ops.items()]


@st.composite
def _request(draw: Any, operations: list[tuple[str, str, dict[str, Any]]]) -> tuple[str, str, Any]:
    method, path, op = draw(st.sampled_from(operations))
    query: dict[str, str] = {}
    for param in op.get("parameters", []):
        value = draw(SCALARS)
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", str(value if value is not None else 1))
        elif value is not None and draw(st.booleans()):
            query[param["name"]] = str(value)
    body = None
    if "requestBody" in op:
        body = draw(
            st.one_of(
                JSON,
                st.fixed_dictionaries(
                    {
                        "text": st.text(max_size=400),
                        "accounts": st.lists(st.integers(min_value=-5, max_value=2**64), max_size=3),
                        "scheduled_at": st.sampled_from(["2030-01-05T10:00:00Z", "2020-01-01T00:00:00", "x"]),
                    },
                    optional={
                        "media_url": st.text(max_size=30),
                        "needs_approval": SCALARS,
                        "platform": SCALARS,
                    },
                ),
            )
        )
    return method, path + (f"?{urlencode(query)}" if query else ""), body


@pytest.fixture
def api_client(client: Client) -> tuple[Client, str, list[tuple[str, str, dict[str, Any]]]]:
    user = get_user_model().objects.create_user("fuzzer", password="a long passphrase for the desk")
    StaffProfile.objects.create(user=user, role="admin")
    Account.objects.create(platform="x", platform_account_id="trust-x")
    return client, ApiToken.issue(user, "fuzz", "admin")[1], _operations(client)


def test_no_input_makes_the_api_fail(api_client: tuple[Client, str, list[Any]]) -> None:
    client, key, operations = api_client

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_request(operations))
    def check(request: tuple[str, str, Any]) -> None:
        method, url, body = request
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        if body is not None:
            kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
        response = getattr(client, method.lower())(url, **kwargs)
        assert response.status_code < 500, (method, url, body, response.content[:500])
        if 400 <= response.status_code < 500 and response.status_code != 405:
            assert response["Content-Type"] == "application/problem+json", (
                method,
                url,
                response.content[:300],
            )
            assert response.json()["status"] == response.status_code

    check()
