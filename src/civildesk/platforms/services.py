"""The platforms app's doors: building an account's connector, receiving a delivery, processing
it, testing a connection."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from civildesk.inbox.connectors import ConnectorError
from civildesk.inbox.inbound import InboundMessage, InvalidInbound
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import Message
from civildesk.platforms import registry
from civildesk.platforms.base import Connector, RateState
from civildesk.platforms.common import ConnectorBase
from civildesk.platforms.deliveries import delivery_key
from civildesk.platforms.models import PlatformAccount, WebhookDelivery, WebhookRejection

log = logging.getLogger("civildesk.platforms")

# Only what helps someone debug a delivery later; never Authorization or cookies.
KEPT_HEADERS = (
    "content-type",
    "user-agent",
    "x-hub-signature-256",
    "x-twitter-webhooks-signature",
    "x-li-signature",
)
MAX_ATTEMPTS = 8


def base_url_for(account: PlatformAccount) -> str:
    if account.api_base_url:
        return account.api_base_url
    shared = getattr(settings, "CIVILDESK_PLATFORM_BASE_URL", "")
    return f"{shared}/{account.platform}" if shared else ""


def _rate_saver(account_pk: int) -> Any:
    def save(state: RateState) -> None:
        PlatformAccount.objects.filter(pk=account_pk).update(rate_state=rate_json(state))

    return save


def rate_json(state: RateState) -> dict[str, Any]:
    return {
        "limit": state.limit,
        "remaining": state.remaining,
        "resets_at": state.resets_at.isoformat() if state.resets_at else None,
        "detail": state.detail,
    }


def build_connector(account: PlatformAccount) -> ConnectorBase:
    from civildesk.platforms.djangobook import DjangoWindowBook

    return registry.build(
        account.platform,
        account.account_id,
        account.credentials(),
        base_url=base_url_for(account),
        windows=DjangoWindowBook(),
        on_rate=_rate_saver(account.pk),
    )


def do_receive_delivery(
    account: PlatformAccount, raw_body: bytes, headers: dict[str, str], *, now: datetime | None = None
) -> tuple[WebhookDelivery, bool]:
    """Store a verified delivery and queue its processing, in one transaction: the task row is in
    the same database (django-tasks-db), so nothing is stored without being queued. A redelivery
    is counted and not queued again."""
    from civildesk.platforms import tasks

    now = now or timezone.now()
    key = delivery_key(account.platform, raw_body)
    kept = {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    with transaction.atomic():
        delivery, created = WebhookDelivery.objects.get_or_create(
            account=account,
            delivery_key=key,
            defaults={"body": raw_body, "headers": kept, "received_at": now},
        )
        if created:
            tasks.process_delivery.enqueue(delivery_id=delivery.pk)
        else:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(redeliveries=delivery.redeliveries + 1)
    return delivery, created


def do_count_rejection(
    account: PlatformAccount, reason: WebhookRejection.Reason, *, now: datetime | None = None
) -> None:
    """Count (and log) one refused delivery in the shared counter row for its platform and reason.

    An UPDATE ... SET count = count + 1 is atomic in the database, so any number of web
    processes can count at once; the row is created by the first refusal, and a second process
    racing to create it falls back to the update."""
    now = now or timezone.now()
    # Account pk and reason only: the body of a forged request is the attacker's, never logged.
    log.warning("webhook delivery refused: %s (%s account %s)", reason.value, account.platform, account.pk)
    counters = WebhookRejection.objects.filter(platform=account.platform, reason=reason)
    if counters.update(count=F("count") + 1, last_at=now):
        return
    try:
        with transaction.atomic():
            WebhookRejection.objects.create(platform=account.platform, reason=reason, count=1, last_at=now)
    except IntegrityError:
        counters.update(count=F("count") + 1, last_at=now)


def _keep_stored_author(message: InboundMessage) -> InboundMessage:
    """A deletion may arrive without its author (LinkedIn, some Meta removals): use the stored one."""
    if message.author_id != "unknown":
        return message
    stored = (
        Message.objects.filter(
            account__platform=message.platform,
            account__platform_account_id=message.account_id,
            platform_id=message.platform_id,
        )
        .values_list("author__platform_user_id", flat=True)
        .first()
    )
    return dataclasses.replace(message, author_id=stored) if stored else message


def process(delivery: WebhookDelivery, *, now: datetime | None = None) -> datetime | None:
    """Parse and ingest one delivery. Returns when to try again, or None when it is done."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts + 1)
    connector: ConnectorBase | None = None
    try:
        # Inside the try: credentials removed or unreadable since the delivery arrived fail it
        # visibly instead of crashing the worker's task.
        connector = build_connector(delivery.account)
        messages = connector.parse_events(bytes(delivery.body))
        count = 0
        for message in messages:
            ingest(_keep_stored_author(message), now=now)
            count += 1
    except ConnectorError as exc:
        if exc.retryable and delivery.attempts + 1 < MAX_ATTEMPTS:
            retry_at = cast(datetime | None, getattr(exc, "retry_at", None))
            WebhookDelivery.objects.filter(pk=delivery.pk).update(error=str(exc))
            return retry_at or now + timedelta(minutes=2**delivery.attempts)
        _fail(delivery, str(exc), now)
        return None
    except (ValueError, KeyError, TypeError, InvalidInbound) as exc:
        # A payload the desk cannot read: kept, marked, shown in the admin; never retried.
        _fail(delivery, f"{type(exc).__name__}: {exc}", now)
        return None
    finally:
        if connector is not None:
            connector.close()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDelivery.State.PROCESSED, processed_at=now, messages=count, error=""
    )
    return None


def _fail(delivery: WebhookDelivery, error: str, now: datetime) -> None:
    log.warning("webhook delivery %s failed: %s", delivery.pk, error)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDelivery.State.FAILED, processed_at=now, error=error[:2000]
    )


def do_poll(account: PlatformAccount, *, now: datetime | None = None) -> int:
    """The webhook fallback: fetch what is new since the account's cursor and ingest it.
    Idempotent like every source (ingestion de-duplicates), so a poll overlapping a webhook
    delivery stores nothing twice. Returns how many events were ingested."""
    now = now or timezone.now()
    connector = build_connector(account)
    try:
        page = connector.poll_events(account.poll_cursor)
        for message in page.messages:
            ingest(_keep_stored_author(message), now=now)
    finally:
        connector.close()
    if page.cursor != account.poll_cursor:
        PlatformAccount.objects.filter(pk=account.pk).update(poll_cursor=page.cursor)
        account.poll_cursor = page.cursor
    return len(page.messages)


def do_check_connection(account: PlatformAccount, *, now: datetime | None = None) -> tuple[bool, str]:
    """Call the platform's "who am I" endpoint with the stored credentials; record the outcome."""
    now = now or timezone.now()
    try:
        connector = build_connector(account)
    except (ConnectorError, ValueError) as exc:
        ok, detail = False, str(exc)
    else:
        try:
            ok, detail = True, connector.check()
        except ConnectorError as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        finally:
            connector.close()
    PlatformAccount.objects.filter(pk=account.pk).update(
        last_checked_at=now, last_check_ok=ok, last_check_detail=detail[:500]
    )
    return ok, detail


def as_connector(connector: ConnectorBase) -> Connector:
    return cast(Connector, connector)
