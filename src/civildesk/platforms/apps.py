from __future__ import annotations

from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "civildesk.platforms"
    label = "platforms"
    verbose_name = "Platform accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # issue 8: adds civildesk_webhook_rejections_total to /metrics; and the polling chain
        # that every worker starts.
        from civildesk.platforms import metrics, tasks  # noqa: F401
