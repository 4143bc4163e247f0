"""The mailbox goes down (refused, wrong password, silent server, a crash mid-poll): the outage is
recorded, retried with back-off, shown on the dashboard, and no mail is ever lost."""

from __future__ import annotations

import imaplib
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from civildesk.mailbox import services, tasks
from civildesk.mailbox.models import InboundMail
from civildesk.moderation.models import Appeal, AuthorNotice
from civildesk.ops.models import PeriodicChain
from tests.mailbox.conftest import PASSWORD, ImapServer, appeal_mail, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def poll() -> str:
    return tasks.poll_once(holder="test-worker")


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts the connection and never says a word (a hung mail server)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    listener.close()


def test_a_wrong_password_is_recorded_retried_with_back_off_and_the_mail_waits_on_the_server(
    imap_server: ImapServer, notice: AuthorNotice, settings: Any, caplog: Any
) -> None:
    imap_server.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please reconsider"))
    settings.CIVILDESK_APPEALS_IMAP_PASSWORD = "rotated-but-not-updated-9x"
    caplog.set_level(logging.INFO, logger="civildesk")

    before = timezone.now()
    assert poll() == "unavailable"
    first = services.status()
    assert first.consecutive_failures == 1 and first.last_success_at is None
    assert "refused" in first.last_error and "AUTHENTICATIONFAILED" in first.last_error
    assert first.next_poll_at is not None
    assert timedelta(seconds=59) < first.next_poll_at - before < timedelta(seconds=75)

    assert poll() == "unavailable"
    second = services.status()
    assert second.consecutive_failures == 2
    assert second.next_poll_at is not None and second.last_error_at is not None
    assert second.next_poll_at - second.last_error_at == timedelta(seconds=120)  # doubled

    # The password is in no error and no log line.
    assert "rotated-but-not-updated-9x" not in second.last_error
    assert "rotated-but-not-updated-9x" not in caplog.text and "appeals mailbox" in caplog.text
    assert "rotated-but-not-updated-9x" not in repr(services.mailbox_settings())

    # Nothing was taken off the server, so nothing is lost: fixed, the next poll gets it.
    assert imap_server.unseen() == 1 and InboundMail.objects.count() == 0
    settings.CIVILDESK_APPEALS_IMAP_PASSWORD = PASSWORD
    assert poll() == "fetched 1"
    healed = services.status()
    assert healed.consecutive_failures == 0 and healed.last_success_at is not None
    assert healed.last_error  # the last error stays visible for the record
    assert Appeal.objects.count() == 1


def test_a_refused_connection_is_an_outage_not_a_crash(db: Any, settings: Any) -> None:
    settings.CIVILDESK_APPEALS_IMAP_HOST = "127.0.0.1"
    settings.CIVILDESK_APPEALS_IMAP_PORT = free_port()  # nothing listens there
    settings.CIVILDESK_APPEALS_IMAP_USER = "appeals"
    settings.CIVILDESK_APPEALS_IMAP_SECURITY = "none"
    assert poll() == "unavailable"
    row = services.status()
    assert row.consecutive_failures == 1 and "Cannot connect to 127.0.0.1" in row.last_error
    lease = PeriodicChain.objects.get(name=services.CHAIN_NAME)
    assert lease.lease_holder == "" and lease.lease_until is None  # the lease is given back


def test_a_server_that_never_answers_times_out(db: Any, settings: Any, silent_server: int) -> None:
    settings.CIVILDESK_APPEALS_IMAP_HOST = "127.0.0.1"
    settings.CIVILDESK_APPEALS_IMAP_PORT = silent_server
    settings.CIVILDESK_APPEALS_IMAP_USER = "appeals"
    settings.CIVILDESK_APPEALS_IMAP_SECURITY = "none"
    settings.CIVILDESK_APPEALS_IMAP_TIMEOUT = 0.5
    assert poll() == "unavailable"
    assert "Timed out" in services.status().last_error


def test_tls_expected_but_the_server_speaks_plain_text_is_an_outage(
    imap_server: ImapServer, settings: Any
) -> None:
    settings.CIVILDESK_APPEALS_IMAP_SECURITY = "ssl"
    assert poll() == "unavailable"
    assert services.status().consecutive_failures == 1


def test_a_folder_that_is_not_there_is_an_outage_with_its_name(
    imap_server: ImapServer, settings: Any
) -> None:
    settings.CIVILDESK_APPEALS_IMAP_FOLDER = "Appeals"
    assert poll() == "unavailable"
    assert "Folder 'Appeals' cannot be opened" in services.status().last_error


def test_a_crash_before_the_mail_is_stored_leaves_it_unread_on_the_server(
    imap_server: ImapServer, notice: AuthorNotice, monkeypatch: Any
) -> None:
    imap_server.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please"))

    def database_down(raw: bytes) -> Any:
        raise ConnectionError("database went away")

    monkeypatch.setattr(services, "do_store_mail", database_down)
    with pytest.raises(ConnectionError):
        poll()
    assert services.status().consecutive_failures == 1
    assert imap_server.unseen() == 1  # never marked read: the mail was not lost
    monkeypatch.undo()
    assert poll() == "fetched 1"
    assert Appeal.objects.count() == 1


def test_a_crash_after_storing_but_before_marking_read_keeps_the_mail_once(
    imap_server: ImapServer, notice: AuthorNotice, monkeypatch: Any
) -> None:
    imap_server.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please"))

    real_uid = imaplib.IMAP4.uid

    def connection_drops_on_store(self: imaplib.IMAP4, command: str, *args: str) -> Any:
        if command == "STORE":
            raise ConnectionResetError("connection reset by peer")
        return real_uid(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "uid", connection_drops_on_store)
    assert poll() == "unavailable"
    assert InboundMail.objects.count() == 1  # committed before the server was asked
    assert imap_server.unseen() == 1
    monkeypatch.undo()
    assert poll() == "fetched 0"  # read again, recognised by its Message-ID
    assert (InboundMail.objects.count(), Appeal.objects.count()) == (1, 1)
    assert imap_server.unseen() == 0


def test_storing_refuses_to_run_inside_a_transaction(imap_server: ImapServer) -> None:
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError, match="outside a transaction"):
        tasks.fetch_new(services.mailbox_settings())


def test_an_outage_shows_in_the_metrics_prometheus_scrapes(imap_server: ImapServer, settings: Any) -> None:
    from civildesk.ops.metrics import collect, exposition

    settings.CIVILDESK_APPEALS_IMAP_PASSWORD = "wrong-password-4"
    poll()
    poll()
    text = exposition(collect())
    assert "civildesk_appeals_mailbox_consecutive_failures 2" in text
    assert 'civildesk_appeal_mails{status="unmatched"} 0' in text
