"""The policy file: the shipped one is valid, and a broken one is refused with key and line."""

from __future__ import annotations

import pytest

from civildesk.detectors.base import LABELS
from civildesk.policy.schema import PolicyError, default_policy_text, load_policy, parse_policy

SHIPPED = default_policy_text()


def broken(old: str, new: str) -> str:
    assert old in SHIPPED, f"test fixture drifted: {old!r} not in policy.yaml"
    return SHIPPED.replace(old, new, 1)


def line_of(fragment: str, text: str) -> int:
    return text[: text.rindex(fragment)].count("\n") + 1


def test_the_shipped_policy_loads_with_every_contract_label() -> None:
    policy = load_policy()
    assert set(policy.labels) == set(LABELS)
    assert policy.contacts["crisis_line"] == "0800 028 8000"
    assert policy.contacts["appeals_email"] == "communications@swlstg.nhs.uk"
    assert policy.hours.start == "09:00" and policy.hours.end == "17:00"
    assert policy.hours.days == (0, 1, 2, 3, 4)
    assert policy.hours.timezone == "Europe/London"
    assert policy.response_target == "same_working_day"


def test_only_breach_labels_may_remove_and_criticism_is_protected() -> None:
    policy = load_policy()
    assert policy.labels["criticism"].protected
    assert not policy.labels["criticism"].breach
    for rule in policy.labels.values():
        if {"hide", "delete"} & set(rule.actions):
            assert rule.breach, rule.label


def test_version_is_stable_and_changes_with_the_file() -> None:
    a = parse_policy(SHIPPED).version
    assert a == parse_policy(SHIPPED).version
    assert a.startswith("2026.11+")
    b = parse_policy(SHIPPED.replace("0800 028 8000", "0800 000 0000")).version
    assert a != b


def test_templates_render_with_contacts() -> None:
    policy = load_policy()
    reply = policy.render("crisis_reply", author="@sam")
    assert "0800 028 8000" in reply and "@sam" in reply
    notice = policy.render("notice_removed", author="@sam", action="hidden", clause="c", reference="R-1")
    assert "communications@swlstg.nhs.uk" in notice and "R-1" in notice


def test_an_unknown_placeholder_stays_visible_instead_of_failing() -> None:
    policy = parse_policy(broken('thanks: "Thank you {author}', 'thanks: "Thank you {authr}'))
    assert "{authr}" in policy.render("thanks", author="@x")


@pytest.mark.parametrize(
    ("old", "new", "key", "anchor"),
    [
        (
            "priority: P3\n    actions: [hide, report_platform",
            "priority: P9\n    actions: [hide, report_platform",
            "labels.hate.priority",
            "priority: P9",
        ),
        (
            "actions: [hide, notify_author]\n  violence",
            "actions: [hid, notify_author]\n  violence",
            "labels.profanity.actions[0]",
            "actions: [hid,",
        ),
        ("clause: hateful", "clause: hatefull", "labels.hate.clause", "clause: hatefull"),
        ('start: "09:00"', 'start: "9am"', "hours.start", 'start: "9am"'),
        ('end: "17:00"', 'end: "08:00"', "hours.end", 'end: "08:00"'),
        (
            "days: [mon, tue, wed, thu, fri]",
            "days: [mon, tue, wed, thu, fri, funday]",
            "hours.days[5]",
            "days: [mon",
        ),
        (
            "  praise:\n    breach: false\n    clause: feedback\n    priority: P5\n    actions: []",
            "  praise:\n    breach: false\n    clause: feedback\n    priority: P5\n    actions: [hide]",
            "labels.praise.actions",
            "actions: [hide]\n\n# A genuine",
        ),
        ("    never_auto_hide: true", "    never_auto_hide: maybe", "labels.crisis.never_auto_hide", "maybe"),
        ("response_target: same_working_day", "response_target: whenever", "response_target", "whenever"),
        (
            "  - label: crisis\n    actions: [reply, alert_oncall]",
            "  - label: crisis\n    actions: [hide]",
            "auto_apply[1].actions",
            "actions: [hide]",
        ),
    ],
)
def test_a_broken_policy_names_the_key_and_the_line(old: str, new: str, key: str, anchor: str) -> None:
    text = broken(old, new)
    with pytest.raises(PolicyError) as info:
        parse_policy(text)
    message = str(info.value)
    assert key in message
    assert f"line {line_of(anchor, text)}" in message


def test_a_missing_label_is_refused() -> None:
    text = broken("  praise:\n    breach: false", "  praised:\n    breach: false")
    with pytest.raises(PolicyError, match="missing the label 'praise'"):
        parse_policy(text)


def test_unknown_top_level_key_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"colour \(line 1\): unknown key"):
        parse_policy("colour: blue\n" + SHIPPED)


def test_invalid_yaml_and_empty_files_are_clear_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PolicyError, match="not valid YAML"):
        parse_policy("labels: [unclosed\n")
    with pytest.raises(PolicyError, match="empty"):
        parse_policy("")
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")


def test_another_organisation_can_adopt_it_by_editing_the_file() -> None:
    text = (
        SHIPPED.replace("0800 028 8000", "0800 999 1234")
        .replace("communications@swlstg.nhs.uk", "comms@example-trust.nhs.uk")
        .replace('start: "09:00"', 'start: "08:30"')
    )
    policy = parse_policy(text)
    assert policy.contacts["crisis_line"] == "0800 999 1234"
    assert policy.hours.start == "08:30"
    assert "comms@example-trust.nhs.uk" in policy.render(
        "notice_removed", author="a", action="b", clause="c", reference="d"
    )
