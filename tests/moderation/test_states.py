"""The moderation state table, every transition and every guard, without Django."""

from __future__ import annotations

import pytest

from civildesk.moderation import states
from civildesk.moderation.states import (
    Actor,
    InvalidTransition,
    Proposal,
    ProtectedCriticism,
    RoleRefused,
    SecondApproverRequired,
    check_propose,
    next_state,
)

VIEWER = Actor(1, "viewer")
OFFICER = Actor(2, "officer")
MODERATOR = Actor(3, "moderator")
SECOND_MODERATOR = Actor(4, "moderator")
ADMIN = Actor(5, "admin")
SYSTEM = Actor(None, None)

# (state, event, actor, kind, expected) for every row of the table.
TRANSITIONS = [
    ("proposed", "approve", MODERATOR, "hide", "approved"),
    ("proposed", "approve", MODERATOR, "escalate_police", "awaiting_second"),
    ("awaiting_second", "approve", SECOND_MODERATOR, "escalate_police", "approved"),
    ("proposed", "reject", MODERATOR, "hide", "rejected"),
    ("awaiting_second", "reject", SECOND_MODERATOR, "escalate_legal", "rejected"),
    ("approved", "applied", SYSTEM, "hide", "applied"),
    ("approved", "failed", SYSTEM, "hide", "failed"),
    ("approved", "needs_person", SYSTEM, "report", "human_task"),
    ("human_task", "done", OFFICER, "report", "applied"),
    ("human_task", "failed", SYSTEM, "report", "failed"),
    ("failed", "retry", MODERATOR, "hide", "approved"),
    ("applied", "undone", SYSTEM, "hide", "undone"),
]


@pytest.mark.parametrize(("state", "event", "actor", "kind", "expected"), TRANSITIONS)
def test_every_transition_in_the_table(
    state: str, event: str, actor: Actor, kind: str, expected: str
) -> None:
    assert next_state(state, event, actor, kind=kind, first_approver_id=3) == expected


def test_the_parametrised_list_covers_the_whole_table() -> None:
    covered = {(s, e) for s, e, *_ in TRANSITIONS}
    assert covered == set(states._TABLE)


EVENTS = ("approve", "reject", "applied", "failed", "needs_person", "done", "retry", "undone")
NOT_IN_TABLE = [(s, e) for s in states.STATES for e in EVENTS if (s, e) not in states._TABLE]


@pytest.mark.parametrize(("state", "event"), NOT_IN_TABLE)
def test_anything_not_in_the_table_is_refused(state: str, event: str) -> None:
    with pytest.raises(InvalidTransition) as caught:
        next_state(state, event, ADMIN, kind="hide")
    assert caught.value.state == state and caught.value.event == event


@pytest.mark.parametrize("final", sorted(states.FINAL_STATES))
def test_rejected_and_undone_are_the_end(final: str) -> None:
    assert states.allowed_events(final) == []


class TestRoles:
    @pytest.mark.parametrize("kind", ["hide", "delete", "block", "mute", "report", "escalate_police"])
    @pytest.mark.parametrize("actor", [VIEWER, OFFICER], ids=["viewer", "officer"])
    def test_only_moderators_approve_removals_blocks_and_escalations(self, kind: str, actor: Actor) -> None:
        with pytest.raises(RoleRefused):
            next_state("proposed", "approve", actor, kind=kind)

    @pytest.mark.parametrize("actor", [VIEWER, OFFICER], ids=["viewer", "officer"])
    def test_only_moderators_reject_or_retry(self, actor: Actor) -> None:
        with pytest.raises(RoleRefused):
            next_state("proposed", "reject", actor, kind="hide")
        with pytest.raises(RoleRefused):
            next_state("failed", "retry", actor, kind="hide")

    def test_an_officer_may_approve_telling_the_author(self) -> None:
        assert next_state("proposed", "approve", OFFICER, kind="notify_author") == "approved"

    @pytest.mark.parametrize(
        ("actor", "allowed"), [(VIEWER, False), (OFFICER, True), (MODERATOR, True), (ADMIN, True)]
    )
    def test_officers_and_above_propose(self, actor: Actor, allowed: bool) -> None:
        if allowed:
            check_propose(actor, Proposal("hide", removal="required"))
        else:
            with pytest.raises(RoleRefused):
                check_propose(actor, Proposal("hide", removal="required"))

    def test_the_system_may_propose(self) -> None:
        check_propose(SYSTEM, Proposal("block", removal="allowed"))

    def test_an_unknown_action_is_refused(self) -> None:
        with pytest.raises(states.ModerationError):
            check_propose(OFFICER, Proposal("shadowban"))

    def test_only_a_viewer_cannot_record_a_hand_done_task(self) -> None:
        with pytest.raises(RoleRefused):
            next_state("human_task", "done", VIEWER, kind="report")


