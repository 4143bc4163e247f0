"""Sessions: a new key at login (no fixation), a lockout after repeated failures, and a logout
that kills the session on the server, not only in the browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from civildesk.web.models import LoginThrottle
from tests.security.conftest import PASSWORD, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db: Any) -> Any:
    return person("officer", "olu.officer")


def log_in(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def test_logging_in_issues_a_new_session_key(officer: Any) -> None:
    # An attacker who planted a session cookie in the victim's browser gains nothing by it.
    planted = SessionStore()
    planted["planted"] = "by an attacker"
    planted.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    response = log_in(client, "olu.officer", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    issued = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert issued != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert attacker.get("/")["Location"].startswith("/login/")


def test_the_session_cookie_is_http_only_and_same_site(officer: Any) -> None:
    client = Client()
    log_in(client, "olu.officer", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_logout_ends_the_session_on_the_server(officer: Any) -> None:
    client = Client()
    log_in(client, "olu.officer", PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert not SessionStore().exists(key)
    # The old cookie, replayed (copied from the browser before logout), opens nothing.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/")["Location"].startswith("/login/")


def test_logout_is_a_post_so_a_link_cannot_log_you_out(officer: Any) -> None:
    client = Client()
    log_in(client, "olu.officer", PASSWORD)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_five_wrong_passwords_lock_the_name_even_against_the_right_one(officer: Any, settings: Any) -> None:
    settings.CIVILDESK_LOGIN_MAX_FAILURES = 5
    client = Client()
    for _ in range(4):
        assert b"Enter a correct user name and password" in log_in(client, "olu.officer", "guess").content
    locked = log_in(client, "olu.officer", "guess")
    assert b"locked for" in locked.content
    # The right password during the lock is refused too, with the same words.
    refused = log_in(client, "olu.officer", PASSWORD)
    assert refused.status_code == 200 and b"locked for" in refused.content
    assert (
        settings.SESSION_COOKIE_NAME not in client.cookies
        or not client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    # Another person's name is not affected.
    person("viewer", "vic.viewer")
    assert log_in(Client(), "vic.viewer", PASSWORD).status_code == 302


def test_a_name_that_does_not_exist_locks_the_same_way(db: Any, settings: Any) -> None:
    # The lock does not tell an attacker which names are real.
    settings.CIVILDESK_LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        log_in(client, "no.such.person", "guess")
    assert b"locked for" in log_in(client, "no.such.person", "guess").content
    assert LoginThrottle.objects.get(username="no.such.person").locked


def test_the_lock_ends_after_its_minutes(officer: Any, settings: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    settings.CIVILDESK_LOGIN_MAX_FAILURES = 2
    client = Client()
    for _ in range(2):
        log_in(client, "olu.officer", "guess")
    LoginThrottle.objects.filter(username="olu.officer").update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert log_in(client, "olu.officer", PASSWORD).status_code == 302
