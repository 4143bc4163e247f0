"""One typed settings object from the environment; production refuses unsafe configurations."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

from civildesk.web.settings import DEV_SECRET_KEY, ConfigError, database_settings, load_config

STRONG_KEY = "k2V9wq-5tZr8LmN3xQpB7hYdF4sJc6aG1eUoR0iTnWvKyXlPzH"  # 50 characters, varied


def prod(**extra: str) -> dict[str, str]:
    env = {
        "CIVILDESK_ENV": "production",
        "CIVILDESK_SECRET_KEY": STRONG_KEY,
        "CIVILDESK_ALLOWED_HOSTS": "desk.example.nhs.uk",
    }
    env.update(extra)
    return env


def test_development_works_with_no_environment_at_all(tmp_path: Path) -> None:
    config = load_config({}, cwd=tmp_path)
    assert config.environment == "development" and not config.production
    assert config.secret_key == DEV_SECRET_KEY and config.debug is False
    assert config.database_url == f"sqlite:///{tmp_path / 'var' / 'civildesk.sqlite3'}"
    assert "localhost" in config.allowed_hosts


def test_production_with_a_real_key_and_host_is_accepted() -> None:
    config = load_config(prod())
    assert (
        config.production
        and config.secret_key == STRONG_KEY
        and config.allowed_hosts == ("desk.example.nhs.uk",)
    )
    assert config.email_backend.endswith("smtp.EmailBackend")


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        (prod(CIVILDESK_SECRET_KEY=""), "SECRET_KEY"),
        (prod(CIVILDESK_SECRET_KEY=DEV_SECRET_KEY), "development key is refused"),
        (prod(CIVILDESK_SECRET_KEY="short-key"), "too weak"),
        (prod(CIVILDESK_SECRET_KEY="a" * 60), "too weak"),
        (prod(CIVILDESK_DEBUG="1"), "DEBUG must be off"),
        (prod(CIVILDESK_DEBUG="true"), "DEBUG must be off"),
        (prod(CIVILDESK_ALLOWED_HOSTS=""), "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_a_default_key_or_debug(env: dict[str, str], reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        load_config(env)


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"CIVILDESK_ENV": "staging"}, "CIVILDESK_ENV"),
        ({"CIVILDESK_DEBUG": "maybe"}, "CIVILDESK_DEBUG"),
        ({"CIVILDESK_LOGIN_MAX_FAILURES": "0"}, "at least 1"),
        ({"CIVILDESK_LOGIN_MAX_FAILURES": "five"}, "whole number"),
        ({"DATABASE_URL": "mysql://root@localhost/desk"}, "DATABASE_URL"),
    ],
)
def test_mistakes_are_named(env: dict[str, str], reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        load_config(env)


def test_postgres_url_becomes_a_pooled_connection_with_health_checks() -> None:
    db = database_settings(load_config({"DATABASE_URL": "postgres://desk:pw@db.internal:5432/civildesk"}))
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["NAME"], db["USER"]) == ("db.internal", "civildesk", "desk")
    assert db["CONN_HEALTH_CHECKS"] is True


def test_sqlite_is_set_up_for_a_web_process_and_a_worker_side_by_side(tmp_path: Path) -> None:
    db = database_settings(load_config({"CIVILDESK_DATA_DIR": str(tmp_path / "data")}))
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert (tmp_path / "data").is_dir()


def test_the_running_project_uses_argon2_first() -> None:
    from django.conf import settings

    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def test_no_proxy_is_trusted_unless_one_is_named(tmp_path: Path) -> None:
    assert load_config({}, cwd=tmp_path).trusted_proxies == ()
    assert load_config({"CIVILDESK_TRUSTED_PROXIES": " , "}, cwd=tmp_path).trusted_proxies == ()


def test_trusted_proxies_are_addresses_and_networks_of_either_family(tmp_path: Path) -> None:
    config = load_config({"CIVILDESK_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,::1 ,fd00::/8"}, cwd=tmp_path)
    assert config.trusted_proxies == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
        ipaddress.ip_network("fd00::/8"),
    )


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("127.0.0.1, localhost", "'localhost'"),
        ("10.0.0.0/33", "'10.0.0.0/33'"),
        ("300.1.2.3", "'300.1.2.3'"),
        ("2001:db8::/129", "'2001:db8::/129'"),
        ("127.0.0.1:8000", "'127.0.0.1:8000'"),
        ("10.0.0.0/8;192.168.0.0/16", "'10.0.0.0/8;192.168.0.0/16'"),
    ],
)
def test_a_malformed_trusted_proxy_is_refused_and_named(value: str, named: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=f"CIVILDESK_TRUSTED_PROXIES: {re.escape(named)}"):
        load_config({"CIVILDESK_TRUSTED_PROXIES": value}, cwd=tmp_path)


def test_a_network_with_host_bits_is_refused_rather_than_widened(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'10\.0\.0\.1/8'.*did you mean 10\.0\.0\.0/8\?"):
        load_config({"CIVILDESK_TRUSTED_PROXIES": "10.0.0.1/8"}, cwd=tmp_path)
