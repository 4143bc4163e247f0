"""Login with lockout: after N failed attempts for a user name, that name is locked for M minutes.

Counting is by user name whether or not the account exists, and the locked message is the same
for both, so the lockout does not tell an attacker which names are real. A correct password
during the lock is refused too (otherwise the lock would only slow down guessing).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from civildesk.web.models import LoginThrottle


def throttle_key(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def is_locked(username: str | None) -> bool:
    key = throttle_key(username)
    return bool(key) and LoginThrottle.objects.filter(username=key, locked_until__gt=timezone.now()).exists()


def record_failure(username: str | None) -> LoginThrottle | None:
    key = throttle_key(username)
    if not key:
        return None
    now = timezone.now()
    with transaction.atomic():
        throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(username=key)
        if throttle.locked:
            return throttle  # attempts during a lock neither count nor extend it
        LoginThrottle.objects.filter(pk=throttle.pk).update(failures=F("failures") + 1, last_failure_at=now)
        throttle.refresh_from_db()
        if throttle.failures >= settings.CIVILDESK_LOGIN_MAX_FAILURES:
            throttle.locked_until = now + timedelta(minutes=settings.CIVILDESK_LOGIN_LOCKOUT_MINUTES)
            throttle.failures = 0
            throttle.save(update_fields=["locked_until", "failures"])
        return throttle


def clear(username: str | None) -> None:
    LoginThrottle.objects.filter(username=throttle_key(username)).delete()


class LockoutBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if is_locked(username):
            if request is not None:
                request.civildesk_locked = True  # type: ignore[attr-defined]
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
