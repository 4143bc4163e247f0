"""Reading one e-mail: the text a person wrote, whatever their mail program did to it."""

from __future__ import annotations

from email.message import EmailMessage

from civildesk.mailbox import parsing


def mail(**headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = headers.pop("From", "Sam <sam@example.org>")
    msg["Subject"] = headers.pop("Subject", "Appeal")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    return msg


def test_the_plain_part_is_preferred_over_the_html_one() -> None:
    msg = mail(Message_ID="<m1@example.org>")
    msg.set_content("Plain words CD-AB2CDE")
    msg.add_alternative("<p>HTML words</p>", subtype="html")
    parsed = parsing.parse(bytes(msg))
    assert parsed.text == "Plain words CD-AB2CDE" and parsed.message_id == "m1@example.org"
    assert (parsed.from_name, parsed.from_address, parsed.subject) == ("Sam", "sam@example.org", "Appeal")


def test_an_html_only_mail_is_read_as_text_without_scripts_or_styles() -> None:
    msg = mail()
    msg.set_content(
        "<html><head><title>t</title><style>.x{}</style></head><body><div>Line one</div>"
        "<script>alert(1)</script><p>Line&nbsp;two &amp; more</p></body></html>",
        subtype="html",
    )
    assert parsing.parse(bytes(msg)).text == "Line one\nLine two & more"


def test_attachments_are_not_read_as_the_appeal() -> None:
    msg = mail()
    msg.set_content("My appeal")
    msg.add_attachment(b"CD-ZZZZZZ secret", maintype="text", subtype="plain", filename="notes.txt")
    assert parsing.parse(bytes(msg)).text == "My appeal"


def test_a_wrong_or_unknown_charset_does_not_stop_the_mail_being_read() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n"
        b"\r\nCaf\xe9 CD-AB2CDE\r\n"
    )
    text = parsing.parse(raw).text
    assert text.startswith("Caf") and "CD-AB2CDE" in text


def test_garbage_is_kept_with_a_hash_key_rather_than_refused() -> None:
    parsed = parsing.parse(b"\x00\xffnot an e-mail at all")
    assert parsed.message_id.startswith("sha256:") and parsed.from_address == ""


def test_the_key_is_the_message_id_unless_it_is_missing_or_absurdly_long() -> None:
    assert parsing.message_key(" <abc@x.org> ", b"raw") == "abc@x.org"
    assert parsing.message_key("", b"raw") == parsing.message_key("   ", b"raw")
    assert parsing.message_key("", b"raw") != parsing.message_key("", b"raw2")
    assert parsing.message_key("<" + "a" * 400 + "@x>", b"raw").startswith("sha256:")


def test_handles_are_mentions_not_email_addresses() -> None:
    assert parsing.mentioned_handles(
        "I am @Jo.Runs. Write to me at jo@example.org", "also @jo.runs and @sam_1"
    ) == ["jo.runs", "sam_1"]
    assert parsing.mentioned_handles("no handles here, only x@y.org") == []


def test_a_date_header_is_read_and_a_bad_one_ignored() -> None:
    msg = mail(Date="Mon, 07 Dec 2026 09:30:00 +0000")
    msg.set_content("x")
    assert parsing.parse(bytes(msg)).sent_at_iso == "2026-12-07T09:30:00+00:00"
    bad = mail(Date="yesterday-ish")
    bad.set_content("x")
    assert parsing.parse(bytes(bad)).sent_at_iso == ""
