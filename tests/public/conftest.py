from __future__ import annotations

from civildesk.devtools.testing import fresh_desk_settings

__all__ = ["fresh_desk_settings"]
