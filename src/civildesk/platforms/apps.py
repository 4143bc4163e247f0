from __future__ import annotations

from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "civildesk.platforms"
    label = "platforms"
    verbose_name = "Platform accounts"
    default_auto_field = "django.db.models.BigAutoField"
