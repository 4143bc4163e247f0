from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _schedule_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    # Every deployment migrates on install and upgrade: that is when the poll chain is (re)started,
    # so a configured mailbox is read without anyone having to remember a command.
    # `flush` (the test suite between tests) also sends post_migrate, without a plan: not a migrate.
    if kwargs.get("plan") is None:
        return
    from civildesk.mailbox.tasks import ensure_scheduled

    ensure_scheduled(using=kwargs.get("using", "default"))


class MailboxConfig(AppConfig):
    name = "civildesk.mailbox"
    label = "mailbox"
    verbose_name = "Appeals mailbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_schedule_after_migrate, sender=self)
        # The /metrics collector, and the poll chain that every worker starts.
        from civildesk.mailbox import metrics, tasks  # noqa: F401
