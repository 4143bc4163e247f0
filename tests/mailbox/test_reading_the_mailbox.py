"""Jo's comment was hidden; Jo e-mails the appeals address. The worker reads the real IMAP
mailbox, keeps the mail, and opens Jo's appeal, once, however often it reads."""

from __future__ import annotations

from typing import Any

import pytest

from civildesk.mailbox import tasks
from civildesk.mailbox.models import InboundMail
from civildesk.moderation.models import Appeal, AuditEntry, AuthorNotice, ModerationAction
from tests.mailbox.conftest import ImapServer, appeal_mail

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: "stored, then marked read"


def poll() -> str:
    return tasks.poll_once(holder="test-worker")


def test_an_appeal_email_quoting_the_reference_opens_the_right_case_exactly_once(
    imap_server: ImapServer, notice: AuthorNotice, hidden: ModerationAction
) -> None:
    imap_server.deliver(
        appeal_mail(
            subject=f"Re: your comment was hidden ({notice.reference.lower()})",
            body="I was quoting someone else. Please look again.",
        )
    )
    assert imap_server.unseen() == 1

    assert poll() == "fetched 1"

    appeal = Appeal.objects.get()
    assert appeal.action == hidden and appeal.notice == notice and appeal.via == "email"
    assert "quoting someone else" in appeal.text and appeal.status == "open"
    mail = InboundMail.objects.get()
    assert (mail.status, mail.matched_by, mail.reference, mail.appeal) == (
        "matched",
        "reference",
        notice.reference,
        appeal,
    )
    assert mail.from_address == "jo.runner@example.org" and mail.from_name == "Jo Runner"
    assert AuditEntry.objects.filter(event="appeal.opened", target_id=str(appeal.pk)).count() == 1
    # Read on the server only now that the desk holds it; the mail itself stays there.
    assert imap_server.unseen() == 0 and imap_server.total() == 1


def test_a_second_poll_creates_nothing_new(imap_server: ImapServer, notice: AuthorNotice) -> None:
    imap_server.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please reconsider."))
    assert poll() == "fetched 1"
    assert poll() == "fetched 0"
    assert (InboundMail.objects.count(), Appeal.objects.count()) == (1, 1)


def test_the_same_mail_seen_unread_again_is_kept_once_and_opens_one_appeal(
    imap_server: ImapServer, notice: AuthorNotice
) -> None:
    raw = appeal_mail(
        subject=f"Appeal {notice.reference}", body="Please reconsider.", message_id="<a1@x.org>"
    )
    imap_server.deliver(raw)
    assert poll() == "fetched 1"
    # The server shows the same mail again (restored from a backup, copied back by a person).
    imap_server.deliver(raw)
    assert poll() == "fetched 0"
    assert (InboundMail.objects.count(), Appeal.objects.count()) == (1, 1)
    assert imap_server.unseen() == 0  # the duplicate is still marked read, so it is not re-read


def test_mails_without_a_message_id_are_told_apart_by_their_bytes(
    imap_server: ImapServer, notice: AuthorNotice
) -> None:
    first = appeal_mail(subject=f"Appeal {notice.reference}", body="First", message_id=None)
    imap_server.deliver(first)
    imap_server.deliver(appeal_mail(subject="Hello", body="Second, about nothing", message_id=None))
    imap_server.deliver(first)  # the same bytes again
    assert poll() == "fetched 2"
    keys = sorted(InboundMail.objects.values_list("message_id", flat=True))
    assert len(keys) == 2 and all(k.startswith("sha256:") and len(k) == 71 for k in keys)


def test_a_follow_up_mail_joins_the_appeal_already_open_instead_of_opening_another(
    imap_server: ImapServer, notice: AuthorNotice
) -> None:
    imap_server.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please reconsider."))
    imap_server.deliver(appeal_mail(subject=f"Re: Appeal {notice.reference}", body="Any news?"))
    assert poll() == "fetched 2"
    appeal = Appeal.objects.get()
    assert [m.follow_up for m in InboundMail.objects.order_by("pk")] == [False, True]
    assert all(m.appeal == appeal for m in InboundMail.objects.all())


