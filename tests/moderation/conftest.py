"""Personas, a message arriving through the real inbox, the recording platform, and ``settle``
(run what was committed, then the tasks it queued, until nothing is left)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from civildesk.devtools.testing import engine, fresh_desk_settings
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import Message
from civildesk.inbox.worker import run_ready_tasks
from tests.moderation import fakes

__all__ = ["engine", "fresh_desk_settings"]
_ids = itertools.count(1)


def person(username: str, role: str) -> Any:
    from civildesk.web.models import StaffProfile

    user = get_user_model().objects.create_user(username, password="correct horse battery staple")
    StaffProfile.objects.create(user=user, role=role)
    user.refresh_from_db()
    return user


@pytest.fixture
def officer(db: Any) -> Any:
    return person("olu.officer", "officer")


@pytest.fixture
def moderator(db: Any) -> Any:
    return person("mina.moderator", "moderator")


@pytest.fixture
def second_moderator(db: Any) -> Any:
    return person("sam.moderator", "moderator")


@pytest.fixture
def admin(db: Any) -> Any:
    return person("ada.admin", "admin")


@pytest.fixture
def viewer(db: Any) -> Any:
    return person("vic.viewer", "viewer")


@pytest.fixture
def platform(settings: Any) -> Iterator[fakes.RecordingConnector]:
    fakes.current = fakes.RecordingConnector()
    fakes.asked.clear()
    settings.CIVILDESK_MODERATION_CONNECTOR = "tests.moderation.fakes.factory"
    yield fakes.current
    fakes.current = None


@pytest.fixture
def settle(django_capture_on_commit_callbacks: Any) -> Callable[[], int]:
    def run() -> int:
        total = 0
        for _ in range(20):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                ran = run_ready_tasks()
            total += ran
            if not ran and not callbacks:
                return total
        raise AssertionError("tasks kept queueing more tasks")

    return run


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the on-commit callbacks of what happens inside (the test itself is one transaction)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def arrive(engine: Any, fresh_desk_settings: Any, settle: Callable[[], int]) -> Callable[..., Message]:
    def make(
        text: str,
        *,
        platform: str = "instagram",
        kind: str = "comment",
        author_id: str = "ig-1",
        handle: str = "jo.runs",
        age: timedelta = timedelta(hours=1),
    ) -> Message:
        posted = timezone.now() - age
        result = ingest(
            InboundMessage(
                platform=platform,
                account_id="trust",
                platform_id=f"m{next(_ids)}",
                kind=kind,
                text=text,
                author_id=author_id,
                author_handle=handle,
                created_at=posted,
            ),
            now=posted,
        )
        settle()
        return Message.objects.select_related("decision", "author", "account").get(pk=result.message_id)

    return make
