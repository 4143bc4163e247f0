"""The learned detector raises contract labels with evidence a moderator can read."""

from __future__ import annotations

import re

import pytest

from civildesk.detectors.base import Finding, MessageInput, prepare
from civildesk.detectors.learned import LearnedDetector
from civildesk.ml.heads import rescale

BREACHES = {"hate", "profanity", "violence", "abuse", "mean_spirited", "advertising", "personal_information"}


@pytest.fixture(scope="module")
def detector() -> LearnedDetector:
    d = LearnedDetector()
    d.load()
    return d


def labels(detector: LearnedDetector, text: str) -> dict[str, Finding]:
    return {f.label: f for f in detector.detect(prepare(MessageInput(text))) if f.score >= 0.5}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("you are a f*cking disgrace, get stuffed", {"profanity"}),
        ("shut up you thick c*nt nobody asked you", {"profanity", "abuse"}),
        ("you're pathetic and everyone at that clinic hates you", {"abuse"}),
        ("send them all back where they came from, filthy invaders", {"hate"}),
        ("Check out my channel and subscribe!! http://bit.ly/abc", {"advertising"}),
        ("WIN a FREE iPhone 17!! txt WIN to 80085 now, T&Cs apply", {"advertising"}),
        ("I can't do this anymore. I've got the pills lined up and I'm saying goodbye", {"crisis"}),
        ("nobody would even notice if i was gone tbh. i'm done", {"crisis"}),
        ("the waiting list is a disgrace, nine months and still no call back", {"criticism"}),
    ],
)
def test_messages_that_break_no_word_list_still_get_their_label(
    detector: LearnedDetector, text: str, expected: set[str]
) -> None:
    assert expected <= set(labels(detector, text)), labels(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "Thank you to the lovely staff on Ward 2, you were brilliant with my mum",
        "What time does the Springfield pharmacy open on Saturdays?",
        "Great to see the new garden at the Wellbeing Hub, well done all",
        "Is the fun run still going ahead this Sunday?",
        "My son has his first appointment next week, any tips on what to bring?",
        "Loved the mental health awareness talk today, really informative",
    ],
)
def test_everyday_friendly_messages_raise_no_breach(detector: LearnedDetector, text: str) -> None:
    assert not (set(labels(detector, text)) & BREACHES), labels(detector, text)


@pytest.mark.parametrize(
    ("text", "label", "evidence"),
    [
        ("honestly you lot are fucking useless", "profanity", r"fucking"),
        (
            "Subscribe to my channel for free giveaways!!",
            "advertising",
            r"(?i)subscribe|channel|free|giveaways",
        ),
    ],
)
def test_the_span_points_at_the_words_that_triggered_the_label(
    detector: LearnedDetector, text: str, label: str, evidence: str
) -> None:
    found = labels(detector, text)[label]
    assert 0 <= found.start < found.end <= len(text)
    assert re.search(evidence, text[found.start : found.end]), text[found.start : found.end]


def test_findings_follow_the_score_contract(detector: LearnedDetector) -> None:
    text = "you're a useless prat and your service is shit"
    prepared = prepare(MessageInput(text))
    (probs,) = detector.probabilities([prepared])
    findings = detector.detect(prepared)
    assert findings
    heads = detector.heads
    for f in findings:
        assert f.detector == "model" and f.kind == "learned"
        head = next(
            n
            for n, c in zip(heads.names, heads.contracts, strict=True)
            if c == f.label or (n == "offensive" and f.label in {"profanity", "mean_spirited"})
        )
        t = float(heads.thresholds[heads.names.index(head)])
        assert f.score == pytest.approx(rescale(probs[head], t), abs=1e-3)
        assert f.score >= 0.5
        assert re.fullmatch(r"model p=\d\.\d\d \(threshold \d\.\d\d\)", f.note)


def test_a_batch_gives_the_same_answers_as_one_by_one(detector: LearnedDetector) -> None:
    # The encoder quantises activations per batch, so a vector moves a little (cosine ~0.99) with
    # its neighbours: probabilities may differ by a few hundredths, clear-cut labels may not.
    texts = [
        "short one",
        "I have had enough of living, I just want it to stop, goodbye everyone",
        "a much longer message about parking at the hospital " * 12 + " and you are a fucking twat",
        "",
        "Great service, thank you!",
    ]
    prepared = [prepare(MessageInput(t)) for t in texts]
    together = detector.probabilities(prepared)
    alone = [detector.probabilities([p])[0] for p in prepared]
    for a, b in zip(together, alone, strict=True):
        assert a == pytest.approx(b, abs=0.1)
    batch = detector.detect_batch(prepared)
    assert {"crisis"} <= {f.label for f in batch[1]}
    assert {"profanity"} <= {f.label for f in batch[2]}
    assert batch[3] == []
    assert detector.detect_batch(prepared) == batch  # the same batch gives the same answer


def test_constructing_the_detector_loads_nothing() -> None:
    d = LearnedDetector()
    assert d._heads is None and d._encoder is None
