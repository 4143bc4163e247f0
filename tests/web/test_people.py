"""People: logging in, lockout after failed attempts, roles and what each role can reach."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from civildesk.web.models import LoginThrottle, StaffProfile
from civildesk.web.roles import PERMISSIONS, ROLES, UnknownPermission, matrix, role_can

PASSWORD = "a long passphrase for the desk"


def make_user(username: str, role: str | None) -> Any:
    user = get_user_model().objects.create_user(
        username, email=f"{username}@trust.example", password=PASSWORD
    )
    if role is not None:
        StaffProfile.objects.create(user=user, role=role)
    user.refresh_from_db()
    return user


def login(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


class TestTheMatrix:
    @pytest.mark.parametrize(
        ("role", "permission", "allowed"),
        [
            ("viewer", "view_inbox", True),
            ("viewer", "reply", False),
            ("viewer", "add_note", False),
            ("officer", "reply", True),
            ("officer", "assign", True),
            ("officer", "action", False),  # removals are the moderator's call
            ("officer", "admin_site", False),
            ("moderator", "action", True),
            ("moderator", "assign_others", True),
            ("moderator", "admin_site", False),
            ("admin", "admin_site", True),
            ("admin", "reply", True),
            (None, "view_inbox", False),
            ("intruder", "view_inbox", False),
        ],
    )
    def test_role_can(self, role: str | None, permission: str, allowed: bool) -> None:
        assert role_can(role, permission) is allowed

    def test_each_role_holds_everything_the_one_before_it_does(self) -> None:
        for lower, higher in pairwise(ROLES):
            assert PERMISSIONS[lower] < PERMISSIONS[higher]

    def test_a_misspelt_permission_is_an_error_not_a_silent_no(self) -> None:
        with pytest.raises(UnknownPermission):
            role_can("admin", "adminsite")

    def test_the_matrix_lists_every_permission_once(self) -> None:
        rows = matrix()
        assert len(rows) == len({p for p, _ in rows}) == len(PERMISSIONS["admin"])


@pytest.mark.django_db
class TestLoggingIn:
    def test_passwords_are_hashed_with_argon2(self) -> None:
        user = make_user("olu", "officer")
        assert user.password.startswith("argon2$")

    def test_a_good_login_reaches_the_inbox(self, client: Client) -> None:
        make_user("olu", "officer")
        response = login(client, "olu")
        assert response.status_code == 302 and response["Location"] == reverse("inbox")
        assert client.get(reverse("inbox")).status_code == 200

    def test_pages_need_a_login(self, client: Client) -> None:
        response = client.get(reverse("inbox"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    def test_five_failures_lock_the_name_even_for_the_right_password(self, client: Client) -> None:
        make_user("olu", "officer")
        for _ in range(4):
            assert b"Enter a correct user name and password" in login(client, "olu", "wrong").content
        assert b"Too many failed attempts" in login(client, "olu", "wrong").content  # the fifth
        locked = login(client, "olu")
        assert locked.status_code == 200 and b"Too many failed attempts" in locked.content
        assert LoginThrottle.objects.get(username="olu").locked

    def test_an_unknown_name_locks_the_same_way(self, client: Client) -> None:
        for _ in range(5):
            login(client, "nobody", "guess")
        assert b"Too many failed attempts" in login(client, "nobody", "guess").content

    def test_the_lock_expires(self, client: Client, settings: Any) -> None:
        from datetime import timedelta

        from django.utils import timezone

        make_user("olu", "officer")
        for _ in range(5):
            login(client, "olu", "wrong")
        LoginThrottle.objects.filter(username="olu").update(
            locked_until=timezone.now() - timedelta(seconds=1)
        )
        assert login(client, "olu").status_code == 302
        assert not LoginThrottle.objects.filter(username="olu").exists()  # success clears the count

    def test_a_success_resets_the_count(self, client: Client) -> None:
        make_user("olu", "officer")
        for _ in range(4):
            login(client, "olu", "wrong")
        assert login(client, "olu").status_code == 302
        client.logout()
        for _ in range(4):
            login(client, "olu", "wrong")
        assert login(client, "olu").status_code == 302

    def test_user_names_are_not_case_tricks(self, client: Client) -> None:
        make_user("olu", "officer")
        for name in ("OLU", "Olu", "olu ", "oLu", "olU"):
            login(client, name, "wrong")
        assert LoginThrottle.objects.get(username="olu").locked


@pytest.mark.django_db
class TestTheAdminSite:
    @pytest.mark.parametrize("role", ["viewer", "officer", "moderator"])
    def test_only_admins_reach_it(self, client: Client, role: str) -> None:
        make_user("someone", role)
        client.force_login(get_user_model().objects.get(username="someone"))
        for url in ("/admin/", "/admin/web/desksettings/", "/admin/auth/user/", "/admin/login/"):
            assert client.get(url).status_code == 403, url

    def test_an_admin_manages_settings_templates_directory_hours_and_users(self, client: Client) -> None:
        admin = make_user("ada", "admin")
        assert admin.is_staff and admin.is_superuser  # the role sets the flags Django checks
        client.force_login(admin)
        for url in (
            "/admin/",
            "/admin/web/desksettings/add/",
            "/admin/web/replytemplate/add/",
            "/admin/web/staffdirectoryentry/add/",
            "/admin/web/workinghours/add/",
            "/admin/web/closureday/add/",
            "/admin/auth/user/",
            "/admin/inbox/account/add/",
        ):
            assert client.get(url).status_code == 200, url

    def test_anonymous_visitors_are_sent_to_the_desk_login(self, client: Client) -> None:
        response = client.get("/admin/", follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("login"))

    def test_demoting_an_admin_takes_the_admin_site_away(self, client: Client) -> None:
        user = make_user("ada", "admin")
        user.staff.role = "officer"
        user.staff.save()
        user.refresh_from_db()
        assert not user.is_staff and not user.is_superuser
        client.force_login(user)
        assert client.get("/admin/").status_code == 403
