from __future__ import annotations

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "civildesk.public"
    label = "public"
    verbose_name = "Public house-rules page"
    default_auto_field = "django.db.models.BigAutoField"
