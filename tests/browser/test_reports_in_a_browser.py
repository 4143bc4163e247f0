"""A manager reads last week's report in a real browser: the demo inbox is loaded as if it had
arrived last Thursday and Friday, officers answered some of it, and the report shows real charts
drawn from it. The screenshot and the downloaded PDF are kept under test-output/browser/ (CI keeps
that folder as an artifact)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from civildesk.devtools.testing import FakePlatformConnector, at, fake_connector
from civildesk.inbox import desk, services
from civildesk.inbox.models import Message
from civildesk.inbox.worker import run_ready_tasks
from civildesk.reports.build import build_report
from civildesk.reports.period import last_full_week
from civildesk.web.demo import load_demo_inbox
from civildesk.web.models import StaffProfile

__all__ = ["fake_connector"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long passphrase for the desk"
LONDON = ZoneInfo("Europe/London")
CRISIS_REPLY = "We're sorry you're feeling like this. Please call the crisis line on 0800 028 8000, any time."
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"


def last_friday_afternoon() -> datetime:
    """15:00 London on the Friday of the last full week: the demo's day and a half ends there."""
    week = last_full_week(datetime.now(UTC))
    return datetime.combine(week.first_day + timedelta(days=4), datetime.min.time(), tzinfo=LONDON).replace(
        hour=15
    )


@pytest.fixture
def demo_week(
    live_server: Any,
    settings: Any,
    fresh_desk_settings: None,
    _frontend_built: bool,
    fake_connector: FakePlatformConnector,
) -> Iterator[dict[str, Any]]:
    settings.CIVILDESK_USE_MODEL = False  # the rules alone classify the demo in a second or two
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600
    friday = last_friday_afternoon()
    loaded = load_demo_inbox(classify_now=False, now=friday)
    with at(friday):  # classified as it arrived on Friday (in hours: people reply, not the auto-reply)
        run_ready_tasks()
    officer = get_user_model().objects.create_user("officer-1", password=PASSWORD)
    StaffProfile.objects.create(user=officer, role="officer")
    viewer = get_user_model().objects.create_user("manager-1", password=PASSWORD)
    StaffProfile.objects.create(user=viewer, role="viewer")
    # Officers answer every crisis within minutes and every third other message: most within the
    # hour, every fourth of those a day late, so the SLA and response figures have something to say.
    for n, message in enumerate(Message.objects.filter(priority="P1").order_by("posted_at", "pk")):
        with at(message.posted_at + timedelta(minutes=3 + 2 * (n % 4))):
            services.send_reply(message, officer, CRISIS_REPLY, visibility="private")
    waiting = list(Message.objects.waiting().exclude(kind="dm").order_by("posted_at", "pk"))
    for n, message in enumerate(waiting[::3]):
        delay = timedelta(days=1, hours=2) if n % 4 == 3 else timedelta(minutes=20 + 5 * (n % 6))
        with at(message.posted_at + delay):
            services.send_reply(message, officer, "Thank you, we have passed this on.", visibility="public")
    yield {"url": live_server.url, "loaded": loaded, "friday": friday}
    desk.forget_cached_settings()


def test_the_weekly_report_shows_real_charts_from_the_demo_inbox(
    page: Any, demo_week: dict[str, Any]
) -> None:
    base = demo_week["url"]
    week = last_full_week(datetime.now(UTC))

    started = time.perf_counter()
    report = build_report(week)
    build_seconds = time.perf_counter() - started
    assert (
        report.total == demo_week["loaded"].total - 2
    )  # the demo's edit and deletion are events, not messages
    assert report.sla.met > 0 and report.sla.missed > 0
    assert report.crisis.count > 0 and report.crisis.unreplied == 0
    assert report.crisis.longest_minutes is not None and report.crisis.longest_minutes <= 10

    page.goto(f"{base}/login/")
    page.get_by_label("User name").fill("manager-1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(f"{base}/reports/")

    assert page.get_by_test_id("report-period").inner_text() == week.title
    for name in ("volume", "labels", "sla"):
        chart = page.get_by_test_id(f"chart-{name}").locator("img")
        assert chart.is_visible() and chart.get_attribute("alt")
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")  # the SVG loaded
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 80
    summary = page.get_by_test_id("report-summary").inner_text()
    assert f"Messages received\t{report.total}" in summary
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "weekly-report.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    pdf_path = OUTPUT / f"weekly-report-{week.iso_week}.pdf"
    download_info.value.save_as(str(pdf_path))
    assert pdf_path.read_bytes().startswith(b"%PDF-")

    (OUTPUT / "weekly-report-timing.json").write_text(
        json.dumps({"messages": report.total, "build_report_seconds": round(build_seconds, 3)}),
        encoding="utf-8",
    )


def test_the_report_page_has_no_serious_accessibility_faults(page: Any, demo_week: dict[str, Any]) -> None:
    from civildesk.web.frontend import VENDOR_DIR

    axe = VENDOR_DIR / "axe" / "axe.min.js"
    if not axe.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    base = demo_week["url"]
    page.goto(f"{base}/login/")
    page.get_by_label("User name").fill("manager-1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/reports/")
    page.add_script_tag(path=str(axe))
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})")
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps([(v["id"], v["help"], len(v["nodes"])) for v in serious])
