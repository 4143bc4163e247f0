"""Moderation in a real browser, against the platform simulator: an abusive Facebook comment
arrives by a signed webhook delivery, an officer proposes hiding it, a moderator approves it in the queue, the simulated Page records the
hide and the private-reply notice quoting the clause; the author appeals by e-mail, the appeal is
overturned, and the simulated Page records the unhide. (issue 6)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from civildesk.devtools.testing import engine
from civildesk.inbox import desk
from civildesk.inbox.models import Message
from civildesk.inbox.worker import run_ready_tasks
from civildesk.moderation.models import AuthorNotice, ModerationAction
from civildesk.simulator import payloads
from civildesk.simulator.accounts import SECRETS
from civildesk.simulator.testing import platform_simulator, simulated_account
from civildesk.web.models import StaffProfile

__all__ = ["engine", "platform_simulator", "simulated_account"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long passphrase for the desk"
ABUSE = "you are all idiots at that clinic"


@pytest.fixture
def desk_with_abuse(
    live_server: Any,
    platform_simulator: Any,
    settings: Any,
    fresh_desk_settings: None,
    _frontend_built: bool,
    engine: Any,
    simulated_account: Any,
) -> Iterator[dict[str, Any]]:
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600
    settings.CIVILDESK_MODERATION_CONNECTOR = "civildesk.platforms.connector_for"
    for name, role in (("officer-1", "officer"), ("moderator-1", "moderator")):
        user = get_user_model().objects.create_user(name, password=PASSWORD)
        StaffProfile.objects.create(user=user, role=role)
    account = simulated_account("facebook", "trust")
    # The comment arrives as the platform sends it: a signed webhook delivery from the simulator
    # to the running desk, stored and queued by the webhook view, parsed and classified by the worker.
    answer = platform_simulator.deliver(
        f"{live_server.url}/platforms/webhooks/{account.webhook_key}/",
        "facebook",
        SECRETS["facebook"],
        payloads.facebook_comment("trust", "c1", "trust_500", ABUSE, "fb-7", "Alex Doe"),
    )
    assert answer.status_code == 200
    run_ready_tasks()  # parse the delivery into the inbox
    run_ready_tasks()  # classify it
    message = Message.objects.get(platform="facebook", platform_id="c1")
    assert message.classified_at is not None and message.author.display_name == "Alex Doe"
    yield {"url": live_server.url, "message": message}
    desk.forget_cached_settings()


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    """One browser context per person; all closed before the live server stops."""
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def signed_in(contexts: list[Any], browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    return page


def test_propose_approve_notice_appeal_overturn_unhide(
    browser: Any, contexts: list[Any], desk_with_abuse: dict[str, Any], platform_simulator: Any
) -> None:
    base, msg = desk_with_abuse["url"], desk_with_abuse["message"]

    officer = signed_in(contexts, browser, base, "officer-1")
    officer.goto(f"{base}/messages/{msg.pk}/")
    officer.get_by_label("Propose an action").select_option("hide")
    officer.get_by_label("Reason", exact=True).fill("abusive towards staff")
    officer.get_by_test_id("propose").click()
    officer.wait_for_url(re.compile(r"/messages/\d+/$"))
    assert "Hide proposed" in officer.locator("main").inner_text()
    action = ModerationAction.objects.get()
    assert platform_simulator.done("facebook", "hide") == []  # a proposal changes nothing

    moderator = signed_in(contexts, browser, base, "moderator-1")
    moderator.get_by_role("link", name="Moderation").click()
    moderator.wait_for_url(f"{base}/moderation/")
    moderator.get_by_test_id(f"approve-{action.pk}").click()
    moderator.wait_for_url(f"{base}/moderation/")
    run_ready_tasks()
    run_ready_tasks()  # the notice is queued when the hide is recorded

    assert [a.path for a in platform_simulator.done("facebook", "hide")] == ["/c1"]
    private = platform_simulator.done("facebook", "private_reply")
    assert len(private) == 1
    clause = msg.decision.clauses[0]
    notice = AuthorNotice.objects.get(action=action)
    assert clause in str(private[0].body) and notice.reference in str(private[0].body)

    moderator.goto(f"{base}/messages/{msg.pk}/")
    assert notice.reference in moderator.locator("main").inner_text()

    officer.goto(f"{base}/moderation/appeals/")
    officer.get_by_label("Notice reference").fill(notice.reference.lower())
    officer.get_by_label("What they said").fill("I was quoting what someone said to me")
    officer.get_by_test_id("log-appeal").click()
    officer.wait_for_url(f"{base}/moderation/appeals/")
    assert "Appeal logged" in officer.locator("main").inner_text()

    moderator.goto(f"{base}/moderation/appeals/")
    row = moderator.locator('[data-testid^="appeal-"]').first
    row.get_by_label("Outcome").select_option("overturned")
    row.get_by_label("Why").fill("a quotation, not abuse")
    row.get_by_role("button", name="Decide").click()
    moderator.wait_for_url(f"{base}/moderation/appeals/")
    run_ready_tasks()
    run_ready_tasks()

    assert [a.path for a in platform_simulator.done("facebook", "unhide")] == ["/c1"]
    action.refresh_from_db()
    assert action.state == "undone"
