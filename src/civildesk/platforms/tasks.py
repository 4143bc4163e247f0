"""Background work for webhook deliveries and the polling fallback (django-tasks-db)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from civildesk.inbox.connectors import ConnectorError
from civildesk.platforms import services
from civildesk.platforms.models import PlatformAccount, WebhookDelivery

log = logging.getLogger(__name__)


@task()
def process_delivery(delivery_id: int) -> None:
    delivery = WebhookDelivery.objects.select_related("account").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != WebhookDelivery.State.QUEUED:
        return  # already done by an earlier run of this task
    retry_at = services.process(delivery)
    if retry_at is not None:
        process_delivery.using(run_after=retry_at).enqueue(delivery_id=delivery_id)


@task()
def poll_account(account_pk: int) -> int:
    """Poll one account (LinkedIn without an approved webhook, X as a safety net)."""
    account = PlatformAccount.objects.filter(pk=account_pk, active=True).first()
    if account is None or not account.has_credentials:
        return 0
    return services.do_poll(account)


# The webhook fallback, on a timer: platforms whose API can be polled (X mentions, LinkedIn
# notifications; Meta offers webhooks only). One self-renewing chain; a second chain started by a
# second worker at the same moment ends itself at its next run.
POLLABLE = frozenset({"x", "linkedin"})
POLL_TASK_PATH = "civildesk.platforms.tasks.poll_due_accounts"


def poll_interval() -> int:
    return int(getattr(settings, "CIVILDESK_POLL_SECONDS", 300))


def _other_polls_waiting(me: str | None) -> bool:
    waiting = DBTaskResult.objects.filter(
        task_path=POLL_TASK_PATH, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    return waiting.exclude(pk=me).exists() if me else waiting.exists()


def ensure_polling() -> bool:
    """Start the polling chain unless one is queued or polling is off; True if it started one."""
    if poll_interval() <= 0 or _other_polls_waiting(None):
        return False
    poll_due_accounts.enqueue()
    return True


@task(takes_context=True)
def poll_due_accounts(context: TaskContext) -> dict[str, int | str]:
    """Poll every active, connected account on a pollable platform, then queue the next run.
    A platform refusing (rate limit, expired token) is logged per account and never stops the
    others or the chain."""
    outcome: dict[str, int | str] = {}
    accounts = PlatformAccount.objects.filter(active=True, platform__in=POLLABLE).exclude(
        credentials_encrypted=""
    )
    for account in accounts:
        try:
            outcome[str(account)] = services.do_poll(account)
        except ConnectorError as exc:
            outcome[str(account)] = f"{type(exc).__name__}: {exc}"
            log.warning("polling %s failed: %s", account, exc)
    interval = poll_interval()
    me = str(context.task_result.id)
    if interval > 0 and not _other_polls_waiting(me):
        poll_due_accounts.using(run_after=timezone.now() + timedelta(seconds=interval)).enqueue()
    return outcome
