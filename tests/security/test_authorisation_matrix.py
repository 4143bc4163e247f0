"""Every URL the desk serves, asked for by every kind of visitor, against one table of who may.

The table below is the authorisation policy in one place. The test walks Django's URL resolver
(the desk, its apps and the django-ninja API), so a route added without a row here fails with
"add it to the matrix": nobody can ship a page without deciding who may open it.

Who may (``who``):
  public     anyone, signed in or not (the house rules, logging in, health checks, links in e-mails)
  signed     anyone may knock, but only a valid platform signature gets in (webhooks): the same
             4xx for every visitor, never a login redirect or a CSRF failure
  <role>     that role and the roles above it (viewer < officer < moderator < admin); anonymous
             visitors are sent to log in (the API answers 401), lower roles are refused (403, or
             a "your role" refusal from the one-door service on the page they came from)
  nothing    no such page for anyone (the API's catch-all 404)
  logs-out   anyone may log out, and lands on the login page
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.conftest import ROLES, World

pytestmark = pytest.mark.django_db

VISITORS = ("anonymous", *ROLES)


@dataclass(frozen=True)
class Check:
    method: str
    who: str
    fill: dict[str, str] = field(default_factory=dict)  # URL parameter -> object in the world
    data: dict[str, Any] = field(default_factory=dict)  # form fields (web) or JSON body (API)


def get(who: str, **fill: str) -> Check:
    return Check("GET", who, fill)


def post(who: str, data: dict[str, Any] | None = None, **fill: str) -> Check:
    return Check("POST", who, fill, data or {})


# --- THE MATRIX --------------------------------------------------------------------------------
# Route (as Django spells it) -> the requests made and who may make them.
MATRIX: dict[str, list[Check]] = {
    # The desk
    "": [get("viewer")],
    "dashboard/": [get("viewer")],
    "login/": [get("public"), post("public", {"username": "nobody", "password": "wrong"})],
    "logout/": [post("logs-out")],
    "messages/<int:pk>/": [get("viewer", pk="message")],
    "messages/<int:pk>/assign/": [post("officer", {"assignee": "@me"}, pk="message")],
    "messages/<int:pk>/transition/": [post("officer", {"event": "close"}, pk="message")],
    "messages/<int:pk>/notes/": [post("officer", {"text": "rang PALS"}, pk="message")],
    "messages/<int:pk>/reply/": [
        get("officer", pk="message"),
        post("officer", {"text": "Please call PALS.", "visibility": "public"}, pk="message"),
    ],
    "messages/<int:pk>/reply/check/": [post("officer", {"text": "Thank you"}, pk="message")],
    "messages/<int:pk>/reply/unconfirmed/": [post("officer", {"outcome": "not_posted"}, pk="message")],
    "messages/<int:pk>/history/": [get("viewer", pk="message")],
    "messages/<int:pk>/pass-on/": [post("officer", {"team": "complaints"}, pk="message")],
    "messages/<int:pk>/moderation/propose/": [post("officer", {"kind": "hide"}, pk="message")],
    "messages/<int:pk>/evidence.zip": [get("moderator", pk="message")],
    # Publishing
    "posts/": [get("viewer")],
    "posts/new/": [get("officer"), post("officer", {"action": "check", "text": "Hello"})],
    "posts/calendar/": [get("viewer")],
    "posts/<int:pk>/": [get("viewer", pk="post")],
    "posts/<int:pk>/edit/": [get("officer", pk="post")],
    "posts/<int:pk>/approve/": [post("moderator", pk="post")],
    "posts/<int:pk>/cancel/": [post("officer", pk="post")],
    "posts/targets/<int:pk>/": [post("officer", {"action": "retry"}, pk="target")],
    # Weekly reports
    "reports/": [get("viewer")],
    "reports/<str:week>/report.html": [get("viewer", week="week")],
    "reports/<str:week>/report.pdf": [get("viewer", week="week")],
    "reports/<str:week>/messages.csv": [get("viewer", week="week")],
    "reports/<str:week>/charts/<str:name>.svg": [get("viewer", week="week", name="chart")],
    # Public house rules and their ratings
    "house-rules/": [get("public")],
    "house-rules/rate/": [post("public", {"rating": "5"})],
    "house-rules/ratings/": [get("viewer")],
    # Hand-offs (the acknowledgement link is signed and mailed to a team without desk logins)
    "handoffs/": [get("viewer")],
    "handoffs/<int:pk>/transition/": [post("officer", {"event": "close"}, pk="handoff")],
    "handoffs/<int:pk>/tell-author/": [post("officer", {"text": "We passed it on"}, pk="handoff")],
    "handoffs/acknowledge/<str:token>/": [
        get("public", token="handoff_token"),
        post("public", token="handoff_token"),
    ],
    # Moderation: officers propose, moderators approve and decide appeals
    "moderation/": [get("viewer")],
    "moderation/actions/<int:pk>/<str:verb>/": [post("moderator", pk="action", verb="approve")],
    "moderation/appeals/": [get("viewer"), post("officer", {"text": "appeal", "reference": "@notice"})],
    "moderation/appeals/<int:pk>/decide/": [
        post("moderator", {"outcome": "upheld", "reason": "fair"}, pk="appeal")
    ],
    # Platforms and operations
    "platforms/webhooks/<str:key>/": [get("signed", key="webhook_key"), post("signed", key="webhook_key")],
    "healthz": [get("public")],
    "readyz": [get("public")],
    "metrics": [get("public")],  # loopback or the metrics bearer token (tests/ops covers both)
    # The admin site: its own subtree, checked route by route in test_the_admin_site_is_for_admins_only
    "admin/": [get("admin")],
    # The API: bearer tokens only; the role is the token's
    "api/": [get("nothing")],
    "api/openapi.json": [get("public")],
    "api/docs": [get("public")],
    "api/messages": [get("viewer")],
    "api/messages/<message_id>": [get("viewer", message_id="message")],
    "api/decisions": [get("viewer")],
    "api/decisions/<decision_id>": [get("viewer", decision_id="decision")],
    "api/classify": [post("viewer", {"text": "thank you"})],
    "api/accounts": [get("viewer")],
    "api/posts": [
        get("viewer"),
        post(
            "officer",
            {"text": "Flu clinic", "accounts": ["@account"], "scheduled_at": "2030-01-09T10:00:00Z"},
        ),
    ],
    "api/posts/<post_id>": [get("viewer", post_id="post")],
    "api/posts/<post_id>/approve": [post("moderator", post_id="post")],
    "api/posts/<post_id>/cancel": [post("officer", post_id="post")],
    "api/actions": [
        get("viewer"),
        post("officer", {"kind": "hide", "message_id": "@message", "reason": "abuse"}),
    ],
    "api/actions/<action_id>": [get("viewer", action_id="action")],
    "api/actions/<action_id>/approve": [post("moderator", action_id="action")],
    "api/actions/<action_id>/reject": [post("moderator", {"reason": "not needed"}, action_id="action")],
    "api/appeals": [get("viewer"), post("officer", {"text": "put it back", "reference": "@notice"})],
    "api/appeals/<appeal_id>": [get("viewer", appeal_id="appeal")],
    "api/appeals/<appeal_id>/decide": [
        post("moderator", {"outcome": "upheld", "reason": "fair"}, appeal_id="appeal")
    ],
    "api/reports/weekly": [get("viewer")],
    "api/^.*$": [get("nothing")],
    # The shared mailbox (appeals and complaints that arrive by e-mail)
    "mailbox/": [get("viewer")],
    "mailbox/<int:pk>/link/": [post("moderator", {"reference": "@notice"}, pk="mail")],
    "mailbox/<int:pk>/dismiss/": [post("moderator", pk="mail")],
}
# -----------------------------------------------------------------------------------------------


def routes() -> Iterator[str]:
    """Every route of the project, with the admin site as one entry (its subtree is tested apart)."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    yield prefix + str(p.pattern)
                else:
                    yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    seen: dict[str, None] = {}
    for route in walk(get_resolver().url_patterns, ""):
        seen.setdefault(route, None)
    return iter(seen)


