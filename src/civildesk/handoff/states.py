"""The life of a hand-off, as one small table (pure: no Django).

    sent -> acknowledged -> closed

``sent``: the desk passed the message on and e-mailed the team; the team's clock is running.
``acknowledged``: the team said they have it (through the link in the e-mail, or an officer
recorded their reply); this stops the clock for the hand-off step. ``closed``: the team has dealt
with it. Nothing skips a step: a hand-off is acknowledged before it is closed, so the time the
team took to pick it up is always recorded and the SLA figure stays honest.

The SLA for the step uses the desk's own working-day rule (``WorkingHours.due_at``): a hand-off
sent before the late cut-off is due to be acknowledged by closing time that day, otherwise by
closing time on the next working day.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Final, Literal

from civildesk.inbox.sla import SlaState, WorkingHours

State = Literal["sent", "acknowledged", "closed"]
Event = Literal["acknowledge", "close"]

STATES: Final[tuple[State, ...]] = ("sent", "acknowledged", "closed")
EVENTS: Final[tuple[Event, ...]] = ("acknowledge", "close")
TRANSITIONS: Final[dict[tuple[State, Event], State]] = {
    ("sent", "acknowledge"): "acknowledged",
    ("acknowledged", "close"): "closed",
}
EVENT_LABELS: Final[dict[Event, str]] = {"acknowledge": "Mark acknowledged", "close": "Close hand-off"}
# Unambiguous when read aloud or over the phone: no 0/O, 1/I/L, 5/S, 2/Z.
REFERENCE_ALPHABET: Final[str] = "346789ABCDEFGHJKMNPQRTUVWXY"


class InvalidTransition(ValueError):
    """The event does not apply to a hand-off in this state."""

    def __init__(self, state: str, event: str) -> None:
        super().__init__(f"cannot {event} a hand-off that is {state}")
        self.state = state
        self.event = event


def next_state(state: State, event: Event) -> State:
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransition(state, event) from None


def allowed_events(state: State) -> tuple[Event, ...]:
    return tuple(e for e in EVENTS if (state, e) in TRANSITIONS)


def new_reference(prefix: str = "PO") -> str:
    """A short reference for the e-mail subject and the phone: PO-XXXXXX (27^6 ≈ 387 million)."""
    return f"{prefix}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def step_due(hours: WorkingHours, sent_at: datetime) -> datetime:
    return hours.due_at(sent_at)


def step_sla(hours: WorkingHours, due: datetime, now: datetime, acknowledged_at: datetime | None) -> SlaState:
    """on_track / at_risk / breached while waiting; met / missed once acknowledged (the clock
    stops there, whatever happens to the hand-off afterwards)."""
    return hours.state(due, now, answered_at=acknowledged_at)
