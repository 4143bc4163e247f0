"""The life of a message on the desk: open -> assigned -> answered/actioned -> closed."""

from __future__ import annotations

import pytest

from civildesk.inbox.triage import (
    EVENTS,
    STATUSES,
    TRANSITIONS,
    InvalidTransition,
    allowed_events,
    next_status,
)


@pytest.mark.parametrize(
    ("path", "end"),
    [
        (["assign", "reply", "close"], "closed"),  # the everyday case
        (["assign", "action", "close"], "closed"),
        (["reply"], "answered"),  # an officer answers straight from the inbox
        (["assign", "assign"], "assigned"),  # handed over to a colleague
        (["assign", "unassign"], "open"),
        (["action", "reply", "close"], "closed"),  # hidden, then the author is told why
        (["reply", "action"], "actioned"),
        (["close", "reopen", "assign"], "assigned"),  # a follow-up arrives
        (["reply", "reply"], "answered"),
    ],
)
def test_everyday_paths(path: list[str], end: str) -> None:
    status = "open"
    for event in path:
        status = next_status(status, event)  # type: ignore[arg-type]
    assert status == end


@pytest.mark.parametrize(
    ("status", "event"),
    [
        ("open", "unassign"),
        ("open", "reopen"),
        ("closed", "reply"),  # reopen first: replying to a closed case is a decision
        ("closed", "assign"),
        ("closed", "close"),
        ("answered", "assign"),
        ("actioned", "unassign"),
    ],
)
def test_impossible_moves_raise_a_typed_error(status: str, event: str) -> None:
    with pytest.raises(InvalidTransition) as info:
        next_status(status, event)  # type: ignore[arg-type]
    assert info.value.status == status and info.value.event == event
    assert event not in allowed_events(status)  # type: ignore[arg-type]


def test_the_table_only_mentions_known_states_and_events() -> None:
    for (status, event), after in TRANSITIONS.items():
        assert status in STATUSES and event in EVENTS and after in STATUSES


def test_every_state_can_reach_closed_and_closed_can_reopen() -> None:
    for status in STATUSES:
        seen, frontier = {status}, [status]
        while frontier:
            current = frontier.pop()
            for event in allowed_events(current):
                nxt = next_status(current, event)
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert "closed" in seen or status == "closed"
    assert allowed_events("closed") == ("reopen",)