class TestTwoPersonRule:
    @pytest.mark.parametrize(
        ("kind", "permanent"), [("escalate_police", False), ("escalate_legal", False), ("block", True)]
    )
    def test_the_first_approval_only_waits_for_a_second(self, kind: str, permanent: bool) -> None:
        assert (
            next_state("proposed", "approve", MODERATOR, kind=kind, permanent=permanent) == "awaiting_second"
        )

    @pytest.mark.parametrize(
        ("kind", "permanent"), [("escalate_police", False), ("escalate_legal", False), ("block", True)]
    )
    def test_the_same_moderator_cannot_approve_twice(self, kind: str, permanent: bool) -> None:
        with pytest.raises(SecondApproverRequired):
            next_state(
                "awaiting_second", "approve", MODERATOR, kind=kind, permanent=permanent, first_approver_id=3
            )

    def test_a_different_moderator_completes_it(self) -> None:
        got = next_state(
            "awaiting_second", "approve", SECOND_MODERATOR, kind="block", permanent=True, first_approver_id=3
        )
        assert got == "approved"

    def test_a_temporary_block_needs_one_moderator(self) -> None:
        assert next_state("proposed", "approve", MODERATOR, kind="block", permanent=False) == "approved"

    def test_an_officer_cannot_be_the_second_person(self) -> None:
        with pytest.raises(RoleRefused):
            next_state("awaiting_second", "approve", OFFICER, kind="escalate_police", first_approver_id=3)


class TestProtectedCriticism:
    @pytest.mark.parametrize("kind", sorted(states.REMOVALS))
    def test_removing_a_post_with_no_breach_label_is_refused(self, kind: str) -> None:
        with pytest.raises(ProtectedCriticism):
            check_propose(MODERATOR, Proposal(kind, removal="forbidden"))

    @pytest.mark.parametrize("kind", sorted(states.REMOVALS))
    def test_a_moderator_may_override_with_a_written_reason(self, kind: str) -> None:
        check_propose(
            MODERATOR, Proposal(kind, removal="forbidden", override_reason="posted a patient's address")
        )

    def test_a_blank_reason_is_no_reason(self) -> None:
        with pytest.raises(ProtectedCriticism):
            check_propose(MODERATOR, Proposal("hide", removal="forbidden", override_reason="   "))

    def test_an_officer_cannot_override(self) -> None:
        with pytest.raises(RoleRefused):
            check_propose(OFFICER, Proposal("hide", removal="forbidden", override_reason="I don't like it"))

    def test_a_breach_needs_no_reason(self) -> None:
        check_propose(OFFICER, Proposal("hide", removal="required"))

    def test_non_removals_are_not_guarded_by_the_rule(self) -> None:
        check_propose(OFFICER, Proposal("notify_author", removal="forbidden"))


class TestUndo:
    @pytest.mark.parametrize(
        ("kind", "inverse"), [("hide", "unhide"), ("block", "unblock"), ("mute", "unmute")]
    )
    def test_each_action_is_written_beside_its_undo(self, kind: str, inverse: str) -> None:
        assert states.UNDO[kind] == inverse and states.UNDO[inverse] == kind

    def test_delete_has_no_undo(self) -> None:
        assert states.UNDO["delete"] is None
        assert "cannot be undone" in states.ACTION_LABELS["delete"]
