"""Scheduling a post in a real browser: compose it for Saturday 10:00, find it on the calendar, and
the platform receives it once, at the due time (the clock is moved forward in the test)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from tests.publishing import fakes

from civildesk.devtools.testing import at
from civildesk.inbox import desk
from civildesk.inbox.models import Account
from civildesk.inbox.worker import run_ready_tasks
from civildesk.publishing.models import PostTarget, ScheduledPost
from civildesk.publishing.tasks import publish_now
from civildesk.simulator.testing import platform_simulator, simulated_account
from civildesk.web.models import StaffProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["platform_simulator", "simulated_account"]

PASSWORD = "a long passphrase for the desk"
LONDON = ZoneInfo("Europe/London")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
TEXT = "Our Wellbeing Hub is open this Saturday 10:00-16:00 💙 https://www.swlstg.nhs.uk/wellbeing"


def next_saturday() -> date:
    today = datetime.now(LONDON).date()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


@pytest.fixture
def desk_with_accounts(
    live_server: Any, settings: Any, fresh_desk_settings: None, _frontend_built: bool
) -> Iterator[dict[str, Any]]:
    settings.CIVILDESK_USE_MODEL = False
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600
    settings.CIVILDESK_PUBLISH_CONNECTOR = "tests.publishing.fakes.factory"
    platform = fakes.RecordingPublisher()
    fakes.install(platform)
    officer = get_user_model().objects.create_user("officer-1", password=PASSWORD)
    StaffProfile.objects.create(user=officer, role="officer")
    for p in ("x", "facebook"):
        Account.objects.create(platform=p, platform_account_id=f"trust-{p}", handle=f"@trust_{p}")
    yield {"url": live_server.url, "platform": platform}
    fakes.install(None)
    desk.forget_cached_settings()


def log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("User name").fill("officer-1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def test_schedule_for_saturday_see_it_on_the_calendar_and_publish_once(
    page: Any, desk_with_accounts: dict[str, Any]
) -> None:
    base, platform = desk_with_accounts["url"], desk_with_accounts["platform"]
    saturday = next_saturday()
    log_in(page, base)
    page.get_by_role("link", name="Posts").click()
    page.get_by_test_id("new-post").click()
    page.get_by_label("Post", exact=True).fill(TEXT)
    page.get_by_label("X: @trust_x").check()
    page.get_by_label("Facebook: @trust_facebook").check()
    page.get_by_label("Date", exact=True).fill(saturday.isoformat())
    page.get_by_label("Time", exact=True).fill("10:00")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "post-compose.png"), full_page=True)
    page.get_by_test_id("save-post").click()
    page.wait_for_url(re.compile(r"/posts/\d+/$"))
    assert page.get_by_test_id("outcome").inner_text() == "Scheduled"
    assert page.get_by_test_id("post-text").inner_text() == TEXT

    post = ScheduledPost.objects.get()
    due = datetime.combine(saturday, time(10, 0), tzinfo=LONDON)
    assert post.scheduled_at == due

    # The calendar: the week, then the month, show it on Saturday at 10:00.
    page.goto(f"{base}/posts/calendar/?view=week&date={saturday.isoformat()}")
    cell = page.locator(f'td[data-date="{saturday.isoformat()}"]')
    entry = cell.get_by_test_id("calendar-entry")
    assert entry.count() == 1
    assert "10:00" in entry.inner_text() and "Facebook, X" in entry.inner_text()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "post-calendar-week.png"), full_page=True)
    page.get_by_test_id("to-month").click()
    page.wait_for_url(re.compile(r"view=month"))
    assert (
        page.locator(f'td[data-date="{saturday.isoformat()}"]').get_by_test_id("calendar-entry").count() == 1
    )

    # Time travel: one minute early nothing goes out; at 10:00 each account receives it once.
    with at(due - timedelta(minutes=1)):
        run_ready_tasks()
    assert platform.published == []
    with at(due):
        run_ready_tasks()
    with at(due + timedelta(minutes=20)):
        run_ready_tasks()
    assert sorted(account for account, _, _ in platform.published) == ["trust-facebook", "trust-x"]
    assert all(text == TEXT for _, text, _ in platform.published)

    page.goto(f"{base}/posts/{post.pk}/")
    assert page.get_by_test_id("outcome").inner_text() == "Published"
    (OUTPUT / "post-published.json").write_text(
        json.dumps({"due": due.isoformat(), "received": len(platform.published)}), encoding="utf-8"
    )


def test_post_pages_have_no_serious_accessibility_faults(
    page: Any, desk_with_accounts: dict[str, Any]
) -> None:
    from civildesk.web.frontend import VENDOR_DIR

    axe = VENDOR_DIR / "axe" / "axe.min.js"
    if not axe.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    base = desk_with_accounts["url"]
    log_in(page, base)
    for path in ("/posts/", "/posts/new/", "/posts/calendar/", "/posts/calendar/?view=month"):
        page.goto(f"{base}{path}")
        page.add_script_tag(path=str(axe))
        result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})")
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], (
            f"{path}: {json.dumps([(v['id'], v['help'], len(v['nodes'])) for v in serious])}"
        )


# --- the same story against the platform simulator (real connectors over HTTP) ------------------


@pytest.fixture
def desk_on_the_simulator(
    live_server: Any,
    settings: Any,
    fresh_desk_settings: None,
    _frontend_built: bool,
    simulated_account: Any,
) -> Iterator[str]:
    settings.CIVILDESK_USE_MODEL = False
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600
    # The real connectors: each account's connector is aimed at the simulator.
    settings.CIVILDESK_PUBLISH_CONNECTOR = "civildesk.publishing.publisher.platform_connector"
    officer = get_user_model().objects.create_user("officer-1", password=PASSWORD)
    StaffProfile.objects.create(user=officer, role="officer")
    for p in ("x", "facebook"):
        Account.objects.create(platform=p, platform_account_id=f"trust-{p}", handle=f"@trust_{p}")
        simulated_account(p, f"trust-{p}")
    yield live_server.url
    desk.forget_cached_settings()


def test_the_simulator_receives_a_saturday_post_once_at_10(
    page: Any, desk_on_the_simulator: str, platform_simulator: Any
) -> None:
    base = desk_on_the_simulator
    saturday = next_saturday()
    due = datetime.combine(saturday, time(10, 0), tzinfo=LONDON)
    log_in(page, base)
    page.get_by_role("link", name="Posts").click()
    page.get_by_test_id("new-post").click()
    page.get_by_label("Post", exact=True).fill(TEXT)
    page.get_by_label("X: @trust_x").check()
    page.get_by_label("Facebook: @trust_facebook").check()
    page.get_by_label("Date", exact=True).fill(saturday.isoformat())
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_test_id("save-post").click()
    page.wait_for_url(re.compile(r"/posts/\d+/$"))
    assert page.get_by_test_id("outcome").inner_text() == "Scheduled"
    post = ScheduledPost.objects.get()
    assert post.scheduled_at == due

    page.goto(f"{base}/posts/calendar/?view=week&date={saturday.isoformat()}")
    entry = page.locator(f'td[data-date="{saturday.isoformat()}"]').get_by_test_id("calendar-entry")
    assert entry.count() == 1 and "10:00" in entry.inner_text()

    def published() -> list[tuple[str, str]]:
        return sorted((a.platform, a.op) for a in platform_simulator.done(op="publish"))

    # Time travel. A minute early the queue holds it back: nothing reaches the platforms.
    with at(due - timedelta(minutes=1)):
        run_ready_tasks()
    assert published() == []
    # At 10:00 each simulated account receives it once.
    with at(due):
        run_ready_tasks()
    assert published() == [("facebook", "publish"), ("x", "publish")]
    # X takes {"text"}, a Facebook Page's feed {"message"}: the post's text, as written.
    sent = {
        a.platform: a.body.get("text") or a.body.get("message") for a in platform_simulator.done(op="publish")
    }
    assert sent == {"x": TEXT, "facebook": TEXT}
    # The worker runs again (a redelivered or duplicated task): still once each.
    with at(due + timedelta(seconds=30)):
        run_ready_tasks()
        for target in PostTarget.objects.filter(post=post):
            assert publish_now(target.pk, post.version, worker="second run") != "published"
    assert published() == [("facebook", "publish"), ("x", "publish")]
    assert set(PostTarget.objects.filter(post=post).values_list("state", flat=True)) == {"published"}

    page.goto(f"{base}/posts/{post.pk}/")
    assert page.get_by_test_id("outcome").inner_text() == "Published"
