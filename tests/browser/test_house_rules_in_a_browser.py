"""A member of the public, in a real browser and under the desk's real Content-Security-Policy:
reads the house rules without logging in, finds the crisis line first, rates the page; and the
page, its error state and the hand-off panel on the message page pass axe-core's WCAG 2.2 AA
checks with nothing serious or critical."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from civildesk.devtools.testing import at
from civildesk.handoff import services as handoff_services
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.worker import run_ready_tasks
from civildesk.public.models import PageRating
from civildesk.web.models import StaffProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long passphrase for the desk"
AXE_TAGS = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']"


@pytest.fixture
def site(live_server: Any, settings: Any, fresh_desk_settings: None, _frontend_built: bool) -> str:
    settings.CIVILDESK_USE_MODEL = False
    settings.CIVILDESK_RATING_MIN_SECONDS = 0.0  # a test fills the form faster than a person
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600
    return str(live_server.url)


@pytest.fixture
def public_page(browser: Any) -> Iterator[Any]:
    """Like the shared ``page`` fixture, but the CSP is enforced: the public page must work under it."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    outside: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://localhost", "http://127.0.0.1", "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()
    assert not outside, f"the page tried to load from outside the desk: {outside}"
    assert not [e for e in errors if "Content Security Policy" in e], errors


def axe_serious(page: Any) -> list[tuple[str, str, int]]:
    from civildesk.web.frontend import VENDOR_DIR

    axe = VENDOR_DIR / "axe" / "axe.min.js"
    if not axe.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    # Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script>
    # tag would be refused, as it should be).
    page.evaluate(axe.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(f"axe.run(document, {{runOnly: {AXE_TAGS}}})")
    assert len(result["passes"]) > 10, "axe did not run its checks"
    return [
        (v["id"], v["help"], len(v["nodes"]))
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_public_reads_the_rules_and_rates_the_page(public_page: Any, site: str) -> None:
    page = public_page
    page.goto(f"{site}/house-rules/")
    assert page.get_by_test_id("page-title").inner_text() == "Social media house rules"
    crisis = page.get_by_test_id("crisis")
    assert "0800 028 8000" in crisis.inner_text()
    assert page.get_by_test_id("crisis-line").get_attribute("href") == "tel:08000288000"
    # The crisis box sits above the first rule on the screen, not just in the source.
    assert crisis.bounding_box()["y"] < page.get_by_test_id("section").first.bounding_box()["y"]
    assert (
        page.get_by_role("link", name="How to make a complaint").get_attribute("href").endswith("/complaints")
    )
    trap = page.locator("#rating-website").bounding_box()
    assert trap["x"] + trap["width"] <= 0  # the honeypot is off screen, where no person sees it

    # Sending without choosing a rating: the error summary, focused, links to the radios.
    page.get_by_role("button", name="Send feedback").click()
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "Choose a rating from 1 to 5" in summary.inner_text()
    assert not PageRating.objects.exists()

    page.get_by_label("5 – very helpful").check()
    page.get_by_label("Tell us how we could improve this page (optional)").fill("Clear. Thank you.")
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_test_id("rating-thanks").wait_for()
    row = PageRating.objects.get()
    assert (row.rating, row.comment) == (5, "Clear. Thank you.")
    assert "127.0.0.1" not in row.client


def test_keyboard_only_the_rating_can_be_chosen_and_sent(public_page: Any, site: str) -> None:
    page = public_page
    page.goto(f"{site}/house-rules/#rating")
    page.locator("#rating-1").focus()
    page.keyboard.press("ArrowRight")  # radios move with the arrow keys
    page.keyboard.press("ArrowRight")
    assert page.locator("#rating-3").is_checked()
    page.locator("#rating-comment").focus()
    page.keyboard.press("Tab")  # the honeypot is skipped: next stop is the button
    assert page.evaluate("document.activeElement.textContent.trim()") == "Send feedback"
    page.keyboard.press("Enter")
    page.get_by_test_id("rating-thanks").wait_for()
    assert PageRating.objects.get().rating == 3


def test_the_public_pages_have_no_serious_accessibility_faults(public_page: Any, site: str) -> None:
    page = public_page
    page.goto(f"{site}/house-rules/")
    assert axe_serious(page) == [], "house rules"
    page.get_by_role("button", name="Send feedback").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert axe_serious(page) == [], "house rules with an error"
    page.get_by_label("4").check()
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_test_id("rating-thanks").wait_for()
    assert axe_serious(page) == [], "house rules, thanked"


def test_the_hand_off_panel_and_the_teams_link_have_no_serious_accessibility_faults(
    page: Any, site: str
) -> None:
    officer = get_user_model().objects.create_user("officer-1", password=PASSWORD)
    StaffProfile.objects.create(user=officer, role="officer")
    when = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    message_id = ingest(
        InboundMessage(
            platform="facebook",
            account_id="trust",
            platform_id="f1",
            kind="comment",
            text="Who can I speak to about my dad's care on the ward?",
            author_id="fb-1",
            author_name="Sam Doe",
            created_at=when,
        ),
        now=when,
    ).message_id
    with at(when):
        run_ready_tasks()
    page.goto(f"{site}/login/")
    page.get_by_label("User name").fill("officer-1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/")
    page.goto(f"{site}/messages/{message_id}/")
    page.get_by_label("Pass on to").select_option("pals")
    page.get_by_role("button", name="Pass on").click()
    reference = page.get_by_test_id("handoff-reference")
    reference.wait_for()
    problems = axe_serious(page)
    assert problems == [], f"message page with a hand-off: {json.dumps(problems)}"
    handoff = handoff_services.Handoff.objects.get(reference=reference.inner_text())
    page.goto(f"{site}/handoffs/acknowledge/{handoff_services.acknowledge_token(handoff)}/")
    assert axe_serious(page) == [], "the team's acknowledgement page"
    page.get_by_role("button", name="We have this message").click()
    page.get_by_test_id("acknowledged").wait_for()
    handoff.refresh_from_db()
    assert handoff.state == "acknowledged"
