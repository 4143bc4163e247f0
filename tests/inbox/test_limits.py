"""Per-platform reply lengths, counted the way each platform counts."""

from __future__ import annotations

import pytest

from civildesk.inbox.limits import check, x_weighted_length


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("hello", 5),
        ("café", 4),  # Latin-1 letters weigh 1
        ("see https://www.swlstg.nhs.uk/contact-us/complaints-and-feedback-long-path", 4 + 23),
        ("www.nhs.uk", 23),
        ("💙", 2),
        ("👍🏽", 2),  # skin-tone modifier joins the emoji
        ("👩‍⚕️", 2),  # ZWJ sequence: one emoji
        ("你好", 4),  # CJK weighs 2
        ("—", 1),  # em dash is in the light range
    ],
)
def test_x_counts_weighted_characters(text: str, weight: int) -> None:
    assert x_weighted_length(text) == weight


def test_x_public_replies_stop_at_280_weighted() -> None:
    assert check("x", "public", "a" * 280).ok
    too_long = check("x", "public", "a" * 281)
    assert not too_long.ok and "1 characters too long" in too_long.message
    # 140 emoji fill an X reply exactly.
    assert check("x", "public", "💙" * 140).ok and not check("x", "public", "💙" * 141).ok


@pytest.mark.parametrize(
    ("platform", "visibility", "limit"),
    [
        ("facebook", "public", 8000),
        ("facebook", "private", 2000),
        ("instagram", "public", 2200),
        ("instagram", "private", 1000),
        ("linkedin", "public", 1250),
        ("x", "private", 10000),
    ],
)
def test_other_platforms_count_plain_characters(platform: str, visibility: str, limit: int) -> None:
    assert check(platform, visibility, "a" * limit).ok
    assert not check(platform, visibility, "a" * (limit + 1)).ok


def test_linkedin_pages_cannot_send_private_messages() -> None:
    result = check("linkedin", "private", "hello")
    assert not result.supported and not result.ok and "does not allow" in result.message


def test_an_empty_reply_is_refused() -> None:
    assert not check("facebook", "public", "   ").ok
