"""The JSON API for moderation: officers propose, moderators approve or reject, appeals are
logged and decided, and the weekly report's figures come out as JSON. Every refusal is problem
details, and a token never acts above its own role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civildesk.devtools.testing import at
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import Message
from civildesk.inbox.worker import run_ready_tasks
from civildesk.moderation.models import Appeal, AuditEntry, ModerationAction
from tests.api.test_api import PROBLEM, call, token
from tests.moderation import fakes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings", "engine")]

ABUSE = "you are all idiots at that clinic"
CRITICISM = "the appointment system is useless and the wait was appalling"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Five people a test: Argon2's deliberate slowness would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def platform(settings: Any) -> Iterator[fakes.RecordingConnector]:
    fakes.current = fakes.RecordingConnector()
    settings.CIVILDESK_MODERATION_CONNECTOR = "tests.moderation.fakes.factory"
    yield fakes.current
    fakes.current = None


@pytest.fixture
def settle(django_capture_on_commit_callbacks: Any) -> Callable[[], None]:
    def run() -> None:
        for _ in range(20):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                ran = run_ready_tasks()
            if not ran and not callbacks:
                return
        raise AssertionError("tasks kept queueing more tasks")

    return run


@pytest.fixture
def arrive(settle: Callable[[], None]) -> Callable[[str], Message]:
    counter = iter(range(1, 1000))

    def make(text: str) -> Message:
        n = next(counter)
        posted = timezone.now() - timedelta(minutes=30)
        result = ingest(
            InboundMessage(
                platform="instagram",
                account_id="trust",
                platform_id=f"m{n}",
                kind="comment",
                text=text,
                author_id=f"ig-{n}",
                author_handle=f"person{n}",
                created_at=posted,
            ),
            now=posted,
        )
        settle()
        return Message.objects.get(pk=result.message_id)

    return make


@pytest.fixture
def keys() -> dict[str, str]:
    return {
        "viewer": token("viewer"),
        "officer": token("officer"),
        "moderator": token("moderator"),
        "second": token("moderator", name="second-moderator"),
        # An admin whose token was issued as an officer: proposes, never approves.
        "capped": token("officer", user_role="admin", name="admin-with-officer-token"),
    }


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def propose(client: Client, key: str, message: Message, kind: str = "hide", **extra: Any) -> Any:
    return call(client, "post", "/api/actions", key, {"kind": kind, "message_id": message.pk, **extra})


class TestActions:
    def test_an_officer_proposes_a_moderator_approves_and_the_platform_hides_it(
        self,
        client: Client,
        keys: dict[str, str],
        arrive: Callable[[str], Message],
        platform: fakes.RecordingConnector,
        settle: Callable[[], None],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        message = arrive(ABUSE)
        created = propose(client, keys["officer"], message, reason="abuse of staff")
        assert created.status_code == 201, created.content
        action = created.json()
        assert action["state"] == "proposed" and action["proposed_by"] == "officer-user"
        assert action["next_steps"] == ["approve", "reject"] and platform.calls == []
        with django_capture_on_commit_callbacks(execute=True):
            approved = call(client, "post", f"/api/actions/{action['id']}/approve", keys["moderator"])
        assert approved.status_code == 200 and approved.json()["state"] == "approved"
        assert approved.json()["approved_by"] == "moderator-user"
        settle()
        done = call(client, "get", f"/api/actions/{action['id']}", keys["viewer"]).json()
        assert done["state"] == "applied" and done["applied_at"] is not None
        assert platform.calls[0] == ("hide", message.platform_id)
        assert AuditEntry.objects.filter(event="action.approved", target_id=str(action["id"])).exists()
        again = call(client, "post", f"/api/actions/{action['id']}/approve", keys["moderator"])
        assert "cannot be 'approve'" in problem(again, 409)["detail"]

    def test_roles_are_refused_with_problem_details(
        self, client: Client, keys: dict[str, str], arrive: Callable[[str], Message]
    ) -> None:
        message = arrive(ABUSE)
        refused = problem(propose(client, keys["viewer"], message), 403)
        assert "propose an action" in refused["detail"] and "viewer" in refused["detail"]
        action = propose(client, keys["capped"], message).json()
        assert action["state"] == "proposed"  # the admin's officer token may propose...
        for who in ("capped", "officer"):  # ...but, like any officer, not approve a removal
            refused = problem(call(client, "post", f"/api/actions/{action['id']}/approve", keys[who]), 403)
            assert "Only a moderator" in refused["detail"] and "officer" in refused["detail"]
        refused = problem(
            call(client, "post", f"/api/actions/{action['id']}/reject", keys["viewer"], {}), 403
        )
        assert ModerationAction.objects.get(pk=action["id"]).state == "proposed"
        assert problem(call(client, "get", "/api/actions", None), 401)["title"] == "Unauthorized"

    def test_protected_criticism_needs_a_moderators_written_reason(
        self, client: Client, keys: dict[str, str], arrive: Callable[[str], Message]
    ) -> None:
        message = arrive(CRITICISM)
        refused = problem(propose(client, keys["officer"], message), 422)
        assert refused["title"] == "Protected criticism" and "no breach label" in refused["detail"]
        reason = {"override_reason": "names a patient on the ward"}
        assert problem(propose(client, keys["officer"], message, **reason), 403)
        assert problem(propose(client, keys["capped"], message, **reason), 403)
        override = propose(client, keys["moderator"], message, **reason)
        assert override.status_code == 201 and override.json()["protected_override"] is True
        assert ModerationAction.objects.count() == 1

    def test_an_escalation_needs_two_different_moderators(
        self, client: Client, keys: dict[str, str], arrive: Callable[[str], Message], platform: Any
    ) -> None:
        action = propose(client, keys["officer"], arrive(ABUSE), "escalate_police").json()
        url = f"/api/actions/{action['id']}/approve"
        first = call(client, "post", url, keys["moderator"]).json()
        assert first["state"] == "awaiting_second" and first["first_approver"] == "moderator-user"
        twice = problem(call(client, "post", url, keys["moderator"]), 403)
        assert "second, different moderator" in twice["detail"]
        second = call(client, "post", url, keys["second"])
        assert second.status_code == 200 and second.json()["state"] == "approved"

    def test_a_moderator_rejects_with_a_reason_once(
        self, client: Client, keys: dict[str, str], arrive: Callable[[str], Message]
    ) -> None:
        action = propose(client, keys["officer"], arrive(ABUSE)).json()
        url = f"/api/actions/{action['id']}/reject"
        rejected = call(client, "post", url, keys["moderator"], {"reason": "banter between friends"})
        assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
        assert rejected.json()["decided_by"] == "moderator-user" and rejected.json()["next_steps"] == []
        assert AuditEntry.objects.get(event="action.rejected").reason == "banter between friends"
        problem(call(client, "post", url, keys["moderator"], {"reason": "again"}), 409)

    def test_lists_filter_and_page_and_bad_input_is_explained(
        self, client: Client, keys: dict[str, str], arrive: Callable[[str], Message]
    ) -> None:
        first, second = arrive(ABUSE), arrive(ABUSE)
        hide = propose(client, keys["officer"], first).json()
        propose(client, keys["officer"], second, "delete")
        propose(client, keys["officer"], second, "mute")
        listed = call(client, "get", "/api/actions?page_size=2", keys["viewer"]).json()
        assert listed["count"] == 3 and listed["pages"] == 2 and len(listed["items"]) == 2
        hides = call(client, "get", "/api/actions?kind=hide", keys["viewer"]).json()
        assert [a["id"] for a in hides["items"]] == [hide["id"]]
        on_second = call(client, "get", f"/api/actions?message_id={second.pk}", keys["viewer"]).json()
        assert {a["kind"] for a in on_second["items"]} == {"delete", "mute"}
        problem(call(client, "get", "/api/actions/999999", keys["viewer"]), 404)
        problem(call(client, "get", "/api/actions?state=lost", keys["viewer"]), 422)
        unknown = problem(propose(client, keys["officer"], first, "explode"), 422)
        assert unknown["errors"][0]["loc"][-1] == "kind"
        missing = call(
            client, "post", "/api/actions", keys["officer"], {"kind": "hide", "message_id": 999999}
        )
        assert "No message" in problem(missing, 422)["detail"]
        nothing = call(client, "post", "/api/actions", keys["officer"], {"kind": "block"})
        assert "needs a message or an author" in problem(nothing, 422)["detail"]
        assert ModerationAction.objects.count() == 3


@pytest.fixture
def applied_hide(
    client: Client,
    keys: dict[str, str],
    arrive: Callable[[str], Message],
    platform: fakes.RecordingConnector,
    settle: Callable[[], None],
    django_capture_on_commit_callbacks: Any,
) -> ModerationAction:
    action = propose(client, keys["officer"], arrive(ABUSE)).json()
    with django_capture_on_commit_callbacks(execute=True):
        call(client, "post", f"/api/actions/{action['id']}/approve", keys["moderator"])
    settle()
    row = ModerationAction.objects.get(pk=action["id"])
    assert row.state == "applied"
    return row


class TestAppeals:
    def test_an_appeal_is_logged_by_reference_and_overturned_by_a_moderator(
        self,
        client: Client,
        keys: dict[str, str],
        applied_hide: ModerationAction,
        platform: fakes.RecordingConnector,
        settle: Callable[[], None],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        reference = applied_hide.notices.get().reference
        opened = call(
            client, "post", "/api/appeals", keys["officer"], {"text": "I was quoting", "reference": reference}
        )
        assert opened.status_code == 201, opened.content
        appeal = opened.json()
        assert appeal["status"] == "open" and appeal["action_id"] == applied_hide.pk
        assert appeal["reference"] == reference and appeal["via"] == "staff" and not appeal["overdue"]
        url = f"/api/appeals/{appeal['id']}/decide"
        body = {"outcome": "overturned", "reason": "it was a quotation"}
        refused = problem(call(client, "post", url, keys["officer"], body), 403)
        assert "decide an appeal" in refused["detail"]
        problem(call(client, "post", url, keys["capped"], body), 403)
        with django_capture_on_commit_callbacks(execute=True):
            decided = call(client, "post", url, keys["moderator"], body)
        assert decided.status_code == 200 and decided.json()["status"] == "overturned"
        settle()
        assert ("unhide", applied_hide.message.platform_id) in platform.calls  # type: ignore[union-attr]
        again = problem(call(client, "post", url, keys["second"], {**body, "outcome": "upheld"}), 409)
        assert "already been decided" in again["detail"]
        assert Appeal.objects.get().status == "overturned"

    def test_appeals_list_filter_and_refusals(
        self, client: Client, keys: dict[str, str], applied_hide: ModerationAction
    ) -> None:
        body = {"text": "please look again", "action_id": applied_hide.pk, "via": "email"}
        refused = problem(call(client, "post", "/api/appeals", keys["viewer"], body), 403)
        assert "log an appeal" in refused["detail"]
        first = call(client, "post", "/api/appeals", keys["officer"], body).json()
        second = call(client, "post", "/api/appeals", keys["officer"], body).json()
        call(
            client,
            "post",
            f"/api/appeals/{second['id']}/decide",
            keys["moderator"],
            {"outcome": "upheld", "reason": "clear abuse"},
        )
        open_ones = call(client, "get", "/api/appeals?status=open", keys["viewer"]).json()
        assert [a["id"] for a in open_ones["items"]] == [first["id"]]
        assert (
            call(client, "get", f"/api/appeals/{second['id']}", keys["viewer"]).json()["status"] == "upheld"
        )
        problem(call(client, "get", "/api/appeals/999999", keys["viewer"]), 404)
        unknown = call(
            client, "post", "/api/appeals", keys["officer"], {"text": "x", "reference": "CD-ZZZZZZ"}
        )
        assert "No notice" in problem(unknown, 422)["detail"]
        neither = call(client, "post", "/api/appeals", keys["officer"], {"text": "why?"})
        assert problem(neither, 422)
        no_reason = {"outcome": "upheld", "reason": ""}
        problem(call(client, "post", f"/api/appeals/{first['id']}/decide", keys["moderator"], no_reason), 422)
        assert Appeal.objects.count() == 2


class TestReports:
    def test_the_weekly_figures_include_moderation(
        self, client: Client, keys: dict[str, str], applied_hide: ModerationAction
    ) -> None:
        # The hide was applied just now: ask for this week's figures (it has started).
        now = timezone.now()
        year, week, _ = timezone.localtime(now).isocalendar()
        response = call(client, "get", f"/api/reports/weekly?week={year}-W{week:02d}", keys["viewer"])
        assert response.status_code == 200, response.content
        figures = response.json()
        assert figures["week"] == f"{year}-W{week:02d}"
        assert figures["moderation"]["actions_by_type"] == {"hide": 1}
        assert figures["moderation"]["criticism_overrides"] == 0

    def test_the_default_is_last_full_week_and_bad_weeks_are_422(
        self, client: Client, keys: dict[str, str]
    ) -> None:
        with at(datetime(2026, 12, 9, 12, 0, tzinfo=UTC)):
            figures = call(client, "get", "/api/reports/weekly", keys["viewer"]).json()
            assert figures["week"] == "2026-W49" and figures["messages"] == 0
            assert (
                "not a week"
                in problem(call(client, "get", "/api/reports/weekly?week=soon", keys["viewer"]), 422)[
                    "detail"
                ]
            )
            future = call(client, "get", "/api/reports/weekly?week=2027-W05", keys["viewer"])
            assert "not started" in problem(future, 422)["detail"]
        problem(call(client, "get", "/api/reports/weekly", None), 401)
