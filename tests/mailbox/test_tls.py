"""STARTTLS, as most Trust mail servers on port 143 want it: the password crosses only an
encrypted, verified connection, and a certificate the desk cannot verify is an outage."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from civildesk.mailbox import services, tasks
from civildesk.moderation.models import Appeal, AuthorNotice
from tests.mailbox.conftest import PASSWORD, USER, ImapServer, appeal_mail, running_pymap

pytestmark = pytest.mark.django_db(transaction=True)


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "imap.crt", directory / "imap.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ImapServer, Path]]:
    cert, key = self_signed(tmp_path_factory.mktemp("tls"))
    with running_pymap("--cert", str(cert), "--key", str(key)) as server:
        yield server, cert


@pytest.fixture
def starttls(tls_server: tuple[ImapServer, Path], settings: Any) -> ImapServer:
    server, _ = tls_server
    server.empty()
    settings.CIVILDESK_APPEALS_IMAP_HOST = server.host
    settings.CIVILDESK_APPEALS_IMAP_PORT = server.port
    settings.CIVILDESK_APPEALS_IMAP_USER = USER
    settings.CIVILDESK_APPEALS_IMAP_PASSWORD = PASSWORD
    settings.CIVILDESK_APPEALS_IMAP_SECURITY = "starttls"
    settings.CIVILDESK_APPEALS_IMAP_TIMEOUT = 5
    return server


def test_starttls_with_a_certificate_the_desk_trusts_reads_the_mailbox(
    starttls: ImapServer, tls_server: tuple[ImapServer, Path], notice: AuthorNotice, monkeypatch: Any
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_server[1]))  # as the Trust's CA bundle would be
    starttls.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please"))
    assert tasks.poll_once(holder="test") == "fetched 1"
    assert Appeal.objects.count() == 1


def test_a_certificate_the_desk_cannot_verify_is_an_outage_and_the_password_is_not_sent(
    starttls: ImapServer, notice: AuthorNotice
) -> None:
    starttls.deliver(appeal_mail(subject=f"Appeal {notice.reference}", body="Please"))
    assert tasks.poll_once(holder="test") == "unavailable"
    row = services.status()
    assert "TLS failed" in row.last_error and "CERTIFICATE_VERIFY_FAILED" in row.last_error
    assert starttls.unseen() == 1 and Appeal.objects.count() == 0
