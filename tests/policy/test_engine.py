"""The engine's hard rules, with scripted detectors so each rule is tested on its own."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from civildesk.detectors.base import Finding, MessageInput, Prepared
from civildesk.policy.engine import Context, Engine
from civildesk.policy.schema import default_policy_text, load_policy, parse_policy


@dataclass
class Scripted:
    """A test double: returns the findings it was given, whatever the text."""

    findings: list[Finding]
    name: str = "scripted"

    def detect(self, prepared: Prepared) -> list[Finding]:
        return list(self.findings)


def f(label: str, score: float = 0.9, start: int = 0, end: int = 4, kind: str = "") -> Finding:
    return Finding(label=label, score=score, start=start, end=end, detector="scripted", kind=kind)


def decide(*findings: Finding, kind: str = "comment", text: str = "some text here", strikes: int = 0):  # type: ignore[no-untyped-def]
    engine = Engine(load_policy(), [Scripted(list(findings))])
    return engine.classify(MessageInput(text=text, kind=kind, id="m1"), Context(prior_strikes=strikes))


def test_nothing_found_is_p5_with_nothing_to_do() -> None:
    d = decide()
    assert d.labels == () and d.priority == "P5" and d.actions == () and d.removal == "none"


@pytest.mark.parametrize("kind", ["comment", "dm", "mention"])
def test_the_shortcut_for_no_findings_gives_the_full_rules_answer(kind: str) -> None:
    # A finding for no known label runs the whole decision and applies nothing: the answer must
    # be the one the no-findings shortcut gives.
    nothing = decide(kind=kind, strikes=9).to_dict()
    full = decide(f("not_a_label"), kind=kind, strikes=9).to_dict()
    assert nothing == full


def test_criticism_alone_is_protected_from_removal() -> None:
    d = decide(f("criticism"))
    assert d.labels == ("criticism",)
    assert d.removal == "forbidden"
    assert not {"hide", "delete", "notify_author"} & set(d.actions)


def test_a_breach_turns_a_grievance_into_a_removable_post() -> None:
    d = decide(f("criticism"), f("profanity"))
    assert d.labels == ("profanity",)
    assert d.removal == "required"
    assert d.actions == ("hide", "notify_author")
    assert d.priority == "P3"


def test_crisis_in_public_is_p1_replied_to_and_alerted() -> None:
    d = decide(f("crisis", kind="passive"))
    assert d.priority == "P1"
    assert d.actions == ("reply_public", "alert_oncall")
    assert d.signposts == ("crisis_line",)
    assert d.removal == "none"


def test_crisis_in_a_dm_is_answered_privately() -> None:
    d = decide(f("crisis", kind="self_harm"), kind="dm")
    assert d.actions == ("reply_private", "alert_oncall")


def test_immediate_danger_adds_the_emergency_signpost() -> None:
    d = decide(f("crisis", kind="imminent"))
    assert d.signposts == ("crisis_line", "emergency")


def test_crisis_with_swearing_is_answered_before_it_is_hidden_and_never_auto_hidden() -> None:
    d = decide(f("crisis"), f("profanity"))
    assert d.actions.index("reply_public") < d.actions.index("hide")
    assert d.removal == "required"
    assert "hide" not in d.auto_actions
    assert d.priority == "P1"


def test_crisis_with_criticism_is_never_removed() -> None:
    d = decide(f("crisis"), f("criticism"))
    assert set(d.labels) == {"crisis", "criticism"}
    assert d.removal == "forbidden"


def test_exposed_personal_information_is_p2_and_hidden_at_once() -> None:
    d = decide(f("personal_information", kind="nhs_number"), f("individual_care"))
    assert d.priority == "P2"
    assert "hide" in d.auto_actions
    assert d.signposts == ("private_message", "pals")


def test_in_a_dm_nobody_is_asked_to_send_a_private_message() -> None:
    d = decide(f("individual_care"), kind="dm")
    assert d.signposts == ("pals",)
    assert d.actions == ("reply_private",)


def test_a_genuine_question_raises_an_unlabelled_post_to_p4() -> None:
    assert decide(f("question")).priority == "P4"
    assert decide(f("question"), f("crisis")).priority == "P1"
    assert decide(f("question", score=0.3)).priority == "P5"


def test_explanations_never_raise_a_label() -> None:
    d = decide(f("crisis", score=0.0, kind="idiom"), f("hate", score=0.0, kind="quoted_slur"))
    assert d.labels == ()
    assert [e.kind for e in d.explanations] == ["idiom", "quoted_slur"]


def test_a_repeat_offender_gets_a_block_proposal() -> None:
    assert "block" not in decide(f("abuse")).actions
    assert "block" in decide(f("abuse"), strikes=2).actions


def test_delete_supersedes_hide() -> None:
    d = decide(f("advertising"), f("profanity"))
    assert "delete" in d.actions and "hide" not in d.actions


def test_violence_escalates_to_police_and_defamation_to_legal() -> None:
    assert "escalate_police" in decide(f("violence")).actions
    assert decide(f("violence")).priority == "P2"
    assert "escalate_legal" in decide(f("defamation")).actions


def test_evidence_carries_the_span_and_its_text_and_clauses_are_quoted() -> None:
    d = decide(f("profanity", start=5, end=9), text="what shit service")
    (e,) = d.evidence
    assert (e.start, e.end, e.text, e.detector) == (5, 9, "shit", "scripted")
    assert any("swearing" in c for c in d.clauses)
    out = d.to_dict()
    assert out["evidence"][0] == {
        "label": "profanity",
        "start": 5,
        "end": 9,
        "detector": "scripted",
        "text": "shit",
    }
    assert out["policy_version"] == load_policy().version


def test_out_of_range_spans_are_clamped_not_crashing() -> None:
    d = decide(f("profanity", start=-3, end=999), text="short")
    assert (d.evidence[0].start, d.evidence[0].end) == (0, 5)


def test_a_label_threshold_from_the_policy_file_is_honoured() -> None:
    text = default_policy_text().replace(
        "    clause: profane\n    priority: P3\n    actions: [hide, notify_author]",
        "    clause: profane\n    priority: P3\n    threshold: 0.8\n    actions: [hide, notify_author]",
        1,
    )
    engine = Engine(parse_policy(text), [Scripted([f("profanity", score=0.7)])])
    assert engine.classify(MessageInput(text="x")).labels == ()


@pytest.mark.parametrize(
    "label", ["criticism", "praise", "complaint", "clinical_question", "individual_care", "crisis"]
)
def test_no_non_breach_label_ever_removes(label: str) -> None:
    d = decide(f(label))
    assert not {"hide", "delete"} & set(d.actions)
