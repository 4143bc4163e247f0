"""`civildesk mailbox poll|schedule|status`: for a first check of the settings, or a timer."""

from __future__ import annotations

from typing import Any

import pytest

from civildesk.cli import main
from civildesk.moderation.models import Appeal, AuthorNotice
from tests.mailbox.conftest import ImapServer, appeal_mail

pytestmark = pytest.mark.django_db(transaction=True)


def test_poll_reads_the_mailbox_now_and_status_reports_it(
    imap_server: ImapServer, notice: AuthorNotice, capsys: Any
) -> None:
    imap_server.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please"))
    assert main(["mailbox", "poll"]) == 0
    assert "fetched 1" in capsys.readouterr().out and Appeal.objects.count() == 1
    assert main(["mailbox", "status"]) == 0
    out = capsys.readouterr().out
    assert "failures in a row: 0" in out and "waiting for a person: 0" in out


def test_poll_exits_1_with_the_reason_when_the_mailbox_is_down(
    imap_server: ImapServer, settings: Any, capsys: Any
) -> None:
    settings.CIVILDESK_APPEALS_IMAP_PASSWORD = "not-the-password-3"
    assert main(["mailbox", "poll"]) == 1
    out = capsys.readouterr().out
    assert "unavailable" in out and "AUTHENTICATIONFAILED" in out and "not-the-password-3" not in out


def test_schedule_queues_the_workers_poll(imap_server: ImapServer, capsys: Any, settings: Any) -> None:
    assert main(["mailbox", "schedule"]) == 0
    assert "next poll queued as task" in capsys.readouterr().out
    settings.CIVILDESK_APPEALS_IMAP_HOST = ""
    assert main(["mailbox", "schedule"]) == 1
