"""Fixtures for the platform contract tests: the simulator in-process, and connectors aimed at it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civildesk.devtools.testing import engine, fresh_desk_settings
from civildesk.platforms.common import ConnectorBase
from civildesk.platforms.registry import build
from civildesk.platforms.windows import MemoryWindowBook
from civildesk.simulator.server import Simulator
from civildesk.simulator.testing import credentials_for, platform_simulator, simulated_account

__all__ = ["engine", "fresh_desk_settings", "platform_simulator", "simulated_account"]

ACCOUNTS = {"x": "4242", "facebook": "1001", "instagram": "17841", "linkedin": "urn:li:organization:5"}


class FakeClock:
    """A clock that sleeping moves forward, so back-off tests take no real time."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def windows() -> MemoryWindowBook:
    return MemoryWindowBook()


@pytest.fixture
def connect(platform_simulator: Simulator, windows: MemoryWindowBook) -> Callable[..., ConnectorBase]:
    made: list[ConnectorBase] = []

    def make(platform: str, **kwargs: Any) -> ConnectorBase:
        kwargs.setdefault("windows", windows)
        connector = build(
            platform,
            ACCOUNTS[platform],
            credentials_for(platform),
            base_url=platform_simulator.base_url(platform),
            **kwargs,
        )
        made.append(connector)
        return connector

    yield make  # type: ignore[misc]
    for connector in made:
        connector.close()
