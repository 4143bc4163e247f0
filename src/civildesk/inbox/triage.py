"""The life of a message on the desk, as one small table.

    open -> assigned -> answered | actioned -> closed

``answered`` means the author got a reply; ``actioned`` means the post was moderated (hidden,
deleted, blocked, reported, escalated). Both can still need the other, so each may move to the
other before closing. Anything closed can be reopened (an edit on the platform, a follow-up).
An officer may reply straight from the inbox without assigning first, so ``open`` may skip to
``answered`` / ``actioned``; the table says so explicitly rather than by omission.
"""

from __future__ import annotations

from typing import Final, Literal

Status = Literal["open", "assigned", "answered", "actioned", "closed"]
Event = Literal["assign", "unassign", "reply", "action", "close", "reopen"]

STATUSES: Final[tuple[Status, ...]] = ("open", "assigned", "answered", "actioned", "closed")
EVENTS: Final[tuple[Event, ...]] = ("assign", "unassign", "reply", "action", "close", "reopen")
# Still waiting for the desk: these count against the SLA clock.
WAITING: Final[frozenset[Status]] = frozenset({"open", "assigned"})

TRANSITIONS: Final[dict[tuple[Status, Event], Status]] = {
    ("open", "assign"): "assigned",
    ("open", "reply"): "answered",
    ("open", "action"): "actioned",
    ("open", "close"): "closed",
    ("assigned", "assign"): "assigned",  # hand over to someone else
    ("assigned", "unassign"): "open",
    ("assigned", "reply"): "answered",
    ("assigned", "action"): "actioned",
    ("assigned", "close"): "closed",
    ("answered", "reply"): "answered",  # a follow-up reply
    ("answered", "action"): "actioned",
    ("answered", "close"): "closed",
    ("answered", "reopen"): "open",
    ("actioned", "reply"): "answered",  # e.g. the notice to the author after a hide
    ("actioned", "action"): "actioned",
    ("actioned", "close"): "closed",
    ("actioned", "reopen"): "open",
    ("closed", "reopen"): "open",
}

EVENT_LABELS: Final[dict[Event, str]] = {
    "assign": "Assign",
    "unassign": "Unassign",
    "reply": "Reply",
    "action": "Mark actioned",
    "close": "Close",
    "reopen": "Reopen",
}


class InvalidTransition(ValueError):
    """The event does not apply to a message in this state."""

    def __init__(self, status: str, event: str) -> None:
        super().__init__(f"cannot {event} a message that is {status}")
        self.status = status
        self.event = event


def next_status(status: Status, event: Event) -> Status:
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise InvalidTransition(status, event) from None


def allowed_events(status: Status) -> tuple[Event, ...]:
    return tuple(event for event in EVENTS if (status, event) in TRANSITIONS)
