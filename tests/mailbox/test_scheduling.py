"""`civildesk worker` reads the mailbox by itself: each poll queues the next one (run_after), one
chain only, and a lease keeps two workers from reading at the same time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civildesk.inbox.worker import run_ready_tasks
from civildesk.mailbox import services, tasks
from civildesk.mailbox.models import InboundMail
from civildesk.moderation.models import Appeal, AuthorNotice
from civildesk.ops.models import PeriodicChain
from tests.mailbox.conftest import ImapServer, appeal_mail

pytestmark = pytest.mark.django_db(transaction=True)
POLL = "civildesk.mailbox.tasks.poll_mailbox"


def queued_polls() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=POLL, status="READY"))


def test_nothing_is_queued_while_the_mailbox_is_not_configured(db: Any, settings: Any) -> None:
    settings.CIVILDESK_APPEALS_IMAP_HOST = ""
    assert tasks.ensure_scheduled() is None and queued_polls() == []


def test_migrate_starts_the_chain_and_starting_it_again_adds_no_second_one(imap_server: ImapServer) -> None:
    call_command("migrate", verbosity=0)
    first = queued_polls()
    assert len(first) == 1
    assert tasks.ensure_scheduled() == str(first[0].id)
    assert len(queued_polls()) == 1


def test_each_poll_queues_the_next_one_after_the_interval(
    imap_server: ImapServer, notice: AuthorNotice
) -> None:
    imap_server.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please"))
    tasks.ensure_scheduled()
    assert run_ready_tasks() == 1  # the worker runs the poll that is due now
    assert Appeal.objects.count() == 1 and imap_server.unseen() == 0

    (next_poll,) = queued_polls()
    assert timedelta(seconds=55) < next_poll.run_after - timezone.now() <= timedelta(seconds=60)
    assert PeriodicChain.objects.get(name=services.CHAIN_NAME).next_task_id == str(next_poll.id)
    assert run_ready_tasks() == 0  # not due yet


def test_an_outage_keeps_the_chain_going_with_back_off(imap_server: ImapServer, settings: Any) -> None:
    settings.CIVILDESK_APPEALS_IMAP_PASSWORD = "wrong-password-1"
    tasks.ensure_scheduled()
    assert run_ready_tasks() == 1
    (retry,) = queued_polls()
    status = services.status()
    assert status.consecutive_failures == 1 and retry.run_after == status.next_poll_at


def test_a_poll_queued_by_hand_reads_the_mailbox_but_starts_no_second_chain(
    imap_server: ImapServer, notice: AuthorNotice
) -> None:
    chain = tasks.ensure_scheduled()
    DBTaskResult.objects.filter(id=chain).update(run_after=timezone.now() + timedelta(minutes=5))
    imap_server.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please"))
    tasks.poll_mailbox.enqueue()
    assert run_ready_tasks() == 1
    assert InboundMail.objects.count() == 1
    assert [str(p.id) for p in queued_polls()] == [chain]


def test_a_second_worker_does_not_read_while_the_first_holds_the_lease(
    imap_server: ImapServer, notice: AuthorNotice
) -> None:
    imap_server.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please"))
    assert services.acquire_lease("worker-a")
    assert tasks.poll_once(holder="worker-b") == "busy"
    assert InboundMail.objects.count() == 0 and imap_server.unseen() == 1

    services.release_lease("worker-a")
    assert tasks.poll_once(holder="worker-b") == "fetched 1"


def test_the_lease_of_a_worker_that_died_mid_poll_runs_out(db: Any) -> None:
    now = timezone.now()
    assert services.acquire_lease("worker-that-died", now=now)
    assert not services.acquire_lease("worker-b", now=now + timedelta(minutes=9))
    assert services.acquire_lease("worker-b", now=now + timedelta(minutes=11))
