"""Background work for webhook deliveries and the polling fallback (django-tasks-db)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final

from django.conf import settings
from django_tasks import TaskContext, task

from civildesk.inbox.connectors import ConnectorError
from civildesk.ops import periodic
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
# notifications; Meta offers webhooks only). One self-renewing chain (civildesk.ops.periodic): a
# run that is not the chain's next link polls but queues nothing, so a second chain ends itself.
POLLABLE = frozenset({"x", "linkedin"})
POLL_TASK_PATH = "civildesk.platforms.tasks.poll_due_accounts"


def poll_interval() -> int:
    return int(getattr(settings, "CIVILDESK_POLL_SECONDS", 300))


def next_poll(now: datetime, first: bool) -> datetime | None:
    """At once when the chain starts, then every CIVILDESK_POLL_SECONDS; 0 turns polling off."""
    interval = poll_interval()
    if interval <= 0:
        return None
    return now if first else now + timedelta(seconds=interval)


def ensure_polling() -> bool:
    """Start the polling chain unless one is queued or polling is off; True if it started one."""
    queued = periodic.ensure(CHAIN)
    return queued is not None and queued.started


def poll_all() -> dict[str, int | str]:
    """Poll every active, connected account on a pollable platform. A platform refusing (rate
    limit, expired token) is logged per account and never stops the others."""
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
    return outcome


@task(takes_context=True)
def poll_due_accounts(context: TaskContext) -> dict[str, int | str]:
    """Poll every pollable account (one worker at a time, under the chain's lease), then queue
    the next run."""
    me = str(context.task_result.id)
    try:
        with periodic.leased(CHAIN, me) as mine:
            if not mine:
                log.info("platform polling skipped: another worker is polling now")
                return {}
            return poll_all()
    finally:
        # Whatever happened, the chain goes on: an unexpected error must not end polling.
        periodic.schedule_next(CHAIN, current=me)


CHAIN: Final = periodic.register(periodic.Chain("platforms.poll", poll_due_accounts, next_poll))
