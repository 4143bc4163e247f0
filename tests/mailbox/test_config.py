"""The appeals mailbox settings come from the environment like every other knob."""

from __future__ import annotations

import pytest

from civildesk.web.settings import ConfigError, load_config
from tests.web.test_settings import prod


def test_the_mailbox_is_read_only_when_configured_and_defaults_to_tls() -> None:
    config = load_config({})
    assert config.appeals_imap_host == "" and config.appeals_imap_security == "ssl"
    assert config.appeals_imap_port == 993 and config.appeals_imap_folder == "INBOX"
    assert config.appeals_imap_poll_seconds == 60


def test_every_variable_is_read_and_the_password_is_never_printed() -> None:
    config = load_config(
        {
            "CIVILDESK_APPEALS_IMAP_HOST": "imap.trust.example.nhs.uk",
            "CIVILDESK_APPEALS_IMAP_USER": "appeals",
            "CIVILDESK_APPEALS_IMAP_PASSWORD": "s3cret-imap-pw",
            "CIVILDESK_APPEALS_IMAP_FOLDER": "Appeals",
            "CIVILDESK_APPEALS_IMAP_SECURITY": "STARTTLS",
            "CIVILDESK_APPEALS_IMAP_POLL_SECONDS": "120",
        }
    )
    assert (config.appeals_imap_host, config.appeals_imap_user, config.appeals_imap_folder) == (
        "imap.trust.example.nhs.uk",
        "appeals",
        "Appeals",
    )
    assert config.appeals_imap_security == "starttls" and config.appeals_imap_port == 143
    assert config.appeals_imap_poll_seconds == 120 and config.appeals_imap_password == "s3cret-imap-pw"
    assert "s3cret-imap-pw" not in repr(config)


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"CIVILDESK_APPEALS_IMAP_SECURITY": "tls13"}, "expected ssl, starttls or none"),
        ({"CIVILDESK_APPEALS_IMAP_PORT": "imap"}, "CIVILDESK_APPEALS_IMAP_PORT"),
        ({"CIVILDESK_APPEALS_IMAP_POLL_SECONDS": "1"}, "at least 5"),
    ],
)
def test_mistakes_are_named(env: dict[str, str], reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        load_config(env)


def test_production_refuses_sending_the_password_in_clear() -> None:
    with pytest.raises(ConfigError, match="refused in production"):
        load_config(prod(CIVILDESK_APPEALS_IMAP_SECURITY="none"))
    assert load_config(prod(CIVILDESK_APPEALS_IMAP_SECURITY="starttls")).appeals_imap_security == "starttls"
