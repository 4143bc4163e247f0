"""Login bookkeeping: failures count towards the lockout; a success clears it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from civildesk.web import auth


@receiver(user_login_failed, dispatch_uid="civildesk_login_failed")
def _failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    auth.record_failure(credentials.get("username"))


@receiver(user_logged_in, dispatch_uid="civildesk_logged_in")
def _succeeded(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    auth.clear(user.get_username())
