"""SQL-injection strings (and other hostile values) in every filter and query parameter.

Each answer must be a clear one, never a 500, and never more rows than the unfiltered list:
the filters go through the ORM (parameterised) or a whitelist, and these tests keep it so.
"""

from __future__ import annotations

import re

import pytest

from tests.security.conftest import World, arrive

pytestmark = pytest.mark.django_db

HOSTILE = [
    "' OR '1'='1",
    "1 OR 1=1",
    '" OR ""="',
    "1; DROP TABLE inbox_message; --",
    "' UNION SELECT username, password FROM auth_user --",
    "x') OR ('a'='a",
    "%' OR 1=1 --",
    "%",
    "_",
    "|abuse|",
    "\\",
    "1' AND (SELECT 1 FROM sqlite_master) --",
    "'; SELECT pg_sleep(5); --",
    "²",  # a digit to str.isdigit(), not to int()
    "9" * 40,  # bigger than any database integer
    "-1",
    "0",
    "2026-W99",
    "𝟙",
    "\x00",
]

# The desk's pages: (path, parameter) for every query parameter a page reads.
PAGE_PARAMETERS = [
    ("/", "status"),
    ("/", "platform"),
    ("/", "label"),
    ("/", "assignee"),
    ("/", "page"),
    ("/messages/{message}/reply/", "template"),
    ("/posts/new/", "date"),
    ("/posts/new/", "time"),
    ("/posts/calendar/", "view"),
    ("/posts/calendar/", "date"),
    ("/reports/", "week"),
    ("/handoffs/", "show"),
    ("/house-rules/", "rated"),
    ("/admin/inbox/message/", "q"),
    ("/admin/inbox/message/", "o"),
    ("/admin/auth/user/", "q"),
]

# The API's list filters (strings, ids, dates and page numbers).
API_PARAMETERS = (
    [("/api/messages", p) for p in ("status", "platform", "label", "priority", "since", "page", "page_size")]
    + [("/api/decisions", p) for p in ("message_id", "since", "label")]
    + [("/api/posts", "state"), ("/api/messages/{message}", "x")]
    + [("/api/actions", p) for p in ("state", "kind", "message_id")]
    + [("/api/appeals", p) for p in ("status", "action_id")]
    + [("/api/reports/weekly", "week")]
)


@pytest.fixture
def busy(world: World) -> World:
    for n in range(3):
        arrive(f"thank you to the ward {n} team", handle=f"@fan{n}")
    return world


def _rows(html: bytes) -> int:
    return len(set(re.findall(rb'href="/messages/(\d+)/"', html)))


@pytest.mark.parametrize(("path", "parameter"), PAGE_PARAMETERS, ids=[f"{p}?{q}" for p, q in PAGE_PARAMETERS])
def test_hostile_values_in_page_filters(busy: World, path: str, parameter: str) -> None:
    client = busy.client("admin")
    url = path.format(message=busy.message.pk)
    baseline = client.get(url)
    assert baseline.status_code == 200
    for value in HOSTILE:
        response = client.get(url, {parameter: value})
        assert response.status_code in (200, 302, 400, 404), (
            f"{url}?{parameter}={value!r}: {response.status_code}"
        )
        if response.status_code == 200 and path == "/":
            assert _rows(response.content) <= max(_rows(baseline.content), 1)


def _api(busy: World, path: str, parameter: str) -> None:
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {busy.tokens['admin']}"})
    url = path.format(message=busy.message.pk)
    baseline = client.get(url)
    assert baseline.status_code == 200, (url, baseline.content)
    for value in HOSTILE:
        response = client.get(url, {parameter: value})
        assert response.status_code in (200, 400, 404, 422), (
            f"{url}?{parameter}={value!r}: {response.status_code}"
        )
        body = response.json()
        if response.status_code == 200 and "count" in body and parameter not in ("page", "page_size"):
            # Nothing is called "' OR '1'='1": a filter that matched must not widen the list.
            assert body["count"] <= baseline.json()["count"], (parameter, value, body["count"])
            if parameter in ("status", "label", "state", "kind"):
                assert body["count"] == 0, (parameter, value, body["count"])


@pytest.mark.parametrize(("path", "parameter"), API_PARAMETERS, ids=[f"{p}?{q}" for p, q in API_PARAMETERS])
def test_hostile_values_in_api_filters(busy: World, path: str, parameter: str) -> None:
    _api(busy, path, parameter)


def test_hostile_text_is_stored_as_text(busy: World) -> None:
    # The classify endpoint and a note take free text straight to the engine and the database.
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {busy.tokens['admin']}"})
    for value in HOSTILE:
        response = client.post("/api/classify", {"text": value}, content_type="application/json")
        assert response.status_code in (200, 422), (value, response.status_code)
    officer = busy.client("officer")
    for value in HOSTILE[:5]:
        officer.post(f"/messages/{busy.message.pk}/notes/", {"text": value})
    assert set(busy.message.notes.values_list("text", flat=True)) == set(HOSTILE[:5])
