"""The moderation action's life, as a small pure table (no Django): who may move it where.

    proposed ──approve──► approved ──applied──► applied ──undone──► undone
        │          (two-person: proposed ──approve──► awaiting_second ──approve──► approved)
        └─reject─► rejected          approved ──failed──► failed ──retry──► approved
                                     approved ──needs_person──► human_task ──done──► applied

Every guard raises a typed error a page can show as it is: the role guard (officers propose,
moderators approve removals and blocks), the two-person rule (police/legal escalation and
permanent blocks need a second, different moderator) and the protected-criticism rule (a removal
of a post with no breach label needs a moderator's written reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from civildesk.web.roles import ROLES

State = Literal[
    "proposed", "awaiting_second", "approved", "applied", "failed", "human_task", "rejected", "undone"
]
Event = Literal["approve", "reject", "applied", "failed", "needs_person", "done", "retry", "undone"]

STATES: Final[tuple[State, ...]] = (
    "proposed",
    "awaiting_second",
    "approved",
    "applied",
    "failed",
    "human_task",
    "rejected",
    "undone",
)
STATE_LABELS: Final[dict[str, str]] = {
    "proposed": "Proposed, waiting for a moderator",
    "awaiting_second": "Waiting for a second moderator",
    "approved": "Approved, being carried out",
    "applied": "Done",
    "failed": "Failed",
    "human_task": "Waiting for a person to do it by hand",
    "rejected": "Rejected",
    "undone": "Undone",
}
OPEN_STATES: Final[frozenset[str]] = frozenset({"proposed", "awaiting_second", "human_task", "failed"})
FINAL_STATES: Final[frozenset[str]] = frozenset({"rejected", "undone"})

# The actions, each written beside its undo. Delete has none: it cannot be undone on the
# platform (the desk's evidence copy of the post stays).
UNDO: Final[dict[str, str | None]] = {
    "hide": "unhide",
    "unhide": "hide",
    "delete": None,
    "block": "unblock",
    "unblock": "block",
    "mute": "unmute",
    "unmute": "mute",
    "report": None,
    "escalate_police": None,
    "escalate_legal": None,
    "notify_author": None,
}
ACTIONS: Final[tuple[str, ...]] = tuple(UNDO)
ACTION_LABELS: Final[dict[str, str]] = {
    "hide": "Hide",
    "unhide": "Unhide",
    "delete": "Delete (cannot be undone)",
    "block": "Block the author",
    "unblock": "Unblock the author",
    "mute": "Mute the author",
    "unmute": "Unmute the author",
    "report": "Report to the platform",
    "escalate_police": "Escalate to the police",
    "escalate_legal": "Escalate to legal",
    "notify_author": "Tell the author why",
}
# What the author is told we did (the notice template's {action}).
ACTION_PAST: Final[dict[str, str]] = {
    "hide": "hidden",
    "delete": "removed",
    "block": "blocked",
    "mute": "muted",
    "report": "reported",
    "escalate_police": "passed to the police",
    "escalate_legal": "referred to our legal team",
}
REMOVALS: Final[frozenset[str]] = frozenset({"hide", "delete"})
# Acting on the author, not on one message.
AUTHOR_ACTIONS: Final[frozenset[str]] = frozenset({"block", "unblock", "mute", "unmute"})
# No platform API: done by a person from a pre-filled task.
HUMAN_ONLY: Final[frozenset[str]] = frozenset({"report", "escalate_police", "escalate_legal"})
ESCALATIONS: Final[frozenset[str]] = frozenset({"escalate_police", "escalate_legal"})
# Actions after which the author is told why.
NOTIFY_AFTER: Final[frozenset[str]] = frozenset({"hide", "delete", "block"})

# The least role that may approve each action; officers may propose any of them.
APPROVER_ROLE: Final[dict[str, str]] = {
    "hide": "moderator",
    "unhide": "moderator",
    "delete": "moderator",
    "block": "moderator",
    "unblock": "moderator",
    "mute": "moderator",
    "unmute": "moderator",
    "report": "moderator",
    "escalate_police": "moderator",
    "escalate_legal": "moderator",
    "notify_author": "officer",
}
PROPOSER_ROLE: Final = "officer"
CONFIGURE_ROLE: Final = "admin"


class ModerationError(ValueError):
    """Base of the typed refusals; the message is written for the person who tried."""


class InvalidTransition(ModerationError):
    def __init__(self, state: str, event: str) -> None:
        super().__init__(f"An action that is {STATE_LABELS.get(state, state).lower()} cannot be '{event}'")
        self.state = state
        self.event = event


class RoleRefused(ModerationError):
    def __init__(self, role: str | None, needed: str, what: str) -> None:
        super().__init__(f"Only a {needed} or above may {what} (your role: {role or 'none'})")
        self.role = role
        self.needed = needed


class SecondApproverRequired(ModerationError):
    """The two-person rule: the second approval must come from a different moderator."""


class ProtectedCriticism(ModerationError):
    """A removal of a post with no breach label, without a moderator's written reason."""