def test_a_mail_naming_the_authors_handle_is_matched_to_their_latest_notice(
    imap_server: ImapServer, notice: AuthorNotice, hidden: ModerationAction
) -> None:
    # No reference, but the HTML-only mail says who they are on Instagram.
    imap_server.deliver(
        appeal_mail(
            subject="Why was my comment removed?",
            body="",
            html="<html><body><p>Hi, I am <b>@Jo.Runs</b> on Instagram.</p>"
            "<p>My comment was fair&nbsp;criticism.</p><style>p{}</style></body></html>",
        )
    )
    assert poll() == "fetched 1"
    mail = InboundMail.objects.get()
    assert (mail.status, mail.matched_by, mail.reference) == ("matched", "handle", notice.reference)
    assert mail.text == "Hi, I am @Jo.Runs on Instagram.\nMy comment was fair criticism."
    assert Appeal.objects.get().action == hidden


def test_a_mail_we_cannot_place_is_filed_for_a_person_and_opens_nothing(
    imap_server: ImapServer, notice: AuthorNotice
) -> None:
    imap_server.deliver(appeal_mail(subject="Complaint", body="You deleted my post, I am @someone.else"))
    imap_server.deliver(appeal_mail(subject="Appeal CD-ZZZZZZ", body="See the reference"))
    assert poll() == "fetched 2"
    assert Appeal.objects.count() == 0
    reasons = dict(InboundMail.objects.values_list("subject", "why_unmatched"))
    assert set(InboundMail.objects.values_list("status", flat=True)) == {"unmatched"}
    assert "@someone.else" in reasons["Complaint"]
    assert "CD-ZZZZZZ" in reasons["Appeal CD-ZZZZZZ"]
    assert imap_server.unseen() == 0  # filed on the desk, so read on the server


def test_a_reference_in_a_quoted_printable_latin1_body_is_still_found(
    imap_server: ImapServer, notice: AuthorNotice
) -> None:
    raw = (
        "From: =?iso-8859-1?q?Ren=E9e?= <renee@example.org>\r\n"
        "Subject: =?iso-8859-1?q?R=E9clamation?=\r\n"
        "Message-ID: <latin1@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="iso-8859-1"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"Caf=E9 comment, r=E9f=E9rence {notice.reference}.\r\n"
    ).encode("ascii")
    imap_server.deliver(raw)
    assert poll() == "fetched 1"
    mail = InboundMail.objects.get()
    assert (mail.subject, mail.from_name) == ("Réclamation", "Renée")
    assert f"Café comment, référence {notice.reference}." == mail.text
    assert mail.status == "matched" and bytes(mail.raw) == raw


def test_a_mail_kept_before_a_crash_is_matched_by_the_next_poll(
    imap_server: ImapServer, notice: AuthorNotice, monkeypatch: Any
) -> None:
    imap_server.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please"))

    def crash() -> int:
        raise RuntimeError("worker killed while matching")

    monkeypatch.setattr(tasks, "match_pending", crash)
    with pytest.raises(RuntimeError):
        poll()
    assert InboundMail.objects.get().status == "received" and Appeal.objects.count() == 0
    monkeypatch.undo()
    assert poll() == "fetched 0"
    assert InboundMail.objects.get().status == "matched" and Appeal.objects.count() == 1


def test_a_handle_two_authors_share_is_left_for_a_person(
    imap_server: ImapServer,
    notice: AuthorNotice,
    arrive: Any,
    officer: Any,
    moderator: Any,
    commit: Any,
    settle: Any,
) -> None:
    from civildesk.moderation import services as moderation

    other = moderation.do_hide(
        arrive("you are all idiots", platform="facebook", author_id="fb-9", handle="jo.runs"), officer
    )
    with commit():
        moderation.do_approve(other, moderator)
    settle()
    imap_server.deliver(appeal_mail(subject="Removed", body="This is @jo.runs, please look again"))
    assert poll() == "fetched 1"
    mail = InboundMail.objects.get()
    assert mail.status == "unmatched" and "More than one author matches" in mail.why_unmatched
    assert Appeal.objects.count() == 0
