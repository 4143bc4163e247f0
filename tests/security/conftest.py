"""A small desk with one of everything, for probing every route as every role.

``world`` builds, through the one-door services: a person per role, a classified message, a
scheduled post with its target, a hand-off with its signed acknowledgement link, a proposed
moderation action with an appeal, a connected platform account and an API token per role. The
security tests fill URL parameters from it, so a route is exercised on a real object (a 404 on
a missing object would hide a missing permission check).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from civildesk.devtools.testing import engine, fake_connector, fresh_desk_settings
from civildesk.inbox.models import Account, Message
from civildesk.web.models import StaffProfile
from tests.browser.conftest import (
    CHROMIUM,
    LAUNCH_ARGS,
    _frontend_built,
    page,
    pytest_collection_modifyitems,
)
from tests.conftest import OPEN_BROWSERS
from tests.moderation import fakes

# The browser fixtures (Debian chromium, no downloads) and the skip-without-chromium rule.
__all__ = [
    "_frontend_built",
    "browser",
    "engine",
    "fake_connector",
    "fresh_desk_settings",
    "page",
    "pytest_collection_modifyitems",
]

ROLES = ("viewer", "officer", "moderator", "admin")
PASSWORD = "a long passphrase for the desk"
_ids = itertools.count(1)


def _open_browser() -> Any:
    """tests/browser's session-wide Chromium, when that directory ran first in this process.
    Playwright's sync API cannot be started twice in one thread, so the two share it. (Found
    through tests/browser's registry, not the garbage collector: the desk freezes long-lived
    objects out of the collector's sight once its engine is built.)"""
    return next((b for b in reversed(OPEN_BROWSERS) if b.is_connected()), None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    shared = _open_browser()
    if shared is not None:
        yield shared  # tests/browser's fixture closes it
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def _sessions_outlive_frozen_clocks(settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Any) -> None:
    # Argon2 takes about a second per password here; these tests make many people and are about
    # who may do what, not about hashing (tests/web checks the hasher).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def person(role: str, username: str | None = None) -> Any:
    user = get_user_model().objects.create_user(username or f"{role}.person", password=PASSWORD)
    StaffProfile.objects.create(user=user, role=role)
    user.refresh_from_db()
    return user


def arrive(text: str, *, handle: str = "@jo.runs", name: str = "", platform: str = "x") -> Message:
    from civildesk.inbox.inbound import InboundMessage
    from civildesk.inbox.ingest import ingest
    from civildesk.inbox.worker import run_ready_tasks

    posted = timezone.now() - timedelta(minutes=30)
    result = ingest(
        InboundMessage(
            platform=platform,
            account_id="trust",
            platform_id=f"sec-{next(_ids)}",
            kind="mention",
            text=text,
            author_id=f"author-{next(_ids)}",
            author_handle=handle,
            author_name=name,
            created_at=posted,
        ),
        now=posted,
    )
    run_ready_tasks()
    return Message.objects.select_related("author", "decision").get(pk=result.message_id)


@dataclass
class World:
    users: dict[str, Any]
    message: Message
    objects: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, role: str, **kwargs: Any) -> Client:
        client = Client(**kwargs)
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


@pytest.fixture
def moderation_platform(settings: Any) -> Iterator[fakes.RecordingConnector]:
    fakes.current = fakes.RecordingConnector()
    settings.CIVILDESK_MODERATION_CONNECTOR = "tests.moderation.fakes.factory"
    yield fakes.current
    fakes.current = None


@pytest.fixture
def world(db: Any, engine: Any, fake_connector: Any, moderation_platform: Any) -> World:
    from civildesk.api.models import ApiToken
    from civildesk.handoff import services as handoffs
    from civildesk.moderation import services as moderation
    from civildesk.moderation.models import AuthorNotice
    from civildesk.platforms.models import PlatformAccount
    from civildesk.publishing import services as posts

    users = {role: person(role) for role in ROLES}
    message = arrive("you lot are idiots, I want to complain")
    account = Account.objects.create(platform="facebook", platform_account_id="trust-fb", handle="@trust")
    when = (timezone.now() + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    post = posts.create_post(
        users["officer"],
        posts.Draft(text="Flu clinics open on Saturday", account_ids=(account.pk,), scheduled_at=when),
    )
    handoff = handoffs.do_pass_on(message, "pals", users["officer"])
    action = moderation.do_propose("hide", users["officer"], message=message, reason="abuse")
    appeal = moderation.do_open_appeal(text="please put it back", action=action, user=users["officer"])
    from civildesk.simulator.accounts import credentials_for

    # Credentials so the webhook reaches its signature check; the API URL is never called.
    platform_account = PlatformAccount(
        platform="x", account_id="trust-x", name="Trust on X", api_base_url="http://127.0.0.1:9/x"
    )
    platform_account.set_credentials(credentials_for("x"))
    platform_account.save()
    notice = AuthorNotice.objects.create(action=action, reference="CD-7K2M9Q", text="We hid your comment.")
    world = World(users=users, message=message)
    world.objects.update(
        post=post,
        target=post.targets.get(),
        handoff=handoff,
        handoff_token=handoffs.acknowledge_token(handoff),
        action=action,
        appeal=appeal,
        platform_account=platform_account,
        notice=notice.reference,
    )
    try:  # the appeals mailbox when installed
        from civildesk.mailbox.models import InboundMail

        world.objects["mail"] = InboundMail.objects.create(
            message_id="<appeal-1@example.org>", raw=b"", from_address="jo@example.org", subject="appeal"
        )
    except ImportError:
        pass
    world.tokens = {role: ApiToken.issue(users[role], f"{role} system", role)[1] for role in ROLES}
    return world
