"""The Django admin, for the admin role only. Everyone signs in through the desk's own login
page (the one with the lockout); an officer or moderator who opens /admin/ gets 403."""

from __future__ import annotations

from functools import update_wrapper
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from civildesk.web.access import can


class DeskAdminSite(admin.AdminSite):
    site_header = "civildesk administration"
    site_title = "civildesk admin"
    index_title = "Accounts, policy settings, templates, staff directory, working hours, users"

    def has_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "admin_site")

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("Only administrators can open the admin site")
            return inner(request, *args, **kwargs)  # type: ignore[no-any-return]

        return update_wrapper(wrapper, view)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied("Only administrators can open the admin site")
            return HttpResponseRedirect(reverse("admin:index"))
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': target})}")