class NotUndoable(ModerationError):
    pass


def rank(role: str | None) -> int:
    return ROLES.index(role) if role in ROLES else -1


def at_least(role: str | None, needed: str) -> bool:
    return rank(role) >= rank(needed)


def needs_two_people(kind: str, *, permanent: bool = False) -> bool:
    return kind in ESCALATIONS or (kind == "block" and permanent)


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None  # None: the system (an automatic action the policy allows)
    role: str | None


@dataclass(frozen=True, slots=True)
class Proposal:
    kind: str
    permanent: bool = False
    # The decision's removal verdict: "required" | "allowed" | "forbidden" (no breach label).
    removal: str = "allowed"
    override_reason: str = ""


def check_propose(actor: Actor, proposal: Proposal) -> None:
    """Officers propose; a removal of protected criticism needs a moderator's written reason."""
    if proposal.kind not in UNDO:
        raise ModerationError(f"Unknown action '{proposal.kind}'")
    if actor.user_id is not None and not at_least(actor.role, PROPOSER_ROLE):
        raise RoleRefused(actor.role, PROPOSER_ROLE, "propose an action")
    check_protected(actor, proposal)


def check_protected(actor: Actor, proposal: Proposal) -> None:
    if proposal.kind not in REMOVALS or proposal.removal != "forbidden":
        return
    if not proposal.override_reason.strip():
        raise ProtectedCriticism(
            "This post has no breach label: the policy does not remove a post simply because it is "
            "negative. A moderator may still remove it with a written reason."
        )
    if not at_least(actor.role, "moderator"):
        raise RoleRefused(actor.role, "moderator", "remove a post with no breach label")


# (state, event) -> next state. Approve is special-cased for the two-person rule.
_TABLE: Final[dict[tuple[str, str], State]] = {
    ("proposed", "approve"): "approved",
    ("awaiting_second", "approve"): "approved",
    ("proposed", "reject"): "rejected",
    ("awaiting_second", "reject"): "rejected",
    ("approved", "applied"): "applied",
    ("approved", "failed"): "failed",
    ("approved", "needs_person"): "human_task",
    ("human_task", "done"): "applied",
    ("human_task", "failed"): "failed",
    ("failed", "retry"): "approved",
    ("applied", "undone"): "undone",
}
# Events the worker raises (no person, no role guard).
SYSTEM_EVENTS: Final[frozenset[str]] = frozenset({"applied", "failed", "needs_person", "undone"})


def allowed_events(state: str) -> list[str]:
    return [event for (s, event) in _TABLE if s == state]


def next_state(
    state: str,
    event: str,
    actor: Actor,
    *,
    kind: str,
    permanent: bool = False,
    first_approver_id: int | None = None,
) -> State:
    """The state after ``event``, or a typed refusal. Pure: the caller stores the result."""
    if (state, event) not in _TABLE:
        raise InvalidTransition(state, event)
    if event in SYSTEM_EVENTS:
        return _TABLE[(state, event)]
    needed = APPROVER_ROLE[kind]
    if event == "done":
        needed = PROPOSER_ROLE  # whoever files the report by hand records it
    if not at_least(actor.role, needed):
        raise RoleRefused(actor.role, needed, f"{event} '{ACTION_LABELS.get(kind, kind).lower()}'")
    if event == "approve" and needs_two_people(kind, permanent=permanent):
        if state == "proposed":
            return "awaiting_second"
        if actor.user_id is None or actor.user_id == first_approver_id:
            raise SecondApproverRequired(
                "Police/legal escalations and permanent blocks need a second, different moderator"
            )
    return _TABLE[(state, event)]
