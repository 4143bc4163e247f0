"""Cheap features read the normalised text but point back at the words a person wrote."""

from __future__ import annotations

import pytest

from civildesk.detectors.normalise import normalise
from civildesk.ml.features import cheap_features, encoder_text
from civildesk.ml.heads import rescale


def grams_of(text: str) -> dict[str, tuple[int, int]]:
    cheap = cheap_features(normalise(text))
    return {k: cheap.span(i) for i, k in reversed(list(enumerate(cheap.keys)))}


def test_disguised_swearing_shares_grams_with_the_plain_word() -> None:
    assert "w:shit" in grams_of("what a load of sh1t")
    assert "c:shi" in grams_of("SHIIIT service")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("you f*cking muppet", "w:fucking"),
        ("shut up you c**t", "w:cunt"),
        ("what a load of sh#t", "w:shit"),
        ("absolute b*stard", "w:bastard"),
        ("my b**k is overdue", "w:bk"),  # starred but hiding nothing we know
    ],
)
def test_starred_swearing_is_read_as_the_word_it_hides(text: str, word: str) -> None:
    assert word in grams_of(text)


def test_gram_spans_index_the_original_text() -> None:
    text = "Honestly the Fück is wrong with you"
    start, end = grams_of(text)["w:fuck"]
    assert text[start:end] == "Fück"


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("@USER you are a joke URL", "w:<url>"),
        ("look at this https://t.co/AbC123 mate", "w:<url>"),
        ("@NHS_Trust_1 please reply", "w:<user>"),
        ("<user> said so", "w:<user>"),
    ],
)
def test_handles_and_links_become_one_placeholder_whatever_the_source(text: str, token: str) -> None:
    keys = grams_of(text)
    assert token in keys
    assert not any(k.startswith("c:") and "t.co" in k for k in keys)


def test_a_retweet_marker_is_not_a_word() -> None:
    assert "w:rt" not in grams_of("RT @someone: lovely day")


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("call 07700 900123 now to claim", "phones"),
        ("email me at jo.bloggs@example.com", "emails"),
        ("you absolute bastard", "lex_swear"),
        ("i just want to unalive myself", "lex_selfharm"),
        ("subscribe to my channel for free giveaways", "lex_sell"),
    ],
)
def test_dense_features_remember_where_they_fired(text: str, feature: str) -> None:
    cheap = cheap_features(normalise(text))
    assert cheap.dense_spans.get(feature), cheap.dense_spans


def test_a_plain_thank_you_trips_no_lexicon() -> None:
    spans = cheap_features(normalise("Thank you to the team at Springfield, lovely people")).dense_spans
    assert not any(k in spans for k in ("lex_swear", "lex_slur", "lex_threat", "phones", "urls"))


def test_the_encoder_reads_handles_and_links_the_same_way_for_every_dataset() -> None:
    assert encoder_text("RT @bob_1: look URL") == "@user: look http"
    assert encoder_text("@USER see https://x.co/abc") == "@user see http"


@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.5, 0.8])
def test_rescaled_score_crosses_one_half_exactly_at_the_threshold(threshold: float) -> None:
    assert rescale(threshold, threshold) == pytest.approx(0.5)
    assert rescale(threshold - 1e-4, threshold) < 0.5
    assert rescale(threshold + 1e-4, threshold) > 0.5
    assert rescale(0.0, threshold) == 0.0
    assert rescale(1.0, threshold) == pytest.approx(1.0)
    values = [rescale(p / 100, threshold) for p in range(101)]
    assert values == sorted(values)
