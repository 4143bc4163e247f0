"""Logging in and out (the lockout itself lives in civildesk.web.auth)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView

from civildesk.web.auth import is_locked


class DeskLoginForm(AuthenticationForm):
    def get_invalid_login_error(self) -> forms.ValidationError:
        if is_locked(self.data.get("username")):
            minutes = settings.CIVILDESK_LOGIN_LOCKOUT_MINUTES
            return forms.ValidationError(
                f"Too many failed attempts. This account is locked for {minutes} minutes; "
                "ask an administrator if you need it sooner.",
                code="locked",
            )
        return forms.ValidationError("Enter a correct user name and password.", code="invalid_login")


class DeskLoginView(LoginView):
    template_name = "web/login.html"
    authentication_form = DeskLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("next", self.get_redirect_url())
        return context


class DeskLogoutView(LogoutView):
    pass
