"""Template context for every desk page: the signed-in role and what it may do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from civildesk.web.access import user_role
from civildesk.web.roles import ALL_PERMISSIONS, role_can


def desk(request: HttpRequest) -> dict[str, Any]:
    role = user_role(getattr(request, "user", None))
    return {
        "desk_role": role,
        "desk_can": {p: role_can(role, p) for p in ALL_PERMISSIONS},
    }
