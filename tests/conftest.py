"""Shared test fixtures: where the shared folder is, and loading labelled case files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CASES = ROOT / "tests" / "cases"
# The session's Chromium while it is open. Playwright's sync API cannot start twice in one
# thread, so tests/security's browser fixture borrows tests/browser's. The list lives here because
# pytest loads tests/browser/conftest.py under a second module name, and this module only once.
OPEN_BROWSERS: list[Any] = []


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present (the shared folder sits beside the project root)")
    return SHARED
