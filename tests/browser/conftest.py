"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

No browser is ever downloaded: Playwright launches /usr/bin/chromium. Without it the tests skip
with the reason, except in CI (CI=1), where they must run and so fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import OPEN_BROWSERS

from civildesk.devtools.testing import fresh_desk_settings

__all__ = ["fresh_desk_settings"]

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make between
# page actions are ordinary synchronous calls, which Django would otherwise refuse here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CIVILDESK_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing_reason() -> str | None:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    reason = _missing_reason()
    if reason is None or os.environ.get("CI"):
        return  # in CI a missing browser makes the tests fail, as it should
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        OPEN_BROWSERS.append(launched)
        try:
            yield launched
        finally:
            OPEN_BROWSERS.remove(launched)
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # CSP bypassed on purpose: these tests prove the escaping alone keeps message text inert
    # (the CSP is checked separately in tests/web).
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London", bypass_csp=True)
    # Nothing may be fetched from outside the desk (no CDN): fail any such request loudly.
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
    yield pg
    context.close()
    assert not outside, f"the page tried to load from outside the desk: {outside}"


@pytest.fixture(scope="session")
def _frontend_built() -> bool:
    from civildesk.web import frontend

    try:
        return frontend.ensure()
    except frontend.FrontendMissing:
        return False
