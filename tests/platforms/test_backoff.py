"""A 429 storm delays an action but loses none: each platform's own signal sets the wait."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civildesk.inbox.connectors import ReplyTarget
from civildesk.platforms.backoff import call_with_backoff
from civildesk.platforms.errors import AuthExpired, RateLimited, Transient
from tests.platforms.conftest import ACCOUNTS


def hide_target(platform: str) -> ReplyTarget:
    return ReplyTarget(platform, ACCOUNTS[platform], "c1", "comment", "u1")


@pytest.mark.parametrize(
    ("platform", "retry_after", "expected"), [("x", 60, 60), ("facebook", 120, 120), ("instagram", 60, 60)]
)
def test_a_storm_of_429s_waits_as_told_and_hides_exactly_once(
    connect, platform_simulator, clock, platform, retry_after, expected
):
    platform_simulator.clock = lambda: clock.now.timestamp()
    platform_simulator.inject(platform, "rate_limit", op="hide", times=4, retry_after=retry_after)
    connector = connect(platform, clock=clock)
    call_with_backoff(lambda: connector.hide(hide_target(platform)), sleep=clock.sleep, clock=clock)
    assert len(platform_simulator.done(platform, "hide")) == 1
    assert len(platform_simulator.recorded(platform, "hide")) == 5
    assert len(clock.slept) == 4
    # X's reset header is whole epoch seconds, so its wait may be up to a second short.
    assert all(expected - 1.5 <= s <= expected for s in clock.slept)


def test_linkedins_storm_doubles_the_wait_each_time(connect, platform_simulator, clock):
    platform_simulator.inject("linkedin", "rate_limit", op="delete", times=3)
    li = connect("linkedin", clock=clock)
    target = ReplyTarget(
        "linkedin", ACCOUNTS["linkedin"], "urn:li:comment:(urn:li:activity:7,9)", "comment", "p1"
    )
    call_with_backoff(lambda: li.delete(target), sleep=clock.sleep, clock=clock)
    assert clock.slept == [60.0, 120.0, 240.0] and len(platform_simulator.done("linkedin", "delete")) == 1


def test_server_errors_are_retried_with_growing_waits(connect, platform_simulator, clock):
    platform_simulator.inject("facebook", "server_error", op="hide", times=3)
    fb = connect("facebook", clock=clock)
    call_with_backoff(lambda: fb.hide(hide_target("facebook")), sleep=clock.sleep, clock=clock)
    assert clock.slept == [1.0, 2.0, 4.0] and len(platform_simulator.done("facebook", "hide")) == 1


def test_a_wait_longer_than_allowed_is_handed_back_to_the_queue(connect, platform_simulator, clock):
    platform_simulator.inject("x", "rate_limit", op="hide", retry_after=3600)
    x = connect("x", clock=clock)
    with pytest.raises(RateLimited) as caught:
        call_with_backoff(
            lambda: x.hide(hide_target("x")), sleep=clock.sleep, clock=clock, max_wait=timedelta(minutes=15)
        )
    assert clock.slept == [] and caught.value.retry_at > clock.now + timedelta(minutes=59)


def test_errors_that_waiting_cannot_fix_are_raised_at_once(connect, platform_simulator, clock):
    platform_simulator.inject("x", "expired_token", op="hide")
    x = connect("x", clock=clock)
    with pytest.raises(AuthExpired):
        call_with_backoff(lambda: x.hide(hide_target("x")), sleep=clock.sleep, clock=clock)
    assert clock.slept == []


def test_giving_up_after_the_last_attempt(clock):
    def always_down() -> None:
        raise Transient("down")

    with pytest.raises(Transient):
        call_with_backoff(always_down, sleep=clock.sleep, clock=clock, max_attempts=3)
    assert clock.slept == [1.0, 2.0]
