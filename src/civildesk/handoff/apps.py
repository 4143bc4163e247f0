from __future__ import annotations

from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "civildesk.handoff"
    label = "handoff"
    verbose_name = "Hand-offs to other teams"
    default_auto_field = "django.db.models.BigAutoField"
