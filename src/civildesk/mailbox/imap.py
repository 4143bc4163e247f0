"""The IMAP side: connect, list the unread mail, fetch it without marking it read, mark it read.

Standard library ``imaplib`` only. Every failure the mailbox can have (refused connection, bad
password, timeout, a folder that is not there, a server that says NO) becomes one
``MailboxUnavailable`` whose message never contains the password. Mail is fetched with
BODY.PEEK so the server keeps it unread until the desk has stored it (see tasks.poll_once).
"""

from __future__ import annotations

import imaplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Security = Literal["ssl", "starttls", "none"]
SECURITY_CHOICES: Final[tuple[Security, ...]] = ("ssl", "starttls", "none")
MAX_PER_POLL: Final = 200  # a flood (or a mail loop) is read over several polls, not in one


class MailboxUnavailable(RuntimeError):
    """The mailbox could not be read now; try again later. The text is safe to show and log."""


@dataclass(frozen=True, slots=True)
class MailboxSettings:
    host: str
    port: int
    user: str
    password: str = field(repr=False)  # never in a repr, a log line or an error
    folder: str = "INBOX"
    security: Security = "ssl"
    timeout: float = 30.0

    @property
    def configured(self) -> bool:
        return bool(self.host and self.user)

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder} ({self.security})"


def _safe(text: object, settings: MailboxSettings) -> str:
    message = str(text) if not isinstance(text, bytes) else text.decode("utf-8", "replace")
    if settings.password:
        message = message.replace(settings.password, "***")
    return message[:500]


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Session:
    """One logged-in connection with the folder selected."""

    def __init__(self, conn: imaplib.IMAP4, settings: MailboxSettings) -> None:
        self._conn = conn
        self._settings = settings

    def _ok(self, what: str, command: str, *args: str) -> list[Any]:
        """Run one UID command; any way it can fail becomes MailboxUnavailable. Only the IMAP
        call is guarded: a failure of the desk's own (a database error) must not pass for an
        outage of the mailbox."""
        try:
            typ, data = self._conn.uid(command, *args)
        except TimeoutError as exc:
            raise MailboxUnavailable(f"Timed out reading from {self._settings.host}") from exc
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxUnavailable(f"{what} failed: {_safe(exc, self._settings)}") from exc
        if typ != "OK":
            raise MailboxUnavailable(f"{what} refused by the server: {_safe(data, self._settings)}")
        return data

    def unseen_uids(self, limit: int = MAX_PER_POLL) -> list[str]:
        data = self._ok("SEARCH", "SEARCH", "UNSEEN", "UNDELETED")
        raw = data[0] if data and isinstance(data[0], bytes) else b""
        return [uid.decode("ascii") for uid in raw.split()[:limit]]

    def fetch(self, uid: str) -> bytes | None:
        """The whole mail, leaving it unread (None when it vanished meanwhile)."""
        data = self._ok("FETCH", "FETCH", uid, "(BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None

    def mark_seen(self, uid: str) -> None:
        self._ok("STORE", "STORE", uid, "+FLAGS", r"(\Seen)")


@contextmanager
def session(settings: MailboxSettings) -> Iterator[Session]:
    """Connect, log in and select the folder; log out afterwards whatever happened."""
    if not settings.configured:
        raise MailboxUnavailable("The appeals mailbox is not configured (CIVILDESK_APPEALS_IMAP_HOST/_USER)")
    conn: imaplib.IMAP4 | None = None
    try:
        try:
            if settings.security == "ssl":
                conn = imaplib.IMAP4_SSL(
                    settings.host,
                    settings.port,
                    ssl_context=ssl.create_default_context(),
                    timeout=settings.timeout,
                )
            else:
                conn = imaplib.IMAP4(settings.host, settings.port, timeout=settings.timeout)
                if settings.security == "starttls":
                    conn.starttls(ssl_context=ssl.create_default_context())
            conn.login(settings.user, settings.password)
            typ, data = conn.select(_quote(settings.folder))
            if typ != "OK":
                raise MailboxUnavailable(
                    f"Folder {settings.folder!r} cannot be opened: {_safe(data, settings)}"
                )
        except MailboxUnavailable:
            raise
        except TimeoutError as exc:
            raise MailboxUnavailable(f"Timed out talking to {settings.host}:{settings.port}") from exc
        except ssl.SSLError as exc:
            raise MailboxUnavailable(f"TLS failed with {settings.host}: {_safe(exc, settings)}") from exc
        except OSError as exc:
            raise MailboxUnavailable(
                f"Cannot connect to {settings.host}:{settings.port}: {_safe(exc, settings)}"
            ) from exc
        except imaplib.IMAP4.error as exc:
            raise MailboxUnavailable(f"The server refused {settings.user!r}: {_safe(exc, settings)}") from exc
        yield Session(conn, settings)
    finally:
        if conn is not None:
            # The connection may already be gone; there is nothing more to tidy then.
            with suppress(OSError, imaplib.IMAP4.error):
                conn.logout()
