"""The hand-off's life as a table, its reference, and its clock (pure)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from civildesk.handoff.states import (
    REFERENCE_ALPHABET,
    TRANSITIONS,
    InvalidTransition,
    allowed_events,
    new_reference,
    next_state,
    step_due,
    step_sla,
)
from civildesk.inbox.sla import WorkingHours

HOURS = WorkingHours.build(holiday_country=None)
WEDNESDAY_10AM = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # GMT: 10:00 in London too


def test_sent_then_acknowledged_then_closed() -> None:
    assert next_state("sent", "acknowledge") == "acknowledged"
    assert next_state("acknowledged", "close") == "closed"
    assert allowed_events("sent") == ("acknowledge",)
    assert allowed_events("closed") == ()


@pytest.mark.parametrize(
    ("state", "event"),
    [("sent", "close"), ("acknowledged", "acknowledge"), ("closed", "acknowledge"), ("closed", "close")],
)
def test_no_step_is_skipped_or_repeated(state: str, event: str) -> None:
    with pytest.raises(InvalidTransition) as caught:
        next_state(state, event)  # type: ignore[arg-type]
    assert (caught.value.state, caught.value.event) == (state, event)
    assert str(caught.value) == f"cannot {event} a hand-off that is {state}"


def test_the_table_is_the_whole_story() -> None:
    assert len(TRANSITIONS) == 2


def test_references_are_short_and_cannot_be_misread() -> None:
    refs = {new_reference() for _ in range(200)}
    assert len(refs) == 200
    for ref in refs:
        assert re.fullmatch(rf"PO-[{REFERENCE_ALPHABET}]{{6}}", ref)
        assert not set(ref[3:]) & set("0O1IL5S2Z")


def test_a_morning_hand_off_is_due_to_be_acknowledged_by_closing_time() -> None:
    assert step_due(HOURS, WEDNESDAY_10AM) == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    friday_late = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)
    assert step_due(HOURS, friday_late) == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # Monday


def test_acknowledging_stops_the_clock() -> None:
    due = step_due(HOURS, WEDNESDAY_10AM)
    assert step_sla(HOURS, due, WEDNESDAY_10AM + timedelta(hours=1), None) == "on_track"
    assert step_sla(HOURS, due, WEDNESDAY_10AM + timedelta(hours=6, minutes=30), None) == "at_risk"
    assert step_sla(HOURS, due, WEDNESDAY_10AM + timedelta(days=3), None) == "breached"
    acknowledged = WEDNESDAY_10AM + timedelta(hours=2)
    for later in (timedelta(hours=3), timedelta(days=3), timedelta(days=300)):
        assert step_sla(HOURS, due, WEDNESDAY_10AM + later, acknowledged) == "met"
    late = WEDNESDAY_10AM + timedelta(days=1)
    assert step_sla(HOURS, due, WEDNESDAY_10AM + timedelta(days=30), late) == "missed"
