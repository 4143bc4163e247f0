"""How the engine weighs the learned heads against the rules' reading of a post, with scripted
rules and a scripted model so each part of the merge rule is tested on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from civildesk.detectors.base import Finding, MessageInput, Prepared
from civildesk.detectors.learned import LearnedDetector
from civildesk.policy.decision import Decision
from civildesk.policy.engine import MODEL_ALONE_SCORE, MODEL_DETECTOR, MODEL_OVERRIDE_SCORE, Engine
from civildesk.policy.schema import load_policy

TEXT = "the board signing off this budget with a straight face is a joke"


@dataclass
class Scripted:
    findings: list[Finding]
    name: str = "scripted"

    def detect(self, prepared: Prepared) -> list[Finding]:
        return list(self.findings)

    def detect_batch(self, prepared: Sequence[Prepared]) -> list[list[Finding]]:
        return [list(self.findings) for _ in prepared]


def rule(label: str, score: float = 0.9, kind: str = "") -> Finding:
    return Finding(label=label, score=score, start=0, end=9, detector="lexicon", kind=kind)


def model(label: str, score: float = 0.6) -> Finding:
    return Finding(
        label=label,
        score=score,
        start=47,
        end=53,
        detector=MODEL_DETECTOR,
        kind="learned",
        note="model p=0.4",
    )


def classify(rules: list[Finding], learned: list[Finding], kind: str = "comment") -> Decision:
    engine = Engine(load_policy(), [Scripted(rules)], learned=Scripted(learned, name=MODEL_DETECTOR))
    return engine.classify(MessageInput(text=TEXT, kind=kind, id="m1"))


def proposals(d: Decision) -> dict[str, str]:
    return {e.label: e.note for e in d.explanations if e.kind == "proposal"}


def test_the_engine_recognises_the_shipped_model_by_its_name() -> None:
    assert LearnedDetector.name == MODEL_DETECTOR


def test_the_model_alone_labels_a_post_the_rules_said_nothing_about() -> None:
    d = classify([], [model("abuse")])
    assert d.labels == ("abuse",)
    assert d.removal == "required"
    assert [e.detector for e in d.evidence] == [MODEL_DETECTOR]


def test_criticism_the_rules_found_is_never_removed_on_the_models_word() -> None:
    # A moderator sees a grumble about the board: the model thinks it abusive, even very sure.
    d = classify([rule("criticism")], [model("abuse", 0.99), model("mean_spirited", 0.95)])
    assert d.labels == ("criticism",)
    assert d.removal == "forbidden"
    assert not {"hide", "delete", "notify_author"} & set(d.actions)
    held = proposals(d)
    assert set(held) == {"abuse", "mean_spirited"}
    assert "rules read criticism with no breach" in held["abuse"]
    assert "model p=0.4" in held["abuse"]  # the model's own reason travels with the proposal


def test_a_complaint_and_a_person_in_crisis_are_protected_the_same_way() -> None:
    complaint = classify([rule("complaint")], [model("mean_spirited", 0.9)])
    assert complaint.labels == ("complaint",) and complaint.removal == "none"
    assert "mean_spirited" in proposals(complaint)
    crisis = classify([rule("crisis", kind="passive")], [model("abuse", 0.9)])
    assert crisis.labels == ("crisis",) and crisis.removal == "none"
    assert crisis.priority == "P1" and "crisis_line" in crisis.signposts


def test_when_the_rules_find_a_breach_the_model_only_corroborates_or_clears_the_bar() -> None:
    agree = classify([rule("profanity")], [model("profanity", 0.55)])
    assert agree.labels == ("profanity",)
    assert {e.detector for e in agree.evidence} == {"lexicon", MODEL_DETECTOR}

    weak = classify([rule("profanity")], [model("abuse", MODEL_OVERRIDE_SCORE - 0.05)])
    assert weak.labels == ("profanity",)
    assert "below" in proposals(weak)["abuse"]

    sure = classify([rule("profanity")], [model("abuse", MODEL_OVERRIDE_SCORE + 0.05)])
    assert sure.labels == ("profanity", "abuse")
    abuse = next(e for e in sure.evidence if e.label == "abuse")
    assert "over the rules' reading" in abuse.note


def test_a_milder_offence_than_the_rules_found_is_a_restatement_not_a_second_breach() -> None:
    # The rules found hate; the heads also call it abusive and mean-spirited, as they overlap.
    d = classify([rule("hate")], [model("abuse", 0.95), model("mean_spirited", 0.95)])
    assert d.labels == ("hate",)
    assert proposals(d) == {}
    # Swearing the rules found, and a confident model reading a slur in it too: that is graver.
    graver = classify([rule("profanity")], [model("hate", 0.9)])
    assert set(graver.labels) == {"profanity", "hate"}
    assert "report_platform" in graver.actions


def test_praise_with_a_sales_pitch_needs_a_confident_model() -> None:
    pitch = classify([rule("praise")], [model("advertising", 0.85)])
    assert pitch.labels == ("advertising", "praise")
    assert pitch.removal == "required"
    unsure = classify([rule("praise")], [model("advertising", 0.6)])
    assert unsure.labels == ("praise",)
    assert "advertising" in proposals(unsure)


def test_the_models_sentiment_only_fills_silence() -> None:
    assert classify([], [model("criticism")]).labels == ("criticism",)
    # The rules read a clinical question: a negative tone does not make it criticism too.
    d = classify([rule("clinical_question")], [model("criticism", 0.9)])
    assert d.labels == ("clinical_question",)
    assert proposals(d) == {}


def test_the_model_may_raise_crisis_but_never_lower_it() -> None:
    raised = classify([], [model("crisis", 0.52)])
    assert raised.labels == ("crisis",) and raised.priority == "P1"
    beside_swearing = classify([rule("profanity")], [model("crisis", 0.52)])
    assert "crisis" in beside_swearing.labels
    assert "hide" not in beside_swearing.auto_actions
    # Over a different reading the model must be sure, and otherwise a person is asked to look.
    over_praise = classify([rule("praise")], [model("crisis", 0.6)])
    assert over_praise.labels == ("praise",)
    assert "crisis" in proposals(over_praise)
    # Nothing the model says (or fails to say) takes away a crisis the rules found.
    kept = classify([rule("crisis", kind="imminent")], [model("criticism", 0.99), model("praise", 0.99)])
    assert kept.labels == ("crisis",)
    assert "emergency" in kept.signposts


def test_a_model_finding_below_its_threshold_changes_nothing() -> None:
    d = classify([rule("criticism")], [model("abuse", 0.4)])
    assert d.labels == ("criticism",)
    assert proposals(d) == {}


def test_batches_merge_the_same_way_as_single_messages() -> None:
    engine = Engine(
        load_policy(),
        [Scripted([rule("criticism")])],
        learned=Scripted([model("abuse", 0.99)], name=MODEL_DETECTOR),
    )
    batch = engine.classify_batch([MessageInput(text=TEXT, id="a"), MessageInput(text=TEXT, id="b")])
    single = engine.classify(MessageInput(text=TEXT, id="a"))
    assert [d.removal for d in batch] == ["forbidden", "forbidden"]
    assert batch[0].to_dict() == single.to_dict()


def explained(kind: str, start: int, end: int) -> Finding:
    return Finding(
        label="crisis", score=0.0, start=start, end=end, detector="crisis", kind=kind, note="figure of speech"
    )


def test_the_model_does_not_remove_words_the_rules_read_and_cleared() -> None:
    # The moderator's case: "this queue is killing me lol". The crisis rules read the words as an
    # idiom; the heads (trained on tweets) call the same word abusive. The post stays up.
    d = classify([explained("idiom", 40, 60)], [model("abuse", 0.95)])  # model evidence 47..53
    assert d.labels == ()
    assert d.removal == "none"
    held = proposals(d)
    assert "as idiom (figure of speech)" in held["abuse"]


def test_the_model_still_applies_where_its_words_are_not_the_cleared_ones() -> None:
    elsewhere = classify([explained("idiom", 0, 20)], [model("abuse", 0.95)])
    assert elsewhere.labels == ("abuse",)
    # and crisis is never held back by an explanation: the model may raise crisis
    crisis = classify([explained("idiom", 40, 60)], [model("crisis", 0.9)])
    assert crisis.labels == ("crisis",) and crisis.priority == "P1"


def test_a_borderline_model_guess_never_hides_a_post_automatically() -> None:
    # Personal information is hidden with no person in the loop. A comment sharing the crisis
    # line's number read as personal information by the heads alone, just over their threshold:
    unsure = classify([], [model("personal_information", 0.55)])
    assert unsure.labels == () and unsure.auto_actions == ()
    assert "hides personal_information automatically" in proposals(unsure)["personal_information"]
    # the same reading made with confidence applies (and the policy hides it)
    sure = classify([], [model("personal_information", MODEL_OVERRIDE_SCORE + 0.05)])
    assert sure.labels == ("personal_information",)
    assert "hide" in sure.auto_actions


def test_an_ordinary_link_is_not_words_the_rules_cleared() -> None:
    # The links detector notes "ordinary link" on every link it has no category for; that says
    # nothing about whether posting it is spam, so the model's advertising reading stands.
    link = Finding(label="inappropriate_link", score=0.0, start=40, end=60, detector="links", kind="link")
    d = classify([link], [model("advertising", 0.6)])
    assert d.labels == ("advertising",)


def test_a_link_to_a_trusted_site_clears_the_models_advertising_reading_of_it() -> None:
    # "Read the full CQC report here: https://www.cqc.org.uk/...": the regulator's own page.
    trusted = Finding(
        label="inappropriate_link", score=0.0, start=40, end=60, detector="links", kind="trusted_link"
    )
    d = classify([trusted], [model("advertising", 0.9)])  # model evidence 47..53, inside the link
    assert d.labels == ()
    assert "trusted_link" in proposals(d)["advertising"]


def test_personal_details_in_a_private_message_are_never_a_breach_on_the_models_word() -> None:
    # "my address is 22 Acacia Avenue KT1 2AB, please send the letter there instead", by DM: the
    # rules saw nothing to flag; the heads, trained on public text, are sure it is personal.
    sure = model("personal_information", 0.99)
    d = classify([], [sure], kind="dm")
    assert d.labels == ()
    assert d.removal == "none"
    assert "private message" in proposals(d)["personal_information"]
    # beside another reading of the rules too ("... I need to change my appointment please")
    d = classify([rule("individual_care")], [sure], kind="dm")
    assert d.labels == ("individual_care",)
    # in public the same guess still hides the post
    assert classify([], [sure]).labels == ("personal_information",)


def test_details_the_rules_saw_shared_privately_are_not_hidden_on_the_models_word() -> None:
    # A DM giving a relative's phone number: the rules note it for the case handler (the policy
    # asks for details by DM); the heads, trained on public text, call it personal information.
    phone = Finding(
        label="personal_information", score=0.0, start=45, end=60, detector="pii", kind="phone_private"
    )
    d = classify([phone], [model("personal_information", 0.99)], kind="dm")
    assert "personal_information" not in d.labels
    assert d.removal != "required"


def test_praise_the_rules_read_as_sarcasm_is_not_silence_for_the_model_to_fill() -> None:
    sarcasm = Finding(label="praise", score=0.0, start=0, end=5, detector="intents", kind="sarcasm")
    d = classify([sarcasm], [model("praise", 0.8)])
    assert "praise" not in d.labels
    # with nothing read at all, the model's praise fills the silence as before
    assert classify([], [model("praise", 0.8)]).labels == ("praise",)


def test_a_breach_on_the_models_word_alone_needs_a_margin_over_its_threshold() -> None:
    # "ok", read as mean-spirited just over the head's threshold (0.5 on this scale)
    just_over = classify([], [model("mean_spirited", MODEL_ALONE_SCORE - 0.02)])
    assert just_over.labels == () and just_over.removal == "none"
    assert "breach needs score" in proposals(just_over)["mean_spirited"]
    assert classify([], [model("mean_spirited", MODEL_ALONE_SCORE + 0.02)]).labels == ("mean_spirited",)
    # non-breach readings fill silence at the threshold itself, and crisis is never held back
    assert classify([], [model("praise", 0.51)]).labels == ("praise",)
    assert classify([], [model("crisis", 0.51)]).labels == ("crisis",)


def test_a_negative_tone_the_rules_read_and_cleared_is_not_criticism() -> None:
    # "the bit where the ref gives the penalty, i wanted to die 😭": the crisis rules read the
    # words as an idiom; the sentiment head hears negativity. Nothing about the service.
    for kind in ("idiom", "negated", "topic", "recovery"):
        d = classify([explained(kind, 0, 20)], [model("criticism", 0.9)])
        assert d.labels == (), kind
    # a link is not a reading that clears anything, and silence is still the model's to fill
    assert classify([explained("link", 0, 20)], [model("criticism", 0.9)]).labels == ("criticism",)
    assert classify([], [model("criticism", 0.9)]).labels == ("criticism",)
