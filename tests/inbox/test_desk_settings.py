"""What admins change in the admin site reaches the desk: the staff directory reaches the engine,
working hours and closure days reach the SLA clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from civildesk.inbox import desk
from civildesk.web.models import ClosureDay, DeskSettings, StaffDirectoryEntry, WorkingHours

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]


def test_the_staff_directory_is_added_to_the_policy_the_detectors_see() -> None:
    StaffDirectoryEntry.objects.create(
        name="Femi Adeyemi", role="ward manager", team="Tolworth", aliases="Femi, Mr A"
    )
    StaffDirectoryEntry.objects.create(name="Left Long Ago", active=False)
    _digest, rows = desk._read_directory()
    names = {m.name: m for m in desk.policy_with_directory(rows).staff}
    assert names["Femi Adeyemi"].aliases == ("Femi", "Mr A")
    assert "Left Long Ago" not in names
    assert "Dr Hollis" in names  # the policy file's own directory stays


def test_by_default_the_hours_are_the_policy_files() -> None:
    hours = desk.working_hours()
    assert (hours.timezone, hours.start, hours.end, hours.days) == (
        "Europe/London",
        time(9),
        time(17),
        frozenset({0, 1, 2, 3, 4}),
    )


def test_the_admin_can_override_hours_add_closure_days_and_change_the_cut_off() -> None:
    WorkingHours.objects.create(override=True, saturday=True, start=time(8), end=time(18))
    ClosureDay.objects.create(date=date(2026, 11, 27), reason="Trust closure day")
    settings = DeskSettings.load()
    settings.late_grace_minutes = 30
    settings.save()
    hours = desk.working_hours()
    saturday = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert hours.is_working_time(saturday)
    assert not hours.is_working_time(datetime(2026, 11, 27, 12, tzinfo=UTC))  # the closure day
    assert hours.due_at(datetime(2026, 11, 26, 17, 20, tzinfo=UTC)) == datetime(2026, 11, 26, 18, tzinfo=UTC)


def test_changes_are_picked_up_without_a_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    before = desk.working_hours()
    WorkingHours.objects.create(override=True, start=time(10), end=time(16))
    assert desk.working_hours() is before  # cached for a few seconds
    monkeypatch.setattr(desk, "_HOURS_TTL_SECONDS", 0.0)
    assert desk.working_hours().start == time(10)
