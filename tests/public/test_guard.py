"""Telling a person's rating from a robot's, and the figures a report shows."""

from __future__ import annotations

from typing import Any

import pytest

from civildesk.public.guard import MAX_COMMENT, judge, summarise

NOW = 1_800_000_000.0


def sent(after_seconds: float = 20.0, **kw: str) -> dict[str, Any]:
    base: dict[str, Any] = {"rating": "4", "comment": "", "honeypot": "", "issued_at": NOW - after_seconds}
    base.update(kw)
    return base


def test_a_person_who_read_the_page_and_chose_a_rating_is_accepted() -> None:
    verdict = judge(now=NOW, **sent(comment="  Clear, thank you\r\n"))
    assert verdict.outcome == "accept" and verdict.rating == 4 and verdict.comment == "Clear, thank you"


def test_the_hidden_field_filled_in_is_a_robot() -> None:
    assert judge(now=NOW, **sent(honeypot="http://cheap.example")).outcome == "spam"


def test_a_form_sent_a_second_after_it_was_served_is_a_robot() -> None:
    assert judge(now=NOW, **sent(after_seconds=0.8)).outcome == "spam"
    assert judge(now=NOW, **sent(after_seconds=0.8), min_seconds=0.5).outcome == "accept"


def test_a_missing_forged_or_day_old_form_has_expired() -> None:
    assert judge(now=NOW, **{**sent(), "issued_at": None}).outcome == "expired"
    assert judge(now=NOW, **sent(after_seconds=2 * 24 * 3600)).outcome == "expired"


def test_a_comment_full_of_links_is_advertising() -> None:
    spam = "great https://a.example www.b.example http://c.example"
    assert judge(now=NOW, **sent(comment=spam)).outcome == "spam"
    assert judge(now=NOW, **sent(comment="see https://a.example")).outcome == "accept"


@pytest.mark.parametrize("rating", ["", "0", "6", "4.5", "five", "-1"])
def test_a_rating_outside_one_to_five_is_the_persons_mistake_to_correct(rating: str) -> None:
    verdict = judge(now=NOW, **sent(rating=rating))
    assert verdict.outcome == "invalid" and verdict.errors == {"rating": "Choose a rating from 1 to 5"}


def test_a_comment_that_is_too_long_is_sent_back() -> None:
    verdict = judge(now=NOW, **sent(comment="a" * (MAX_COMMENT + 1)))
    assert verdict.outcome == "invalid" and "comment" in verdict.errors


def test_the_summary_for_a_report() -> None:
    summary = summarise([(5, "great"), (4, ""), (4, " "), (1, "useless page"), (3, "")])
    assert summary.count == 5
    assert summary.mean == 3.4
    assert summary.helpful_share == 0.6
    assert summary.comments == 2
    assert summary.distribution == ((1, 1), (2, 0), (3, 1), (4, 2), (5, 1))
    assert summary.rows[3] == (4, 2, 40)


def test_an_empty_summary_has_no_average_rather_than_zero() -> None:
    summary = summarise([])
    assert summary.count == 0 and summary.mean is None and summary.helpful_share is None


def test_a_rating_outside_the_scale_cannot_be_summarised() -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        summarise([(7, "")])