def test_every_route_has_a_row_in_the_matrix() -> None:
    missing = [r for r in routes() if r not in MATRIX]
    assert not missing, f"add it to the matrix in {__file__}: {missing}"
    gone = [r for r in MATRIX if r not in set(routes())]
    assert not gone, f"the matrix names routes that no longer exist: {gone}"


def _value(world: World, key: str) -> Any:
    if key == "week":
        return "2026-W40"  # a finished week
    if key == "chart":
        return "volume"
    if key == "webhook_key":
        return world.objects["platform_account"].webhook_key
    if key == "message":
        return world.message.pk
    if key == "decision":
        return world.message.decision.pk
    if key == "account":
        return world.objects["post"].targets.get().account_id
    obj = world.objects[key]
    return obj if isinstance(obj, str) else obj.pk


def url_for(route: str, check: Check, world: World) -> str:
    if route == "api/^.*$":
        return "/api/no-such-endpoint"
    fill = {**check.fill, "verb": check.fill.get("verb", "")}

    def replace(m: re.Match[str]) -> str:
        return str(_value(world, fill[m.group(1)]) if m.group(1) != "verb" else fill["verb"])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", replace, route)


def _refused_by_service(response: Any) -> bool:
    # The moderation services refuse a role with RoleRefused, shown as a message on the next page.
    return response.status_code == 302 and any(
        "(your role:" in str(m) for m in get_messages(response.wsgi_request)
    )


