"""Reading one e-mail as the author sent it: who, subject, the text a person wrote, and the key
that makes each mail count once. Pure (standard library only, no Django).

Authors write from every mail program there is: plain text, HTML only, multipart with both,
quoted-printable, base64, Latin-1 or a charset the sender got wrong. Parsing never raises on a
strange mail: a mail that cannot be read well is still kept and shown to a person.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Final

# Long enough for any real Message-ID; longer ones (or none) are replaced by a hash.
MAX_MESSAGE_ID: Final = 250
MAX_TEXT: Final = 20_000  # an appeal is a few paragraphs; quoted threads beyond this add nothing
_BLOCK_TAGS: Final = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "table"})
# '@jo.runs' in the text, but not the '@example.org' of an e-mail address.
_HANDLE: Final = re.compile(r"(?<![\w.@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,48}[A-Za-z0-9_])?)")


@dataclass(frozen=True, slots=True)
class ParsedMail:
    message_id: str  # the Message-ID without <>, or "sha256:<hex of the raw bytes>"
    from_address: str
    from_name: str
    subject: str
    text: str
    sent_at_iso: str  # the Date header as ISO 8601 ('' when missing or unreadable)


def _text_of_html(html: str) -> str:
    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in ("script", "style", "head"):
                self.skip += 1
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style", "head"):
                self.skip = max(0, self.skip - 1)
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Collect()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _content(part: Message) -> str:
    try:
        if isinstance(part, EmailMessage):
            value = part.get_content()
            return value if isinstance(value, str) else ""
    except (LookupError, ValueError, AssertionError):
        pass  # unknown or wrong charset: decode the bytes by hand below
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def body_text(msg: Message) -> str:
    """What the person wrote: the plain part if there is one, else the HTML part as text."""
    plain: list[str] = []
    html: list[str] = []
    for part in msg.walk() if msg.is_multipart() else [msg]:
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            plain.append(_content(part))
        elif kind == "text/html":
            html.append(_content(part))
    if any(p.strip() for p in plain):
        text = "\n\n".join(p.strip() for p in plain if p.strip())
    else:
        text = "\n\n".join(_text_of_html(h) for h in html if h.strip())
    return text.replace("\r\n", "\n").strip()[:MAX_TEXT]


def message_key(header_value: str, raw: bytes) -> str:
    """The idempotency key: the Message-ID, or a SHA-256 of the raw bytes when it has none."""
    value = " ".join(header_value.split()).strip().strip("<>").strip()
    if value and len(value) <= MAX_MESSAGE_ID:
        return value
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError):  # a header the parser chokes on: treat as absent
        return ""
    return str(value) if value is not None else ""


def parse(raw: bytes) -> ParsedMail:
    msg = message_from_bytes(raw, policy=default_policy)
    name, address = parseaddr(_header(msg, "From"))
    sent_at = ""
    date = _header(msg, "Date")
    if date:
        try:
            sent_at = parsedate_to_datetime(date).isoformat()
        except (TypeError, ValueError, IndexError):
            sent_at = ""
    return ParsedMail(
        message_id=message_key(_header(msg, "Message-ID"), raw),
        from_address=address.strip().lower(),
        from_name=name.strip(),
        subject=" ".join(_header(msg, "Subject").split()),
        text=body_text(msg),
        sent_at_iso=sent_at,
    )


def mentioned_handles(*texts: str) -> list[str]:
    """'@handle' mentions in the order written, without repeats (lower-cased)."""
    seen: dict[str, None] = {}
    for text in texts:
        for found in _HANDLE.finditer(text):
            seen.setdefault(found.group(1).lower().rstrip("."), None)
    return list(seen)
