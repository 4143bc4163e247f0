from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from civildesk.devtools.testing import engine, fake_connector, fresh_desk_settings
from civildesk.inbox.models import Account
from civildesk.web.models import StaffProfile
from tests.publishing import fakes

__all__ = ["engine", "fake_connector", "fresh_desk_settings"]

# Wednesday 25 November 2026, 09:00 GMT: a working day, no bank holiday near.
WEDNESDAY_9AM = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SATURDAY_10AM = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _sessions_outlive_frozen_clocks(settings: Any) -> None:
    # Tests freeze the clock at fixed dates; a session made at the real time must not expire.
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600


@pytest.fixture
def publisher(settings: Any) -> Iterator[fakes.RecordingPublisher]:
    fake = fakes.RecordingPublisher()
    fakes.install(fake)
    settings.CIVILDESK_PUBLISH_CONNECTOR = "tests.publishing.fakes.factory"
    yield fake
    fakes.install(None)


def person(role: str, name: str | None = None) -> Any:
    user = get_user_model().objects.create_user(name or role, password="a long passphrase for the desk")
    StaffProfile.objects.create(user=user, role=role)
    user.refresh_from_db()
    return user


@pytest.fixture
def accounts(db: None) -> dict[str, Account]:
    return {
        p: Account.objects.create(platform=p, platform_account_id=f"trust-{p}", handle=f"@trust_{p}")
        for p in ("x", "facebook", "instagram", "linkedin")
    }
