"""Each platform's rules, checked before a post is saved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from civildesk.publishing.rules import validate, validate_all

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
JPEG = "https://www.example.nhs.uk/images/ward.jpg"


def fields(problems: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(p.platform, p.field) for p in problems]


def test_x_counts_weighted_characters() -> None:
    assert validate("x", "a" * 280, scheduled_at=LATER, now=NOW) == []
    assert fields(validate("x", "a" * 281)) == [("x", "text")]
    # A long link weighs 23: 257 letters + space + link = 281 > 280; 256 fit.
    link = "https://www.swlstg.nhs.uk/" + "x" * 200
    assert validate("x", "a" * 256 + " " + link) == []
    assert fields(validate("x", "a" * 257 + " " + link)) == [("x", "text")]
    # Emoji weigh 2: 140 fit, 141 do not.
    assert validate("x", "💙" * 140) == []
    problem = validate("x", "💙" * 141)[0]
    assert "282 weighted characters, 2 over the limit of 280" in problem.message


def test_x_refuses_its_invalid_characters() -> None:
    assert fields(validate("x", "hello\ufffe")) == [("x", "text")]


def test_instagram_needs_an_image_given_as_a_public_jpeg_url() -> None:
    assert fields(validate("instagram", "Hello")) == [("instagram", "media_url")]
    assert fields(validate("instagram", "Hello", media_url="http://example.org/a.jpg")) == [
        ("instagram", "media_url")
    ]
    assert fields(validate("instagram", "Hello", media_url="https://example.org/a.png")) == [
        ("instagram", "media_url")
    ]
    assert validate("instagram", "Hello", media_url=JPEG) == []


def test_instagram_caption_length_and_hashtags() -> None:
    assert validate("instagram", "a" * 2200, media_url=JPEG) == []
    assert fields(validate("instagram", "a" * 2201, media_url=JPEG)) == [("instagram", "text")]
    thirty = " ".join(f"#tag{i}" for i in range(30))
    assert validate("instagram", thirty, media_url=JPEG) == []
    problems = validate("instagram", thirty + " #one_more", media_url=JPEG)
    assert fields(problems) == [("instagram", "text")] and "31 hashtags" in problems[0].message
    # Not hashtags: C#, an HTML entity, a lone '#'.
    assert validate("instagram", thirty + " C# &#39; # ", media_url=JPEG) == []


def test_linkedin_allows_3000_characters() -> None:
    assert validate("linkedin", "a" * 3000) == []
    assert fields(validate("linkedin", "a" * 3001)) == [("linkedin", "text")]


def test_facebook_native_scheduling_needs_ten_minutes() -> None:
    assert fields(validate("facebook", "Hi", scheduled_at=NOW + timedelta(minutes=9), now=NOW)) == [
        ("facebook", "scheduled_at")
    ]
    assert validate("facebook", "Hi", scheduled_at=NOW + timedelta(minutes=10), now=NOW) == []
    # Other platforms are published by civildesk itself: any future time will do.
    assert validate("x", "Hi", scheduled_at=NOW + timedelta(minutes=1), now=NOW) == []


def test_every_platform_needs_text_and_a_future_time() -> None:
    for platform in ("x", "facebook", "linkedin"):
        assert fields(validate(platform, "   ", scheduled_at=NOW - timedelta(minutes=1), now=NOW)) == [
            (platform, "text"),
            (platform, "scheduled_at"),
        ]


def test_one_post_is_checked_once_per_platform_it_targets() -> None:
    problems = validate_all(["x", "instagram", "x", "linkedin"], "a" * 2500)
    assert fields(problems) == [("x", "text"), ("instagram", "text"), ("instagram", "media_url")]
    assert str(problems[0]).startswith("X: ")


def test_an_unknown_platform_is_refused() -> None:
    assert fields(validate("myspace", "hi")) == [("myspace", "accounts")]


def test_a_problem_reads_as_a_sentence() -> None:
    from civildesk.publishing.rules import Problem

    assert str(Problem("linkedin", "text", "too long")) == "LinkedIn: too long"
    assert str(Problem("", "accounts", "choose at least one connected account")) == (
        "Choose at least one connected account"
    )
