"""How often the mailbox is read: the interval while it works, a doubling back-off while it fails."""

from __future__ import annotations

from datetime import timedelta

from civildesk.mailbox.schedule import next_delay


def test_a_working_mailbox_is_read_every_interval() -> None:
    assert next_delay(interval_seconds=60, consecutive_failures=0) == timedelta(seconds=60)


def test_failures_double_the_wait_up_to_half_an_hour() -> None:
    waits = [next_delay(interval_seconds=60, consecutive_failures=n).total_seconds() for n in range(1, 8)]
    assert waits == [60, 120, 240, 480, 960, 1800, 1800]
    assert next_delay(interval_seconds=60, consecutive_failures=10_000) == timedelta(minutes=30)


def test_a_short_interval_still_waits_at_least_30_seconds_after_a_failure() -> None:
    assert next_delay(interval_seconds=5, consecutive_failures=1) == timedelta(seconds=30)


def test_an_interval_longer_than_the_cap_is_kept() -> None:
    assert next_delay(interval_seconds=3600, consecutive_failures=3) == timedelta(hours=1)
