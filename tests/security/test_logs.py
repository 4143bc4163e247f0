"""Secrets and personal data never reach the logs.

Everything logged while the desk works through a realistic, partly failing run is captured, at
DEBUG for civildesk and Django and at INFO for the HTTP client (what an operator turning up the
log level would see), and then searched for every secret and every piece of personal data the
run handled: passwords (right and wrong), platform credentials, API tokens, the session key,
an NHS number, a phone number, an e-mail address and the message text itself.

The run: messages with personal data arrive through a signed webhook and are classified; a
forged and a malformed delivery are refused; a person logs in with a wrong and then the right
password; a platform account is connected with credentials and its connection checked, once
working and once with a revoked token (a failing platform call); an API token lists messages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from civildesk.api.models import ApiToken
from civildesk.inbox.models import Message
from civildesk.inbox.worker import run_ready_tasks
from civildesk.platforms import services as platforms
from civildesk.platforms.models import PlatformAccount
from civildesk.simulator import payloads
from civildesk.simulator.signing import signature_headers
from civildesk.simulator.testing import SECRETS, credentials_for, platform_simulator, simulated_account
from tests.security.conftest import PASSWORD, person

__all__ = ["platform_simulator", "simulated_account"]
pytestmark = pytest.mark.django_db

NHS_NUMBER = "943 476 5919"
PHONE = "07700 900461"
EMAIL = "jo.bloggs.private@example.org"
TEXT = f"my NHS number is {NHS_NUMBER}, call me on {PHONE} or write to {EMAIL} about my mum's care"
WRONG_PASSWORD = "Wr0ng-but-someone's-real-passphrase"
REVOKED_TOKEN = "EAAB-second-account-token-7f3c9a1e"


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name} {record.levelname} {text}")


@pytest.fixture
def captured() -> Iterator[Everything]:
    handler = Everything()
    levels = {"civildesk": logging.DEBUG, "django": logging.DEBUG, "httpx": logging.INFO, "": logging.DEBUG}
    loggers = {name: logging.getLogger(name) for name in levels}
    before = {name: lg.level for name, lg in loggers.items()}
    for name, lg in loggers.items():
        lg.setLevel(levels[name])
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)
        for name, lg in loggers.items():
            lg.setLevel(before[name])


def webhook(client: Client, account: PlatformAccount, body: bytes, secret: str | None) -> Any:
    headers = signature_headers(account.platform, secret, body) if secret else {}
    return client.post(
        f"/platforms/webhooks/{account.webhook_key}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )


def test_a_busy_failing_run_logs_no_secret_and_no_personal_data(
    captured: Everything, simulated_account: Any, engine: Any, settings: Any
) -> None:
    settings.CIVILDESK_USE_MODEL = False
    page = simulated_account("facebook", "1001")
    client = Client()

    # Personal data arrives through a signed webhook and is classified.
    body = json.dumps(payloads.facebook_comment("1001", "p1_c1", "p1", TEXT, "u1", "Jo Bloggs")).encode()
    assert webhook(client, page, body, SECRETS["facebook"]).status_code == 200
    # A forged delivery and a malformed one (signed, not JSON) carrying the same data are refused.
    assert webhook(client, page, body, "not-the-app-secret").status_code == 403
    assert webhook(client, page, b"not json " + TEXT.encode(), SECRETS["facebook"]).status_code == 400
    run_ready_tasks()
    run_ready_tasks()
    assert Message.objects.filter(text__contains=NHS_NUMBER).exists()  # the run really saw it

    # Logging in, wrong then right.
    person("officer", "olu.officer")
    assert client.post("/login/", {"username": "olu.officer", "password": WRONG_PASSWORD}).status_code == 200
    assert client.post("/login/", {"username": "olu.officer", "password": PASSWORD}).status_code == 302
    session_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    # A platform account connected with credentials; checked working, then one the platform
    # cannot be reached for (a failing platform call: nothing listens on port 9).
    ok, _ = platforms.do_check_connection(page)
    revoked = PlatformAccount(
        platform="facebook", account_id="2002", api_base_url="http://127.0.0.1:9/facebook"
    )
    revoked.set_credentials({**credentials_for("facebook"), "access_token": REVOKED_TOKEN})
    revoked.save()
    failed, detail = platforms.do_check_connection(revoked)
    assert ok and not failed, detail

    # The API, with a bearer token.
    _, raw_token = ApiToken.issue(person("viewer", "vic.viewer"), "reporting", "viewer")
    assert Client().get("/api/messages", headers={"Authorization": f"Bearer {raw_token}"}).status_code == 200

    assert captured.lines, "nothing was logged at all: the capture is not working"
    secrets = {
        "the right password": PASSWORD,
        "a wrong password": WRONG_PASSWORD,
        "the app secret": SECRETS["facebook"],
        "the access token": credentials_for("facebook")["access_token"],
        "the revoked token": REVOKED_TOKEN,
        "the verify token": credentials_for("facebook")["verify_token"],
        "the API token": raw_token,
        "the session key": session_key,
        "the NHS number": NHS_NUMBER,
        "the NHS number without spaces": NHS_NUMBER.replace(" ", ""),
        "the phone number": PHONE,
        "the phone number without spaces": PHONE.replace(" ", ""),
        "the e-mail address": EMAIL,
        "the message text": "about my mum's care",
        "the author's name": "Jo Bloggs",
    }
    log = "\n".join(captured.lines)
    leaked = {what: [line for line in captured.lines if value in line] for what, value in secrets.items()}
    leaked = {what: lines[:2] for what, lines in leaked.items() if lines}
    assert not leaked, f"{len(captured.lines)} log lines; leaked: {leaked}"
    assert "webhook delivery refused" in log  # the refusals were logged, without their bodies
