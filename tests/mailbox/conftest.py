"""A real IMAP server on loopback (pymap's in-memory backend, a separate process) holding the
appeals mailbox; the desk reads it over a socket exactly as it would read the Trust's mail server.

Also: the moderation personas and an applied action whose author was sent a notice (with its
CD-XXXXXX reference), built through moderation's own doors.
"""

from __future__ import annotations

import imaplib
import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest

from civildesk.inbox.models import Message
from civildesk.moderation import services
from civildesk.moderation.models import AuthorNotice, ModerationAction
from tests.moderation.conftest import (
    arrive,
    commit,
    engine,
    fresh_desk_settings,
    moderator,
    officer,
    platform,
    settle,
    viewer,
)
from tests.moderation.fakes import RecordingConnector

__all__ = [
    "arrive",
    "commit",
    "engine",
    "fresh_desk_settings",
    "moderator",
    "officer",
    "platform",
    "settle",
    "viewer",
]

USER = "appeals@trust.example.nhs.uk"
PASSWORD = "imap-secret-Zq7vB2"
ABUSE = "you are all idiots at that clinic"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"pymap exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"pymap did not listen on {port} within {seconds}s")


@dataclass
class ImapServer:
    """The server, and the test's own client of it (logging in costs pymap half a second)."""

    host: str
    port: int
    _conn: imaplib.IMAP4 | None = None

    def client(self) -> imaplib.IMAP4:
        if self._conn is None:
            self._conn = imaplib.IMAP4(self.host, self.port, timeout=5)
            self._conn.login(USER, PASSWORD)
            self._conn.select("INBOX")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.logout()
            self._conn = None

    def deliver(self, raw: bytes) -> None:
        """A mail arriving in the appeals mailbox (what the Trust's mail server does)."""
        typ, data = self.client().append("INBOX", None, None, raw)
        assert typ == "OK", data

    def _count(self, criterion: str) -> int:
        typ, data = self.client().uid("SEARCH", criterion)
        assert typ == "OK", data
        return len(data[0].split())

    def unseen(self) -> int:
        return self._count("UNSEEN")

    def total(self) -> int:
        return self._count("ALL")

    def empty(self) -> None:
        if self.total():
            self.client().store("1:*", "+FLAGS", r"(\Deleted)")
            self.client().expunge()


@contextmanager
def running_pymap(*server_args: str) -> Iterator[ImapServer]:
    """pymap in its own process on a free loopback port, with the appeals mailbox's login."""
    if importlib.util.find_spec("pymap") is None:
        raise RuntimeError("pymap is not installed: `make install` installs the dev dependencies")
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pymap.main import main; sys.exit(main())",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *server_args,
            "dict",
            "--demo-user",
            USER,
            "--demo-password",
            PASSWORD,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = ImapServer("127.0.0.1", port)
    try:
        _wait_listening(port, proc)
        yield server
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            server.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def imap_process() -> Iterator[ImapServer]:
    with running_pymap() as server:
        yield server


@pytest.fixture
def imap_server(imap_process: ImapServer, settings: Any) -> ImapServer:
    """The appeals mailbox, empty, with the desk's settings pointing at it."""
    imap_process.empty()
    settings.CIVILDESK_APPEALS_IMAP_HOST = imap_process.host
    settings.CIVILDESK_APPEALS_IMAP_PORT = imap_process.port
    settings.CIVILDESK_APPEALS_IMAP_USER = USER
    settings.CIVILDESK_APPEALS_IMAP_PASSWORD = PASSWORD
    settings.CIVILDESK_APPEALS_IMAP_FOLDER = "INBOX"
    settings.CIVILDESK_APPEALS_IMAP_SECURITY = "none"  # loopback only; production refuses "none"
    settings.CIVILDESK_APPEALS_IMAP_TIMEOUT = 5
    settings.CIVILDESK_APPEALS_IMAP_POLL_SECONDS = 60
    return imap_process


def appeal_mail(
    *,
    subject: str,
    body: str,
    sender: str = "Jo Runner <jo.runner@example.org>",
    html: str | None = None,
    message_id: str | None = "",
) -> bytes:
    """An e-mail as an author's mail program would send it."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = USER
    msg["Subject"] = subject
    msg["Date"] = "Mon, 07 Dec 2026 09:30:00 +0000"
    if message_id is not None:
        msg["Message-ID"] = message_id or make_msgid(domain="example.org")
    if html is not None and body:
        msg.set_content(body)
        msg.add_alternative(html, subtype="html")
    elif html is not None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
    return bytes(msg)


@pytest.fixture
def hidden(
    arrive: Callable[..., Message],
    officer: Any,
    moderator: Any,
    platform: RecordingConnector,
    commit: Any,
    settle: Callable[[], int],
) -> ModerationAction:
    """Jo's comment was hidden by a moderator and Jo was sent a notice with a reference."""
    action = services.do_hide(arrive(ABUSE, handle="jo.runs"), officer)
    with commit():
        services.do_approve(action, moderator)
    settle()
    action.refresh_from_db()
    assert action.state == "applied"
    assert AuthorNotice.objects.filter(action=action).exists()
    return action


@pytest.fixture
def notice(hidden: ModerationAction) -> AuthorNotice:
    return AuthorNotice.objects.get(action=hidden)
