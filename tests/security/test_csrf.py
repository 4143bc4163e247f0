"""Cross-site request forgery: every form the desk accepts needs the CSRF token.

Every POST in the authorisation matrix is sent by a browser that enforces CSRF checks, as the
admin (who may do anything, so a 403 can only be the CSRF check) and, for public forms, as an
anonymous visitor. The two documented exceptions prove themselves another way: platform
webhooks verify an HMAC signature and the API takes a bearer token, which a forging site cannot
attach (a session cookie alone is refused there, see test_authorisation_matrix).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from civildesk.platforms import x
from tests.security.conftest import World
from tests.security.test_authorisation_matrix import MATRIX, url_for

pytestmark = pytest.mark.django_db

EXEMPT = {"platforms/webhooks/<str:key>/"}  # signed by the platform instead
FORMS = [
    (route, check)
    for route, checks in MATRIX.items()
    for check in checks
    if check.method == "POST" and not route.startswith("api/") and route not in EXEMPT
]


def forged(world: World, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize(("route", "check"), FORMS, ids=[f"/{r}" for r, _ in FORMS])
def test_a_form_sent_without_its_token_is_refused(world: World, route: str, check: Any) -> None:
    url = url_for(route, check, world)
    who = ["admin", "anonymous"] if check.who in ("public", "logs-out") else ["admin"]
    for role in who:
        response = forged(world, role).post(url, {"text": "forged", "event": "close"})
        assert response.status_code == 403, f"{role} POST {url}: {response.status_code}"
        assert b"CSRF" in response.content


def test_the_same_form_with_its_token_goes_through(world: World) -> None:
    # The check above can fail: with the token from the page, the note is added.
    client = forged(world, "officer")
    page = client.get(f"/messages/{world.message.pk}/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        f"/messages/{world.message.pk}/notes/", {"text": "rang PALS", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert world.message.notes.filter(text="rang PALS").exists()


def test_login_itself_needs_the_token(world: World) -> None:
    # Login CSRF: a forging site must not sign a victim in to the attacker's account.
    response = forged(world, "anonymous").post("/login/", {"username": "officer.person", "password": "x"})
    assert response.status_code == 403


def test_webhooks_take_a_signature_not_a_token(world: World) -> None:
    key = world.objects["platform_account"].webhook_key
    client = Client(enforce_csrf_checks=True)
    unsigned = client.post(f"/platforms/webhooks/{key}/", b"{}", content_type="application/json")
    assert unsigned.status_code == 401  # signature missing: refused by the webhook, not CSRF
    forged_sig = client.post(
        f"/platforms/webhooks/{key}/",
        b"{}",
        content_type="application/json",
        headers={x.SIGNATURE_HEADER: "sha256=AAAA"},
    )
    assert forged_sig.status_code == 403
    assert b"CSRF" not in forged_sig.content


def test_the_api_takes_a_bearer_token_and_no_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    without = client.post("/api/classify", {"text": "hi"}, content_type="application/json")
    assert without.status_code == 401
    with_token = client.post(
        "/api/classify",
        {"text": "thank you"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.tokens['viewer']}"},
    )
    assert with_token.status_code == 200
