from __future__ import annotations

from civildesk.devtools.testing import engine, fake_connector, fresh_desk_settings

__all__ = ["engine", "fake_connector", "fresh_desk_settings"]
