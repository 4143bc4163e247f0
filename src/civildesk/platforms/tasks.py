"""Background work for webhook deliveries (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from civildesk.platforms import services
from civildesk.platforms.models import PlatformAccount, WebhookDelivery


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
