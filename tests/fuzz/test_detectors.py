"""Issue 8: the rule detectors classify any text without crashing, and stay inside the contract.

The engine clamps evidence spans to the text (``engine._evidence``), which would hide a detector
pointing past the end or at the wrong place; so the raw findings are checked too.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civildesk.detectors.base import LABELS, SIGNALS, MessageInput, prepare
from civildesk.policy.engine import Engine
from tests.fuzz.strategies import TEXT, TRICKY

ENGINE = Engine.default(use_model=False)
REMOVALS = {"required", "forbidden", "none"}
PRIORITIES = {"P1", "P2", "P3", "P4", "P5"}
# Words the detectors look for, so fuzzed text reaches their matching code, not just "no match".
TRIGGERS = st.sampled_from(
    [
        "kill myself",
        "idiot",
        "f*ck",
        "https://bit.ly/x",
        "www.example.com",
        "NHS number 943 476 5919",
        "07700 900123",
        "buy now",
        "Dr Smith",
        "nurse",
        "complaint",
        "thank you",
        "?",
        "@swlstg",
        "ｋｉｌｌ",
        "k\u200bi\u200bl\u200bl",
    ]
)
MIXED = st.lists(st.one_of(TRIGGERS, TRICKY, st.text(max_size=8), st.just(" ")), max_size=30).map("".join)
LONG = st.tuples(MIXED, st.integers(min_value=50, max_value=400)).map(lambda pair: (pair[0] + " ") * pair[1])
TEXTS = st.one_of(TEXT, MIXED, LONG.map(lambda t: t[:10_000]), st.just("x" * 10_000), st.just("\x00" * 50))
KINDS = st.sampled_from([None, "mention", "reply", "comment", "dm"])
PLATFORMS = st.sampled_from([None, "x", "facebook", "instagram", "linkedin"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, kind=KINDS, platform=PLATFORMS)
def test_any_text_gets_a_decision_inside_the_contract(
    text: str, kind: str | None, platform: str | None
) -> None:
    decision = ENGINE.classify(MessageInput(text=text, kind=kind, platform=platform))

    assert set(decision.labels) <= set(LABELS)
    assert decision.priority in PRIORITIES
    assert decision.removal in REMOVALS
    assert set(decision.scores) <= set(LABELS)
    assert all(0.0 <= score <= 1.0 for score in decision.scores.values())
    for evidence in (*decision.evidence, *decision.explanations):
        assert evidence.label in LABELS
        assert 0 <= evidence.start <= evidence.end <= len(text)
        assert evidence.text == text[evidence.start : evidence.end][:200]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_every_detector_points_inside_the_text(text: str) -> None:
    for finding in ENGINE.findings(prepare(MessageInput(text=text))):
        assert finding.label in LABELS or finding.label in SIGNALS, finding
        assert 0 <= finding.start <= finding.end <= len(text), (finding, len(text))
        assert 0.0 <= finding.score <= 1.0, finding
