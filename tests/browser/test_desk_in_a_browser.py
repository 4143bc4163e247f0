"""A communications officer's morning, in a real browser: log in, the crisis message is first, its
evidence is highlighted, the crisis reply goes out; an officer cannot open the admin site; a
message carrying a <script> is shown as text and never runs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from civildesk.devtools.testing import at
from civildesk.inbox import desk
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import Message, Reply
from civildesk.inbox.worker import run_ready_tasks
from civildesk.web.models import StaffProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long passphrase for the desk"
CRISIS = "I can't keep going like this. I'm going to kill myself tonight, I've got the pills ready"
SCRIPT = '<script>alert("owned")</script> thanks for nothing <img src=x onerror="alert(2)">'
IN_HOURS = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # a Wednesday morning: people answer, not the auto-reply


@pytest.fixture
def office(
    live_server: Any, settings: Any, fresh_desk_settings: None, _frontend_built: bool
) -> Iterator[dict[str, Any]]:
    settings.CIVILDESK_USE_MODEL = False  # the rules are enough here, and start in a fraction of a second
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600
    users = {}
    for role in ("officer", "admin"):
        user = get_user_model().objects.create_user(f"{role}-1", password=PASSWORD)
        StaffProfile.objects.create(user=user, role=role)
        users[role] = user
    now = datetime.now(UTC)
    arrivals = [
        ("x", "mention", "x1", "@LondonMHTrust what time does the Wellbeing Hub open on Saturday?", 300),
        ("facebook", "comment", "f1", "Waited 5 months for an appointment. Appalling service.", 240),
        ("instagram", "comment", "i1", SCRIPT, 200),
        ("linkedin", "comment", "l1", "Congratulations to the whole team on the award, well deserved", 150),
        ("facebook", "comment", "f2", CRISIS, 5),  # arrives last, must be first
    ]
    ids = {}
    for platform, kind, pid, text, minutes_ago in arrivals:
        when = now - timedelta(minutes=minutes_ago)
        ids[pid] = ingest(
            InboundMessage(
                platform=platform,
                account_id="trust",
                platform_id=pid,
                kind=kind,
                text=text,
                author_id=f"a-{pid}",
                author_name="Alex Doe",
                created_at=when,
            ),
            now=when,
        ).message_id
    with at(IN_HOURS):
        run_ready_tasks()
    yield {"url": live_server.url, "users": users, "ids": ids}
    desk.forget_cached_settings()


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def test_the_crisis_message_is_first_its_evidence_highlighted_and_the_reply_sent(
    page: Any, office: dict[str, Any]
) -> None:
    base = office["url"]
    log_in(page, base, "officer-1")

    first = page.locator('[data-testid="inbox-row"]').first
    assert first.get_attribute("data-priority") == "P1"
    assert "kill myself tonight" in first.inner_text()

    first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/messages/\d+/$"))
    marks = page.locator("mark.cd-evidence")
    assert marks.count() >= 1
    highlighted = " ".join(marks.all_inner_texts())
    assert re.search(r"kill myself|tonight|pills", highlighted), highlighted
    assert page.locator('[data-testid="clause"]').first.is_visible()
    assert "0800 028 8000" in page.locator('[data-testid="clause"]').first.inner_text()

    page.get_by_test_id("reply-link").click()
    composer = page.get_by_test_id("reply-text")
    assert "0800 028 8000" in composer.input_value()  # pre-filled with the crisis template
    page.get_by_test_id("send-reply").click()
    page.wait_for_url(re.compile(r"/messages/\d+/$"))
    assert "Reply sent" in page.locator("main").inner_text()
    assert page.get_by_test_id("status").inner_text() == "Answered"

    reply = Reply.objects.get(message_id=office["ids"]["f2"])
    assert reply.status == "sent" and reply.template == "crisis_reply" and "0800 028 8000" in reply.text
    assert Message.objects.get(pk=office["ids"]["f2"]).status == "answered"


def test_an_officer_cannot_reach_the_admin_pages(page: Any, office: dict[str, Any]) -> None:
    base = office["url"]
    log_in(page, base, "officer-1")
    assert page.get_by_role("link", name="Admin").count() == 0
    for path in ("/admin/", "/admin/auth/user/", "/admin/web/desksettings/"):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 403, path
        assert "You do not have access" in page.locator("main").inner_text()


def test_an_admin_can(page: Any, office: dict[str, Any]) -> None:
    base = office["url"]
    log_in(page, base, "admin-1")
    page.get_by_role("link", name="Admin").click()
    page.wait_for_url(f"{base}/admin/")
    assert "Desk settings" in page.content() and "Staff directory" in page.content()


def test_a_script_in_a_message_is_shown_as_text_and_never_runs(page: Any, office: dict[str, Any]) -> None:
    base = office["url"]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, base, "officer-1")
    assert '<script>alert("owned")</script>' in page.locator('[data-testid="inbox"]').inner_text()
    page.goto(f"{base}/messages/{office['ids']['i1']}/")
    assert '<script>alert("owned")</script>' in page.get_by_test_id("message-text").inner_text()
    page.goto(f"{base}/messages/{office['ids']['i1']}/reply/")
    page.goto(f"{base}/messages/{office['ids']['i1']}/history/")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('main script, main img[src=x]').length") == 0


def test_the_filters_work_with_htmx(page: Any, office: dict[str, Any]) -> None:
    base = office["url"]
    log_in(page, base, "officer-1")
    page.get_by_label("Platform").select_option("linkedin")
    page.wait_for_url(re.compile(r"platform=linkedin"))
    rows = page.locator('[data-testid="inbox-row"]')
    rows.first.wait_for()
    assert rows.count() == 1 and "Congratulations" in rows.first.inner_text()


def test_the_inbox_and_message_pages_have_no_serious_accessibility_faults(
    page: Any, office: dict[str, Any]
) -> None:
    from civildesk.web.frontend import VENDOR_DIR

    axe = VENDOR_DIR / "axe" / "axe.min.js"
    if not axe.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    base = office["url"]
    log_in(page, base, "officer-1")
    for path in (
        "/",
        f"/messages/{office['ids']['f2']}/",
        f"/messages/{office['ids']['f2']}/reply/",
        "/dashboard/",
    ):
        page.goto(f"{base}{path}")
        page.add_script_tag(path=str(axe))
        result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})")
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], (
            f"{path}: {json.dumps([(v['id'], v['help'], len(v['nodes'])) for v in serious])}"
        )


def test_the_reply_counter_follows_the_platforms_limit(page: Any, office: dict[str, Any]) -> None:
    base = office["url"]
    log_in(page, base, "officer-1")
    page.goto(f"{base}/messages/{office['ids']['x1']}/reply/")
    page.get_by_test_id("reply-text").fill("💙" * 150)  # 300 weighted characters on X
    counter = page.get_by_test_id("reply-counter")
    counter.filter(has_text="too long").wait_for()
    assert "20 characters too long for x (limit 280)" in counter.inner_text()
    page.get_by_test_id("reply-text").fill("Thanks for getting in touch")
    counter.filter(has_text="left").wait_for()
    assert counter.inner_text() == "253 characters left"
