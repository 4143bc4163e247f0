"""Fixtures for the load, fault and scale-out tests."""

from __future__ import annotations

from civildesk.devtools.testing import engine, fresh_desk_settings

__all__ = ["engine", "fresh_desk_settings"]
