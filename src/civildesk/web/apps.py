from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class WebConfig(AppConfig):
    default = True
    name = "civildesk.web"
    label = "web"
    verbose_name = "People and desk settings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from civildesk.web import signals  # noqa: F401  (connects the login lockout handlers)


class DeskAdminConfig(admin_apps.AdminConfig):
    """The Django admin, restricted to the admin role (see civildesk.web.admin_site)."""

    default = False

    default_site = "civildesk.web.admin_site.DeskAdminSite"
