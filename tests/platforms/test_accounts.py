"""Connecting accounts: credentials encrypted at rest, the admin's add / test / capabilities /
rate pages, and which connector the desk gets for an account."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from civildesk.inbox.connectors import LocalOutbox, ReplyTarget
from civildesk.platforms import AccountRouter, connector_for, reply_connector
from civildesk.platforms.crypto import (
    CredentialsKeyError,
    CredentialsUnreadable,
    credentials_keys,
    decrypt,
    encrypt,
)
from civildesk.platforms.facebook import FacebookConnector
from civildesk.platforms.local import RecordingConnector
from civildesk.platforms.models import PlatformAccount
from civildesk.web.models import StaffProfile

pytestmark = pytest.mark.django_db


def person(role: str) -> Any:
    user = get_user_model().objects.create_user(role, password="a long passphrase for the desk")
    StaffProfile.objects.create(user=user, role=role)
    return user


class TestCredentialsAtRest:
    def test_the_database_holds_no_secret_in_clear(self, simulated_account):
        account = simulated_account("facebook", "1001")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT credentials_encrypted FROM platforms_platformaccount WHERE id = %s", [account.pk]
            )
            [stored] = cursor.fetchone()
        assert "sim-meta-app-secret" not in stored and "sim-token-facebook" not in stored
        assert PlatformAccount.objects.get().credentials()["app_secret"] == "sim-meta-app-secret"

    def test_a_rotated_key_still_reads_old_credentials_and_a_lost_key_says_so(self):
        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        token = encrypt({"access_token": "t"}, [old])
        assert decrypt(token, [new, old]) == {"access_token": "t"}
        with pytest.raises(CredentialsUnreadable):
            decrypt(token, [new])

    def test_production_needs_its_own_key_and_a_bad_key_is_refused_at_start_up(self):
        with pytest.raises(CredentialsKeyError, match="production needs"):
            credentials_keys({}, "s" * 60, production=True)
        with pytest.raises(CredentialsKeyError, match="not a Fernet key"):
            credentials_keys({"CIVILDESK_CREDENTIALS_KEY": "too-short"}, "s" * 60, production=False)
        key = Fernet.generate_key().decode()
        assert credentials_keys({"CIVILDESK_CREDENTIALS_KEY": key}, "s" * 60, production=True) == (key,)
        derived = credentials_keys({}, "s" * 60, production=False)
        assert (
            derived
            == credentials_keys({}, "s" * 60, production=False)
            != credentials_keys({}, "t" * 60, production=False)
        )


class TestWhichConnector:
    def test_an_account_without_credentials_gets_a_recording_connector_that_says_so(self):
        connector = connector_for("linkedin", "urn:li:organization:9")
        assert isinstance(connector, RecordingConnector) and "not sent" in connector.name
        assert "hide" not in connector.capabilities
        connector.delete(ReplyTarget("linkedin", "urn:li:organization:9", "c", "comment", "a"))
        assert connector.actions[0][0] == "delete"

    def test_a_connected_account_gets_its_platforms_connector_aimed_where_configured(
        self, simulated_account, platform_simulator
    ):
        simulated_account("facebook", "1001")
        connector = connector_for("facebook", "1001")
        assert isinstance(connector, FacebookConnector) and connector.base_url == platform_simulator.base_url(
            "facebook"
        )

    def test_the_shared_base_url_setting_aims_every_connector(self, settings):
        account = PlatformAccount(platform="x", account_id="4242")
        account.set_credentials({"consumer_secret": "s", "access_token": "t"})
        account.save()
        settings.CIVILDESK_PLATFORM_BASE_URL = "http://127.0.0.1:8765"
        assert connector_for("x", "4242").base_url == "http://127.0.0.1:8765/x"  # type: ignore[attr-defined]

    def test_replies_go_nowhere_until_an_account_is_connected_then_through_it(
        self, simulated_account, platform_simulator, windows
    ):
        assert isinstance(reply_connector("facebook"), LocalOutbox)
        simulated_account("facebook", "1001")
        router = reply_connector("facebook")
        assert isinstance(router, AccountRouter)
        router.reply_public(ReplyTarget("facebook", "1001", "p1_c1", "comment", "u1"), "Thank you")
        assert platform_simulator.done("facebook", "reply")[0].body == {"message": "Thank you"}

    def test_a_reply_on_an_unconnected_account_fails_instead_of_pretending(
        self, simulated_account, platform_simulator
    ):
        from civildesk.platforms.errors import PermissionDenied

        simulated_account("facebook", "1001")
        with pytest.raises(PermissionDenied, match="not connected"):
            reply_connector("facebook").reply_public(
                ReplyTarget("facebook", "9999", "c", "comment", "u1"), "hi"
            )
        assert platform_simulator.recorded("facebook") == []

    def test_the_rate_state_is_kept_on_the_account_for_the_admin(self, simulated_account):
        simulated_account("x", "4242")
        connector_for("x", "4242").mute("77")
        state = PlatformAccount.objects.get().rate_state
        assert state["limit"] == 50 and state["remaining"] == 49 and state["resets_at"]


class TestAdminPages:
    def test_an_admin_adds_an_account_and_the_secret_is_never_shown_back(self, client, platform_simulator):
        client.force_login(person("admin"))
        r = client.post(
            reverse("admin:platforms_platformaccount_add"),
            {
                "platform": "facebook",
                "account_id": "1001",
                "name": "Council Page",
                "api_base_url": platform_simulator.base_url("facebook"),
                "active": "on",
                "secret": "app-secret-123",
                "access_token": "page-token-456",
                "verify_token": "verify-789",
            },
        )
        assert r.status_code == 302
        account = PlatformAccount.objects.get()
        assert account.credentials() == {
            "app_secret": "app-secret-123",
            "access_token": "page-token-456",
            "verify_token": "verify-789",
        }
        page = client.get(
            reverse("admin:platforms_platformaccount_change", args=[account.pk])
        ).content.decode()
        assert "app-secret-123" not in page and "page-token-456" not in page
        assert f"/platforms/webhooks/{account.webhook_key}/" in page
        assert (
            "hide: yes" in page and "mute: no - becomes a task for a person" in page and "report: no" in page
        )

    def test_missing_credentials_are_named(self, client):
        client.force_login(person("admin"))
        r = client.post(
            reverse("admin:platforms_platformaccount_add"),
            {"platform": "linkedin", "account_id": "urn:li:organization:5", "active": "on"},
        )
        assert r.status_code == 200 and "linkedin needs: client secret, access token" in r.content.decode()

    def test_editing_without_retyping_keeps_the_stored_credentials(self, client, simulated_account):
        account = simulated_account("x", "4242")
        client.force_login(person("admin"))
        r = client.post(
            reverse("admin:platforms_platformaccount_change", args=[account.pk]),
            {
                "platform": "x",
                "account_id": "4242",
                "name": "renamed",
                "api_base_url": account.api_base_url,
                "active": "on",
                "access_token": "new-token",
            },
        )
        assert r.status_code == 302
        assert PlatformAccount.objects.get().credentials() == {
            "consumer_secret": "sim-x-consumer-secret",
            "access_token": "new-token",
        }

    def test_testing_the_connection_calls_the_platform_and_records_the_outcome(
        self, client, simulated_account, platform_simulator
    ):
        good = simulated_account("linkedin", "urn:li:organization:5")
        bad = simulated_account("x", "4242")
        platform_simulator.inject("x", "expired_token", op="me")
        client.force_login(person("admin"))
        r = client.post(
            reverse("admin:platforms_platformaccount_changelist"),
            {"action": "test_connection", "_selected_action": [good.pk, bad.pk]},
            follow=True,
        )
        text = r.content.decode()
        assert "Simulated Council" in text and "AuthExpired" in text
        good.refresh_from_db()
        bad.refresh_from_db()
        assert good.last_check_ok is True and bad.last_check_ok is False and good.last_checked_at

    def test_only_admins_reach_the_account_pages(self, client):
        client.force_login(person("moderator"))
        assert client.get(reverse("admin:platforms_platformaccount_changelist")).status_code == 403
