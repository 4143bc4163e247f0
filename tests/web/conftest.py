from __future__ import annotations

from typing import Any

import pytest

from civildesk.devtools.testing import engine, fake_connector, fresh_desk_settings

__all__ = ["engine", "fake_connector", "fresh_desk_settings"]


@pytest.fixture(autouse=True)
def _sessions_outlive_frozen_clocks(settings: Any) -> None:
    # Tests freeze the clock at fixed dates; a session made at the real time must not expire.
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600
