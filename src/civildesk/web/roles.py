"""Roles and what each may do: a small table, read by views, templates and the admin site.

Kept free of Django so the matrix itself can be read (and tested) as data. Roles are ordered:
each one can do everything the one before it can, plus the permissions listed for it.
"""

from __future__ import annotations

from typing import Final

ROLES: Final[tuple[str, ...]] = ("viewer", "officer", "moderator", "admin")

ROLE_LABELS: Final[dict[str, str]] = {
    "viewer": "Viewer (read only)",
    "officer": "Communications officer",
    "moderator": "Moderator / comms lead",
    "admin": "Administrator",
}

# What each role adds to the one below it.
_ADDS: Final[dict[str, frozenset[str]]] = {
    # Auditors, managers and trainees: see the desk, change nothing.
    "viewer": frozenset({"view_inbox", "view_message", "view_dashboard", "view_history", "view_posts"}),
    # The people who work the inbox all day.
    "officer": frozenset({"assign", "reply", "add_note", "close", "reopen", "schedule_post"}),
    # Removals, blocks and escalations are the moderator's call under the policy.
    "moderator": frozenset({"action", "approve_action", "assign_others", "approve_post"}),
    # Accounts, policy settings, templates, working hours, users: the Django admin.
    "admin": frozenset({"admin_site", "manage_users", "edit_settings"}),
}


def _cumulative() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    held: frozenset[str] = frozenset()
    for role in ROLES:
        held = held | _ADDS[role]
        out[role] = held
    return out


PERMISSIONS: Final[dict[str, frozenset[str]]] = _cumulative()
ALL_PERMISSIONS: Final[frozenset[str]] = PERMISSIONS["admin"]


class UnknownPermission(KeyError):
    """A view asked about a permission the matrix does not define (a typo would silently deny)."""


def role_can(role: str | None, permission: str) -> bool:
    if permission not in ALL_PERMISSIONS:
        raise UnknownPermission(permission)
    if role is None:
        return False
    return permission in PERMISSIONS.get(role, frozenset())


def matrix() -> list[tuple[str, dict[str, bool]]]:
    """The permission matrix as rows (permission, {role: allowed}), for the docs and the admin."""
    order = [p for role in ROLES for p in sorted(_ADDS[role])]
    return [(p, {role: p in PERMISSIONS[role] for role in ROLES}) for p in order]
