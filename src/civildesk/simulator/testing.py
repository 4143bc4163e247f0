"""Pytest fixtures for using the simulator from any test (moderation, end-to-end, platforms).

from civildesk.simulator.testing import platform_simulator, simulated_account  # noqa: F401

def test_hide(platform_simulator, simulated_account):
    account = simulated_account("facebook", "1001")   # a PlatformAccount aimed at the simulator
    ...  # the desk hides a comment through connector_for("facebook", "1001")
    assert platform_simulator.done("facebook", "hide")[0].path == "/c1"
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from civildesk.simulator.accounts import SECRETS, VERIFY_TOKEN, credentials_for
from civildesk.simulator.server import Simulator

__all__ = ["SECRETS", "VERIFY_TOKEN", "credentials_for", "platform_simulator", "simulated_account"]


@pytest.fixture
def platform_simulator() -> Iterator[Simulator]:
    """The simulator on a free port, started in this process; stopped after the test."""
    sim = Simulator().start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def simulated_account(platform_simulator: Simulator, db: Any) -> Callable[..., Any]:
    """Make a PlatformAccount whose connector calls the simulator (needs the database)."""
    from civildesk.platforms.models import PlatformAccount

    def make(platform: str, account_id: str, name: str = "") -> PlatformAccount:
        account = PlatformAccount(
            platform=platform,
            account_id=account_id,
            name=name or f"simulated {platform}",
            api_base_url=platform_simulator.base_url(platform),
        )
        account.set_credentials(credentials_for(platform))
        account.save()
        return account

    return make
