"""The moderation workflow as the desk's people live it: propose, approve, the platform call,
the author's notice, undo, the guards that refuse, and what happens when a platform fails."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from civildesk.inbox.connectors import sends_nowhere
from civildesk.inbox.models import AuthorEvent, Message
from civildesk.moderation import connectors, services, states
from civildesk.moderation.models import AuditEntry, AuthorNotice, LegalHold, ModerationAction
from civildesk.platforms.errors import (
    NotSupported,
    PermissionDenied,
    PolicyWindowClosed,
    RateLimited,
    Transient,
)
from tests.moderation.fakes import RecordingConnector

pytestmark = pytest.mark.django_db
Arrive = Callable[..., Message]
ABUSE = "you are all idiots at that clinic"
CRITICISM = "the appointment system is useless and the wait was appalling"


def approve(action: ModerationAction, user: Any, commit: Any) -> ModerationAction:
    with commit():
        return services.do_approve(action, user)


class TestHideStory:
    def test_officer_proposes_moderator_approves_platform_hides_and_author_is_told(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE)
        action = services.do_hide(msg, officer, reason="abusive to staff")
        assert action.state == "proposed" and platform.calls == []  # nothing happens on a proposal

        approve(action, moderator, commit)
        settle()

        action.refresh_from_db()
        assert action.state == "applied" and action.connector == platform.name
        assert platform.calls[0] == ("hide", msg.platform_id)
        notice = AuthorNotice.objects.get(action=action)
        assert notice.status == "sent" and notice.channel == "private_reply"
        assert platform.calls[1] == ("reply_private", msg.platform_id)
        clause = msg.decision.clauses[0]  # type: ignore[union-attr]
        assert f'"{clause}"' in notice.text
        assert notice.reference in notice.text and "communications@swlstg.nhs.uk" in notice.text
        assert "@jo.runs" in notice.text and "hidden" in notice.text
        assert AuthorEvent.objects.filter(author=msg.author, kind="breach").count() == 1

    def test_every_step_is_in_the_audit_log(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE)
        action = services.do_hide(msg, officer)
        approve(action, moderator, commit)
        settle()
        rows = AuditEntry.objects.filter(target_type="moderation_action", target_id=str(action.pk))
        assert [r.event for r in rows] == ["action.proposed", "action.approved", "action.applied"]
        proposed, approved, applied = rows
        assert proposed.actor == officer and approved.actor == moderator and applied.actor is None
        assert approved.before["state"] == "proposed" and approved.after["state"] == "approved"
        assert applied.policy_version == msg.decision.policy_version  # type: ignore[union-attr]
        assert {"notice.planned", "notice.sent"} <= set(AuditEntry.objects.values_list("event", flat=True))

    def test_an_officer_cannot_approve_a_removal(
        self, arrive: Arrive, officer: Any, platform: RecordingConnector
    ) -> None:
        action = services.do_hide(arrive(ABUSE), officer)
        with pytest.raises(states.RoleRefused):
            services.do_approve(action, officer)
        action.refresh_from_db()
        assert action.state == "proposed"

    def test_a_viewer_cannot_even_propose(self, arrive: Arrive, viewer: Any) -> None:
        with pytest.raises(states.RoleRefused):
            services.do_hide(arrive(ABUSE), viewer)
        assert not ModerationAction.objects.exists()

    def test_a_rejected_proposal_never_reaches_the_platform(
        self, arrive: Arrive, officer: Any, moderator: Any, platform: RecordingConnector, settle: Any
    ) -> None:
        action = services.do_hide(arrive(ABUSE), officer)
        services.do_reject(action, moderator, reason="banter between regulars")
        settle()
        assert action.state == "rejected" and platform.calls == []
        with pytest.raises(states.InvalidTransition):
            services.do_approve(action, moderator)

    def test_the_platform_call_waits_for_the_commit(
        self, arrive: Arrive, officer: Any, moderator: Any, platform: RecordingConnector
    ) -> None:
        action = services.do_hide(arrive(ABUSE), officer)
        services.do_approve(action, moderator)  # not committed (the test's transaction is open)
        assert not DBTaskResult.objects.filter(task_path__endswith="apply_action").exists()


class TestUndo:
    def test_undoing_a_hide_unhides_and_marks_the_original_undone(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE)
        action = services.do_hide(msg, officer)
        approve(action, moderator, commit)
        settle()
        with commit():
            undo = services.do_undo(action, moderator, reason="misread the thread")
        settle()
        action.refresh_from_db()
        undo.refresh_from_db()
        assert undo.kind == "unhide" and undo.state == "applied"
        assert action.state == "undone"
        assert ("unhide", msg.platform_id) in platform.calls
        assert not AuthorEvent.objects.filter(author=msg.author, kind="breach").exists()  # no strike

    def test_delete_says_plainly_it_cannot_be_undone_and_the_evidence_stays(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE)
        action = services.do_delete(msg, officer)
        approve(action, moderator, commit)
        settle()
        with pytest.raises(states.NotUndoable, match=r"cannot be restored.*evidence copy"):
            services.do_undo(action, moderator)
        msg.refresh_from_db()
        assert msg.text == ABUSE  # the desk's copy is untouched

    def test_only_an_applied_action_can_be_undone(
        self, arrive: Arrive, officer: Any, moderator: Any, platform: RecordingConnector
    ) -> None:
        action = services.do_hide(arrive(ABUSE), officer)
        with pytest.raises(states.InvalidTransition):
            services.do_undo(action, moderator)

    def test_an_officer_cannot_undo(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        action = services.do_hide(arrive(ABUSE), officer)
        approve(action, moderator, commit)
        settle()
        with pytest.raises(states.RoleRefused):
            services.do_undo(action, officer)


class TestAuthorActionsAndTheirUndo:
    def test_unblocking_restores_the_authors_standing(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE)
        block = services.do_block(msg.author, officer, message=msg, reason="repeat abuse")
        approve(block, moderator, commit)
        settle()
        msg.author.refresh_from_db()
        assert msg.author.blocked
        with commit():
            services.do_undo(block, moderator, reason="apologised")
        settle()
        msg.author.refresh_from_db()
        block.refresh_from_db()
        assert not msg.author.blocked and block.state == "undone"
        assert ("unblock", "ig-1") in platform.calls
        kinds = list(AuthorEvent.objects.filter(author=msg.author).values_list("kind", flat=True))
        assert "block" in kinds and "unblock" in kinds

    def test_a_temporary_block_ends_by_itself(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE)
        block = services.do_block(msg.author, officer, message=msg, days=7)
        approve(block, moderator, commit)
        settle()
        block.refresh_from_db()
        assert block.state == "applied" and block.block_days == 7
        assert block.expires_at is not None and block.applied_at is not None
        assert block.expires_at - block.applied_at == timedelta(days=7)
        ending = DBTaskResult.objects.get(task_path__endswith="end_temporary_block", status="READY")
        assert ending.run_after == block.expires_at
        assert ("unblock", "ig-1") not in platform.calls  # not yet

        DBTaskResult.objects.filter(pk=ending.pk).update(run_after=datetime.now(UTC) - timedelta(seconds=1))
        settle()  # a week early: the block stays
        block.refresh_from_db()
        assert block.state == "applied"

        ModerationAction.objects.filter(pk=block.pk).update(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )
        from civildesk.moderation.tasks import end_temporary_block

        with commit():
            end_temporary_block.call(action_id=block.pk)
        settle()
        block.refresh_from_db()
        msg.author.refresh_from_db()
        assert block.state == "undone" and not msg.author.blocked
        assert ("unblock", "ig-1") in platform.calls

    def test_a_permanent_block_never_ends_by_itself(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        second_moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE)
        block = services.do_block(msg.author, officer, message=msg, permanent=True)
        approve(block, moderator, commit)
        approve(block, second_moderator, commit)
        settle()
        block.refresh_from_db()
        assert block.state == "applied" and block.expires_at is None and block.block_days is None
        assert services.expire_block(block) is None

    def test_mute_and_unmute(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE, platform="x", kind="reply")
        mute = services.do_mute(msg.author, officer, message=msg)
        approve(mute, moderator, commit)
        settle()
        with commit():
            services.do_undo(mute, moderator)
        settle()
        assert [c for c in platform.calls if c[0] in {"mute", "unmute"}] == [
            ("mute", "ig-1"),
            ("unmute", "ig-1"),
        ]

    def test_an_undo_cannot_be_asked_for_twice(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        hide = services.do_hide(arrive(ABUSE), officer)
        approve(hide, moderator, commit)
        settle()
        services.do_undo(hide, moderator)  # not yet carried out
        with pytest.raises(states.ModerationError, match="already being undone"):
            services.do_undo(hide, moderator)

    def test_a_hide_needs_a_message(self, officer: Any) -> None:
        with pytest.raises(states.ModerationError):
            services.do_propose("hide", officer)


class TestLegalHold:
    def test_moderators_place_holds_and_only_admins_release_them(
        self, arrive: Arrive, officer: Any, moderator: Any, admin: Any
    ) -> None:
        msg = arrive(ABUSE)
        with pytest.raises(states.RoleRefused):
            services.do_place_hold(msg, officer, reason="police asked")
        hold = services.do_place_hold(msg, moderator, reason="police asked")
        with pytest.raises(states.RoleRefused):
            services.do_release_hold(hold, moderator, reason="done")
        services.do_release_hold(hold, admin, reason="enquiry closed")
        assert AuditEntry.objects.filter(event="hold.released", reason="enquiry closed").exists()


class TestProtectedCriticism:
    def test_criticism_cannot_be_removed_without_a_written_reason(
        self, arrive: Arrive, officer: Any, moderator: Any
    ) -> None:
        msg = arrive(CRITICISM)
        assert "criticism" in msg.labels
        for user in (officer, moderator):
            with pytest.raises(states.ProtectedCriticism):
                services.do_hide(msg, user)
        assert not ModerationAction.objects.exists()

    def test_an_officer_cannot_override_even_with_a_reason(self, arrive: Arrive, officer: Any) -> None:
        with pytest.raises(states.RoleRefused):
            services.do_delete(arrive(CRITICISM), officer, override_reason="it makes us look bad")

    def test_a_moderators_override_is_counted_and_gives_no_strike(
        self, arrive: Arrive, moderator: Any, platform: RecordingConnector, commit: Any, settle: Any
    ) -> None:
        msg = arrive(CRITICISM)
        assert services.protected_override_count() == 0
        action = services.do_hide(msg, moderator, override_reason="names a patient on the ward")
        assert action.protected_override
        assert services.protected_override_count() == 0  # a proposal is not yet an override
        approve(action, moderator, commit)
        settle()
        assert services.protected_override_count() == 1
        assert not AuthorEvent.objects.filter(author=msg.author, kind="breach").exists()
        proposed = AuditEntry.objects.get(target_id=str(action.pk), event="action.proposed")
        assert proposed.reason == "names a patient on the ward"

    def test_an_unclassified_message_is_protected_too(self, arrive: Arrive, moderator: Any) -> None:
        msg = arrive(ABUSE)
        Message.objects.filter(pk=msg.pk).update(decision=None)
        msg.refresh_from_db()
        with pytest.raises(states.ProtectedCriticism):
            services.do_hide(msg, moderator)


class TestTwoPersonRule:
    def test_police_escalation_needs_two_different_moderators_then_is_a_human_task(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        second_moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE)
        action = services.do_escalate_police(msg, officer, reason="threat to the ward")
        approve(action, moderator, commit)
        assert action.state == "awaiting_second" and action.first_approver == moderator
        with pytest.raises(states.SecondApproverRequired):
            services.do_approve(action, moderator)
        approve(action, second_moderator, commit)
        settle()
        action.refresh_from_db()
        assert action.state == "human_task" and platform.calls[:1] == []
        assert "Link:" in action.human_task and "idiots" in action.human_task
        assert "evidence pack" in action.human_task
        assert LegalHold.objects.filter(message=msg, released_at__isnull=True).exists()
        services.do_mark_done(action, officer, note="crime ref 123")
        action.refresh_from_db()
        assert action.state == "applied" and action.decided_by == officer

    def test_a_permanent_block_needs_two_and_a_temporary_one_needs_one(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        second_moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE)
        permanent = services.do_block(msg.author, officer, message=msg, permanent=True)
        approve(permanent, moderator, commit)
        assert permanent.state == "awaiting_second"
        approve(permanent, second_moderator, commit)
        settle()
        permanent.refresh_from_db()
        msg.author.refresh_from_db()
        assert permanent.state == "applied" and msg.author.blocked
        assert ("block", "ig-1") in platform.calls
        notice = AuthorNotice.objects.get(action=permanent)
        assert "blocked your account" in notice.text

        other = arrive(ABUSE, author_id="ig-2", handle="sam")
        temporary = services.do_block(other.author, officer, message=other)
        approve(temporary, moderator, commit)
        assert temporary.state == "approved"


class TestPlatformFailures:
    def test_a_platform_without_the_capability_turns_it_into_a_human_task(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        platform.capabilities = frozenset({"delete", "reply_public"})  # LinkedIn: no hide
        action = services.do_hide(arrive(ABUSE, platform="linkedin"), officer)
        approve(action, moderator, commit)
        settle()
        action.refresh_from_db()
        assert action.state == "human_task" and "no API to hide" in action.human_task
        assert platform.calls == []

    def test_not_supported_from_the_platform_becomes_a_human_task(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        platform.fail["mute"] = [NotSupported("muting needs a paid tier")]
        msg = arrive(ABUSE, platform="x", kind="reply")
        action = services.do_mute(msg.author, officer, message=msg)
        approve(action, moderator, commit)
        settle()
        action.refresh_from_db()
        assert action.state == "human_task" and "paid tier" in action.human_task

    def test_a_rate_limit_waits_until_the_platform_says(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        retry_at = datetime.now(UTC) + timedelta(minutes=15)
        platform.fail["hide"] = [RateLimited("slow down", retry_at=retry_at)]
        action = services.do_hide(arrive(ABUSE), officer)
        approve(action, moderator, commit)
        settle()
        action.refresh_from_db()
        assert action.state == "approved" and "RateLimited" in action.error
        queued = DBTaskResult.objects.filter(task_path__endswith="apply_action", status="READY").get()
        assert queued.run_after == retry_at

    def test_transient_errors_back_off_then_fail_visibly(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        from civildesk.moderation import tasks

        platform.fail["hide"] = [Transient("502") for _ in range(tasks.MAX_ATTEMPTS)]
        action = services.do_hide(arrive(ABUSE), officer)
        approve(action, moderator, commit)
        settle()
        queued = DBTaskResult.objects.get(task_path__endswith="apply_action", status="READY")
        assert queued.run_after is not None and queued.run_after > datetime.now(UTC)
        for _ in range(tasks.MAX_ATTEMPTS - 1):
            DBTaskResult.objects.filter(status="READY").update(
                run_after=datetime.now(UTC) - timedelta(seconds=1)
            )
            settle()
        action.refresh_from_db()
        assert action.state == "failed" and "Transient: 502" in action.error
        assert action.attempts == tasks.MAX_ATTEMPTS

    def test_a_refusal_fails_at_once_with_the_reason_and_can_be_retried(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        platform.fail["hide"] = [PermissionDenied("the token lacks pages_manage_engagement")]
        msg = arrive(ABUSE)
        action = services.do_hide(msg, officer)
        approve(action, moderator, commit)
        settle()
        action.refresh_from_db()
        assert action.state == "failed" and "pages_manage_engagement" in action.error
        with pytest.raises(states.RoleRefused):
            services.do_retry(action, officer)
        with commit():
            services.do_retry(action, moderator)
        settle()
        action.refresh_from_db()
        assert action.state == "applied" and ("hide", msg.platform_id) in platform.calls

    def test_running_the_task_twice_calls_the_platform_once(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        from civildesk.moderation.tasks import apply_now

        action = services.do_hide(arrive(ABUSE), officer)
        approve(action, moderator, commit)
        settle()
        assert apply_now(action.pk) == "skipped"
        assert [c for c in platform.calls if c[0] == "hide"] == [("hide", action.message.platform_id)]  # type: ignore[union-attr]

    def test_report_is_a_pre_filled_human_task(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE, platform="x", kind="reply")
        action = services.do_report(msg, officer, reason="hateful")
        approve(action, moderator, commit)
        settle()
        action.refresh_from_db()
        assert action.state == "human_task"
        task = action.human_task
        assert f"https://x.com/i/web/status/{msg.platform_id}" in task
        assert "Reason: hateful" in task and "Evidence (abuse): \u201cidiots\u201d" in task


class TestNotices:
    def test_a_closed_window_is_recorded_with_the_reason(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        action = services.do_hide(arrive(ABUSE, platform="facebook", age=timedelta(days=8)), officer)
        approve(action, moderator, commit)
        settle()
        notice = AuthorNotice.objects.get(action=action)
        assert notice.status == "not_sent" and "7-day window" in notice.reason
        assert [c[0] for c in platform.calls] == ["hide"]

    def test_the_platform_closing_the_window_is_recorded_too(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        platform.fail["reply_private"] = [PolicyWindowClosed("already sent a private reply")]
        action = services.do_hide(arrive(ABUSE), officer)
        approve(action, moderator, commit)
        settle()
        notice = AuthorNotice.objects.get(action=action)
        assert notice.status == "not_sent" and "already sent a private reply" in notice.reason

    def test_linkedin_cannot_be_told_and_the_desk_says_why(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        platform.capabilities = frozenset({"delete", "reply_public"})
        action = services.do_delete(arrive(ABUSE, platform="linkedin"), officer)
        approve(action, moderator, commit)
        settle()
        notice = AuthorNotice.objects.get(action=action)
        assert notice.status == "not_sent" and "no private messages" in notice.reason

    def test_an_officer_may_tell_the_author_on_their_own(
        self, arrive: Arrive, officer: Any, platform: RecordingConnector, commit: Any, settle: Any
    ) -> None:
        action = services.do_notify_author(arrive(ABUSE), officer)
        approve(action, officer, commit)
        settle()
        notice = AuthorNotice.objects.get(action=action)
        assert notice.status == "sent" and "we have acted on your post" in notice.text

    def test_a_later_notice_names_what_was_done_to_the_post(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        msg = arrive(ABUSE)
        approve(services.do_delete(msg, officer), moderator, commit)
        settle()
        again = services.do_notify_author(msg, officer)
        approve(again, officer, commit)
        settle()
        assert "we have removed your post" in AuthorNotice.objects.get(action=again).text


class TestConnectorFactory:
    def test_without_the_platforms_factory_the_desk_records_and_sends_nothing(
        self, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings.CIVILDESK_MODERATION_CONNECTOR = connectors.DEFAULT_FACTORY

        def missing(path: str) -> Any:
            raise ImportError(path)

        monkeypatch.setattr(connectors, "import_string", missing)
        got = connectors.get_connector("facebook", "page-1")
        assert sends_nowhere(got) and "not sent" in got.name

    def test_the_default_factory_records_for_an_account_without_credentials(
        self, arrive: Arrive, officer: Any, moderator: Any, settings: Any, commit: Any, settle: Any
    ) -> None:
        settings.CIVILDESK_MODERATION_CONNECTOR = connectors.DEFAULT_FACTORY
        action = services.do_hide(arrive(ABUSE, platform="facebook"), officer)
        approve(action, moderator, commit)
        settle()
        action.refresh_from_db()
        # Applied on the desk, and the row says plainly that no platform was reached.
        assert action.state == "applied" and action.connector.startswith("local-outbox")
        assert "not sent" in action.connector

    def test_a_misnamed_factory_is_a_configuration_error(self, settings: Any) -> None:
        settings.CIVILDESK_MODERATION_CONNECTOR = "civildesk.nowhere.factory"
        with pytest.raises(ImportError):
            connectors.get_connector("facebook", "page-1")

    def test_the_factory_is_asked_for_the_messages_own_account(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        from tests.moderation import fakes

        action = services.do_hide(arrive(ABUSE, platform="facebook"), officer)
        approve(action, moderator, commit)
        settle()
        assert ("facebook", "trust") in fakes.asked


class TestRepeatBehaviour:
    def test_the_third_confirmed_breach_proposes_a_block(
        self,
        arrive: Arrive,
        officer: Any,
        moderator: Any,
        platform: RecordingConnector,
        commit: Any,
        settle: Any,
    ) -> None:
        for n in range(3):
            action = services.do_hide(arrive(f"{ABUSE} {n}"), officer)
            approve(action, moderator, commit)
            settle()
        msg = Message.objects.filter(author__platform_user_id="ig-1").first()
        assert msg is not None
        advice = services.block_advice(msg.author)
        assert (advice.strikes, advice.block_after, advice.recommend) == (3, 3, True)
        block = ModerationAction.objects.get(kind="block")
        assert block.state == "proposed" and block.proposed_by is None
        assert "3 confirmed breaches within 90 days" in block.reason

    def test_strikes_expire(self, arrive: Arrive) -> None:
        msg = arrive(ABUSE)
        old = datetime.now(UTC) - timedelta(days=91)
        AuthorEvent.objects.create(author=msg.author, kind="breach", at=old)
        AuthorEvent.objects.create(author=msg.author, kind="breach")
        assert services.block_advice(msg.author).strikes == 1


class TestAutomaticByPolicy:
    def test_exposed_personal_information_is_hidden_at_once_without_a_person(
        self, arrive: Arrive, platform: RecordingConnector, commit: Any, settle: Any
    ) -> None:
        with commit():
            msg = arrive("my neighbour's NHS number 943 476 5919 is on the ward list")
        settle()
        assert "personal_information" in msg.labels
        action = ModerationAction.objects.get(message=msg)
        assert action.kind == "hide" and action.state == "applied" and action.proposed_by is None
        assert ("hide", msg.platform_id) in platform.calls
        assert AuditEntry.objects.filter(event="action.auto_approved", target_id=str(action.pk)).exists()
        assert services.do_apply_policy(msg) == []  # never twice

    def test_anything_else_the_engine_recommends_waits_for_people(
        self, arrive: Arrive, platform: RecordingConnector, commit: Any, settle: Any
    ) -> None:
        with commit():
            msg = arrive(ABUSE)
        settle()
        assert "hide" in msg.decision.actions  # type: ignore[union-attr]
        assert not ModerationAction.objects.exists() and platform.calls == []

    def test_a_crisis_is_never_hidden_automatically(
        self, arrive: Arrive, platform: RecordingConnector, commit: Any, settle: Any
    ) -> None:
        with commit():
            arrive("I want to end it all tonight")
        settle()
        assert not ModerationAction.objects.exists()
