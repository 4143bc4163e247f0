"""Attacker-written text stays text: a corpus of XSS payloads, in Chromium, on every page that
shows it.

Anyone on a platform controls a message's text, their handle, their display name and the links
they post; an appeal and a rating comment are written by the public too. Each payload goes into
those fields, through the real ingest and the real rule engine (the link detector marks URLs as
evidence, so the highlighter is exercised), and then every page that shows them is opened in
Chromium. The page fixture bypasses the CSP on purpose: escaping alone must keep them inert (the
CSP is the second wall, checked in test_headers).

Inert means: no dialog opened (a handler fails the test), the payloads' global marker unset, no
element carrying the payloads' marker attribute, no inline event handler or javascript: URL, no
inline script, no frame or plugin anywhere in the DOM.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client

from civildesk.inbox import desk
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import Message
from civildesk.inbox.worker import run_ready_tasks
from civildesk.web.models import StaffProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each payload, if it ran, would open a dialog, set window.__xss, or leave an element marked
# data-xss in the DOM.
PAYLOADS = [
    '<script>window.__xss=1;alert("script")</script>',
    "<img src=x onerror=\"window.__xss=1;alert('img')\" data-xss>",
    '<svg onload="window.__xss=1;alert(1)" data-xss><circle r=1 /></svg>',
    '"><script>window.__xss=1</script><b data-xss>',
    "'><img src=x onerror=alert(1) data-xss>",
    '" onmouseover="alert(1)" autofocus onfocus="window.__xss=1" data-xss="',
    "javascript:alert(document.cookie)",
    '<a href="javascript:window.__xss=1" data-xss>click me</a>',
    '<iframe src="javascript:alert(1)" data-xss></iframe>',
    '<details open ontoggle="window.__xss=1" data-xss>x</details>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1" data-xss>',
    "</textarea></title></style><script>window.__xss=1</script>",
    "＜script＞alert(1)＜/script＞ fullwidth brackets",
    "<scr\u200bipt>alert(1)</scr\u200bipt> zero-width inside the tag",
    "\u202egnp.exe<img src=x onerror=alert(1) data-xss> right-to-left override",
    "%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
    "&lt;img src=x onerror=alert(1) data-xss&gt; already escaped once",
    'see https://evil.example/"><img src=x onerror="window.__xss=1" data-xss> for details',
    "http://evil.example/?q=<script>window.__xss=1</script>",
    "{{ request.user }} {% csrf_token %} ${alert(1)}",
]

INERT = """() => {
  const found = [];
  if (window.__xss) found.push('window.__xss set');
  document.querySelectorAll('[data-xss]').forEach(e => found.push('injected <' + e.tagName + '>'));
  document.querySelectorAll('*').forEach(e => {
    for (const a of e.attributes) {
      if (a.name.startsWith('on')) found.push('inline handler ' + a.name + ' on <' + e.tagName + '>');
      if (/^\\s*javascript:/i.test(a.value) && ['href', 'src', 'action', 'formaction'].includes(a.name))
        found.push('javascript: URL in ' + a.name);
    }
  });
  document.querySelectorAll('script:not([src])').forEach(e => {
    if (e.type !== 'application/json' && e.textContent.trim()) found.push('inline script');
  });
  document.querySelectorAll('iframe, object, embed').forEach(e => found.push('<' + e.tagName + '>'));
  return found;
}"""

PASSWORD = "a long passphrase for the desk"


@pytest.fixture
def hostile_desk(
    live_server: Any, settings: Any, fresh_desk_settings: None, _frontend_built: bool
) -> Iterator[dict[str, Any]]:
    from civildesk.handoff import services as handoffs
    from civildesk.moderation import services as moderation
    from civildesk.public.models import PageRating

    settings.CIVILDESK_USE_MODEL = False  # the rules are enough here, and start in a fraction of a second
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    admin = get_user_model().objects.create_user("ada.admin", password=PASSWORD)
    StaffProfile.objects.create(user=admin, role="admin")
    now = datetime.now(UTC)
    ids = []
    for n, payload in enumerate(PAYLOADS):
        when = now - timedelta(minutes=60 - n)
        ids.append(
            ingest(
                InboundMessage(
                    platform=("x", "facebook", "instagram", "linkedin")[n % 4],
                    account_id="trust",
                    platform_id=f"xss-{n}",
                    kind="comment" if n % 4 else "mention",
                    text=f"you lot are idiots {payload} I want to complain",
                    author_id=f"attacker-{n}",
                    author_handle=payload[:100],
                    author_name=PAYLOADS[-1 - n][:100],
                    created_at=when,
                ),
                now=when,
            ).message_id
        )
    run_ready_tasks()
    messages = list(Message.objects.filter(pk__in=ids).select_related("author"))
    for n, message in enumerate(messages[:6]):
        action = moderation.do_propose("hide", admin, message=message, reason=PAYLOADS[n])
        moderation.do_open_appeal(text=PAYLOADS[-1 - n], action=action, user=admin)
        handoffs.do_pass_on(message, "pals", admin, note=PAYLOADS[n])
        PageRating.objects.create(rating=1, comment=PAYLOADS[n], client=f"c{n}")
    try:  # the appeals mailbox: sender, subject and body are the public's too
        from civildesk.mailbox.models import InboundMail

        for n, payload in enumerate(PAYLOADS[:6]):
            InboundMail.objects.create(
                message_id=f"<xss-{n}@example.org>",
                raw=payload.encode(),
                from_address="jo@example.org",
                from_name=payload[:200],
                subject=payload[:500],
                text=payload,
                status="unmatched",
                why_unmatched=payload,
            )
    except ImportError:
        pass
    client = Client()
    client.force_login(admin)
    yield {
        "url": live_server.url,
        "session": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "messages": [m.pk for m in messages],
    }
    desk.forget_cached_settings()


def pages(desk_: dict[str, Any]) -> list[str]:
    from civildesk.reports.period import week_of

    week = week_of(datetime.now(UTC).date()).iso_week
    found = [
        "/",
        "/dashboard/",
        "/moderation/",
        "/moderation/appeals/",
        "/handoffs/",
        f"/reports/?week={week}",  # the downloadable report.html has the same body
        "/house-rules/",
        "/house-rules/ratings/",
    ]
    if "civildesk.mailbox" in django_settings.INSTALLED_APPS:
        found.append("/mailbox/")
    for pk in desk_["messages"]:
        found += [f"/messages/{pk}/", f"/messages/{pk}/history/", f"/messages/{pk}/reply/"]
    return found


def test_hostile_text_is_shown_as_text_on_every_page(page: Any, hostile_desk: dict[str, Any]) -> None:
    base = hostile_desk["url"]
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": hostile_desk["session"], "url": base}]
    )
    problems: dict[str, list[str]] = {}
    for path in pages(hostile_desk):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        page.wait_for_load_state("load")
        page.mouse.move(200, 300)  # hover: an injected onmouseover would fire now
        found = page.evaluate(INERT)
        if found or dialogs:
            problems[path] = found + dialogs
            dialogs.clear()
    assert not problems, problems


def test_the_payloads_are_visible_as_plain_text(page: Any, hostile_desk: dict[str, Any]) -> None:
    # The corpus reached the page (a test that rendered nothing would prove nothing).
    base = hostile_desk["url"]
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": hostile_desk["session"], "url": base}]
    )
    page.goto(f"{base}/messages/{hostile_desk['messages'][1]}/")
    body = page.inner_text("main")
    assert "<img src=x onerror=" in body
    page.goto(f"{base}/moderation/appeals/")
    assert "<" in page.inner_text("main")


def test_the_csp_blocks_nothing_the_desk_itself_needs(browser: Any, hostile_desk: dict[str, Any]) -> None:
    """With the CSP enforced (no bypass), no page, the admin included, trips it: the desk needs no
    inline script or style, so the strict policy costs nothing and a violation means an injection
    or a template that has started to need one."""
    base = hostile_desk["url"]
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    try:
        context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": hostile_desk["session"], "url": base}]
        )
        pg = context.new_page()
        violations: list[str] = []
        pg.on(
            "console",
            lambda m: (
                violations.append(f"{pg.url}: {m.text}") if "Content Security Policy" in m.text else None
            ),
        )
        message = hostile_desk["messages"][0]
        admin_pages = ["/admin/", "/admin/inbox/message/", f"/admin/inbox/message/{message}/change/"]
        for path in [*pages(hostile_desk), *admin_pages]:
            response = pg.goto(base + path)
            assert response is not None and response.status == 200, path
            script_src = response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
            assert "unsafe-inline" not in script_src, path
            pg.wait_for_load_state("load")
        assert not violations, violations
    finally:
        context.close()


def test_the_inertness_check_sees_a_real_injection(page: Any) -> None:
    # The check above can fail: on a page where the markup was NOT escaped, it reports it.
    page.set_content(f"<main><p>{PAYLOADS[1]}</p><p>{PAYLOADS[7]}</p></main>")
    found = page.evaluate(INERT)
    assert any("injected <IMG>" in f for f in found)
    assert any("inline handler onerror" in f for f in found)
    assert any("javascript: URL" in f for f in found)
