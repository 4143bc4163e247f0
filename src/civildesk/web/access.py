"""Who may do what on the desk: the role matrix applied to Django users."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from civildesk.web.roles import role_can

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def acting_user(request: HttpRequest) -> User:
    """The signed-in person making a change (views reach this only after ``require``)."""
    if not request.user.is_authenticated:
        raise PermissionDenied("Log in first")
    return request.user


def user_role(user: Any) -> str | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "admin"
    profile = getattr(user, "staff", None)
    # A user added without a profile can look but not touch until an admin gives them a role.
    return profile.role if profile is not None else "viewer"


def can(user: Any, permission: str) -> bool:
    return role_can(user_role(user), permission)


def require(permission: str) -> Callable[[V], V]:
    """Log in first (redirect), then 403 unless the role holds ``permission``."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, permission):
                raise PermissionDenied(f"Your role cannot {permission.replace('_', ' ')}")
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
