"""Which private channel a platform allows for a notice, and the reference an appeal quotes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civildesk.moderation.notices import choose_channel, find_reference, new_reference, normalise_reference

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
CAN_DM = {"reply_private", "hide"}


@pytest.mark.parametrize(
    ("platform", "kind", "age", "expected"),
    [
        ("facebook", "comment", timedelta(days=6, hours=23), "private_reply"),
        ("instagram", "comment", timedelta(hours=1), "private_reply"),
        ("facebook", "comment", timedelta(days=7, minutes=1), ""),
        ("instagram", "dm", timedelta(hours=23), "dm"),
        ("instagram", "dm", timedelta(hours=25), ""),
        ("x", "reply", timedelta(days=30), "dm"),
    ],
)
def test_the_platform_window_decides_the_channel(
    platform: str, kind: str, age: timedelta, expected: str
) -> None:
    got = choose_channel(platform=platform, kind=kind, posted_at=NOW - age, now=NOW, capabilities=CAN_DM)
    assert got.name == expected
    assert got.possible == bool(expected)
    if not expected:
        assert "window" in got.reason


def test_no_private_messages_capability_means_no_notice_and_says_why() -> None:
    got = choose_channel(platform="linkedin", kind="comment", posted_at=NOW, now=NOW, capabilities={"delete"})
    assert not got.possible and "linkedin" in got.reason


def test_references_are_short_and_unambiguous() -> None:
    refs = {new_reference() for _ in range(200)}
    assert len(refs) == 200
    for ref in refs:
        assert ref.startswith("CD-") and len(ref) == 9
        assert not set(ref[3:]) & set("01OIL")


@pytest.mark.parametrize("typed", ["cd-ab2cde", " CD AB2CDE ", "CDAB2CDE", "ab2cde"])
def test_a_retyped_reference_still_matches(typed: str) -> None:
    assert normalise_reference(typed) == "CD-AB2CDE"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Re: your message (ref CD-AB2CDE)", "CD-AB2CDE"),
        ("my reference is cd ab2cde, please look again", "CD-AB2CDE"),
        ("no reference here, just CD-ROM talk", ""),
    ],
)
def test_the_reference_is_found_in_an_appeal_email(text: str, expected: str) -> None:
    assert find_reference(text) == expected