def web_outcome(response: Any) -> str:
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    if location.startswith(reverse("login")) or location.startswith("/admin/login/"):
        return "login"
    if response.status_code == 403 or _refused_by_service(response):
        return "refused"
    # Past the role check: done, or refused for what was sent (a 400 form error), never 5xx.
    if response.status_code < 400 or response.status_code == 400:
        return "ok"
    return str(response.status_code)


def api_outcome(response: Any) -> str:
    if response.status_code == 401:
        return "login"
    if response.status_code == 403:
        return "refused"
    # A conflict (approving a post that needs no approval) is an answer past the role check.
    if response.status_code < 400 or response.status_code == 409:
        return "ok"
    return str(response.status_code)


def expected(who: str, visitor: str) -> str:
    if who == "public":
        return "ok"
    if who == "nothing":
        return "404"
    if who == "logs-out":
        return "login"
    if visitor == "anonymous":
        return "login"
    return "ok" if VISITORS.index(visitor) >= VISITORS.index(who) else "refused"


def ask(world: World, route: str, check: Check, visitor: str) -> Any:
    url = url_for(route, check, world)

    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(v) for v in value]
        if value == "@me":
            return world.users[visitor].pk if visitor != "anonymous" else ""
        if isinstance(value, str) and value.startswith("@"):
            return _value(world, value[1:])
        return value

    data = {k: fill(v) for k, v in check.data.items()}
    if route.startswith("api/"):
        client = Client()
        headers = {} if visitor == "anonymous" else {"Authorization": f"Bearer {world.tokens[visitor]}"}
        if check.method == "GET":
            return client.get(url, headers=headers)
        return client.post(url, data, content_type="application/json", headers=headers)
    client = world.client(visitor)
    return client.get(url) if check.method == "GET" else client.post(url, data)


CASES = [(route, check) for route, checks in MATRIX.items() for check in checks if route != "admin/"]


@pytest.mark.parametrize(("route", "check"), CASES, ids=[f"{c.method} /{r}" for r, c in CASES])
def test_who_may_use_each_route(world: World, route: str, check: Check) -> None:
    outcome: Callable[[Any], str] = api_outcome if route.startswith("api/") else web_outcome
    got = {v: outcome(ask(world, route, check, v)) for v in VISITORS}
    if check.who == "signed":
        # No signature: the same refusal for everyone, from the webhook itself, not from a login
        # wall or the CSRF check (the platforms send neither cookies nor tokens).
        statuses = {ask(world, route, check, v).status_code for v in VISITORS}
        assert len(statuses) == 1 and 400 <= statuses.pop() < 500, got
        return
    want = {v: expected(check.who, v) for v in VISITORS}
    assert got == want, f"{check.method} /{route}: expected {want}, got {got}"


POST_ONLY = [r for r, checks in MATRIX.items() if {c.method for c in checks} == {"POST"}]


@pytest.mark.parametrize("route", POST_ONLY)
def test_routes_that_change_things_refuse_get(world: World, route: str) -> None:
    # A GET must never change anything (links are followed by mail scanners and prefetchers).
    check = Check("GET", "admin", MATRIX[route][0].fill)
    response = ask(world, route, check, "admin")
    assert response.status_code == 405, f"GET /{route} answered {response.status_code}"


def test_a_desk_session_is_not_an_api_credential(world: World) -> None:
    # The API takes bearer tokens only, so a signed-in browser cannot be made to call it (no CSRF).
    client = world.client("admin")
    assert client.get("/api/messages").status_code == 401
    assert client.post("/api/classify", {"text": "hi"}, content_type="application/json").status_code == 401


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.append(reverse("admin:app_list", args=[meta.app_label]))
    return sorted(set(urls))


@pytest.mark.parametrize("url", admin_urls())
def test_the_admin_site_is_for_admins_only(world: World, url: str) -> None:
    got = {v: web_outcome(world.client(v).get(url)) for v in VISITORS}
    assert got == {v: expected("admin", v) for v in VISITORS}


def test_metrics_through_the_reverse_proxy_need_the_token(db: None, settings: Any) -> None:
    # Behind nginx on the same host every request comes from 127.0.0.1; the proxy's forwarding
    # headers show it was not a local scrape, so the loopback allowance must not apply.
    settings.CIVILDESK_METRICS_TOKEN = ""
    client = Client()
    assert client.get("/metrics").status_code == 200  # Prometheus on the same host, direct
    for header in ({"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-Proto": "https"}):
        assert client.get("/metrics", headers=header).status_code == 403
    settings.CIVILDESK_METRICS_TOKEN = "a-scrape-token-of-some-length"
    proxied = {"X-Forwarded-For": "203.0.113.9", "Authorization": "Bearer a-scrape-token-of-some-length"}
    assert client.get("/metrics", headers=proxied).status_code == 200
    assert client.get("/metrics").status_code == 403
