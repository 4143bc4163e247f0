"""Checks civildesk's own labelled cases (tests/cases/*.jsonl) against the labelling conventions.

Every case must be well formed, and its ``removal``, ``priority`` and ``signposts`` must follow
from its ``labels`` by the rules written down in tests/cases/README.md, so a mislabelled case
fails here. Standard library and pytest only.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

CASES_DIR = Path(__file__).resolve().parent
REPO_ROOT = CASES_DIR.parents[1]
POLICY_EXAMPLES = REPO_ROOT.parent / "shared" / "policy_examples.jsonl"
README = CASES_DIR / "README.md"

# file name -> id prefix ("c-<prefix>-NNN")
FILES = {
    "crisis.jsonl": "crisis",
    "crisis_second.jsonl": "crisisb",
    "abuse_hate.jsonl": "abuse",
    "pii_links_ads.jsonl": "pii",
    "service.jsonl": "service",
    "staff.jsonl": "staff",
}
MIN_TOTAL = 360

KEYS = ("id", "platform", "kind", "text", "labels", "removal", "priority", "signposts", "note")
PLATFORMS = {"x", "facebook", "instagram", "linkedin"}
KINDS = {"mention", "reply", "comment", "dm"}
BREACH = {
    "hate",
    "profanity",
    "violence",
    "defamation",
    "abuse",
    "targets_staff",
    "inappropriate_link",
    "illegal_activity",
    "personal_information",
    "advertising",
    "mean_spirited",
}
SERVICE = {"complaint", "individual_care", "clinical_question"}
OTHER = {"crisis", "criticism", "praise"}
LABELS = BREACH | SERVICE | OTHER
SIGNPOSTS = {"crisis_line", "emergency", "private_message", "pals", "complaints", "clinical_services"}
ID_RE = re.compile(r"^c-(?P<prefix>[a-z]+)-(?P<num>\d{3})$")
QUESTION_NOTE_RE = re.compile(r"\b(question|request|asks?|enquiry)\b", re.IGNORECASE)
NHS_NUMBER_RE = re.compile(r"(?<!\d)(?<!\d )(\d{3}) ?(\d{3}) ?(\d{4})(?! ?\d)")


def nhs_number_is_valid(digits: str) -> bool:
    """Modulus 11 check: weights 10..2 on the first nine digits; 11 -> 0, 10 -> invalid."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def expected_removal(labels: set[str]) -> str:
    if labels & BREACH:
        return "required"
    if "criticism" in labels:
        return "forbidden"
    return "none"


def allowed_priorities(labels: set[str]) -> set[str]:
    if "crisis" in labels:
        return {"P1"}
    if labels & {"violence", "personal_information"}:
        return {"P2"}
    if labels & BREACH:
        return {"P3"}
    if labels & SERVICE:
        return {"P4"}
    # No label asks for a reply: P4 only for a genuine question or request to the Trust.
    return {"P4", "P5"}


def signpost_bounds(labels: set[str], kind: str) -> tuple[set[str], set[str]]:
    """(signposts that must be present, signposts that may be present)."""
    need: set[str] = set()
    if "crisis" in labels:
        need.add("crisis_line")
    if "personal_information" in labels:
        need.add("private_message")
    if "individual_care" in labels:
        need.add("pals")
        if kind != "dm":  # already private: PALS only
            need.add("private_message")
    if labels & {"complaint", "targets_staff"}:
        need.add("complaints")
    if "clinical_question" in labels:
        need.add("clinical_services")
    may = need | ({"emergency"} if "crisis" in labels else set())
    return need, may


def check_case(case: Any, prefix: str | None = None) -> list[str]:
    """Every way ``case`` breaks the conventions (empty list: the case is consistent)."""
    if not isinstance(case, dict):
        return ["not a JSON object"]
    errors: list[str] = []
    if tuple(case) != KEYS:
        errors.append(f"keys must be exactly {list(KEYS)} in that order, got {list(case)}")
        if set(KEYS) - set(case):
            return errors
    m = ID_RE.match(str(case["id"]))
    if not m:
        errors.append(f"id {case['id']!r} is not c-<prefix>-NNN")
    elif prefix is not None and m["prefix"] != prefix:
        errors.append(f"id {case['id']!r} should start c-{prefix}-")
    if case["platform"] not in PLATFORMS:
        errors.append(f"platform {case['platform']!r} not in {sorted(PLATFORMS)}")
    if case["kind"] not in KINDS:
        errors.append(f"kind {case['kind']!r} not in {sorted(KINDS)}")
    for key in ("text", "note"):
        if not isinstance(case[key], str) or not case[key].strip():
            errors.append(f"{key} must be a non-empty string")
    labels_list, signposts_list = case["labels"], case["signposts"]
    if not isinstance(labels_list, list) or not isinstance(signposts_list, list):
        return [*errors, "labels and signposts must be lists"]
    labels, signposts = set(labels_list), set(signposts_list)
    if len(labels) != len(labels_list):
        errors.append("duplicate labels")
    if len(signposts) != len(signposts_list):
        errors.append("duplicate signposts")
    if unknown := labels - LABELS:
        errors.append(f"unknown labels {sorted(unknown)}")
    if unknown := signposts - SIGNPOSTS:
        errors.append(f"unknown signposts {sorted(unknown)}")

    if case["removal"] != (want := expected_removal(labels)):
        errors.append(f"removal {case['removal']!r} but labels {sorted(labels)} give {want!r}")
    allowed = allowed_priorities(labels)
    if case["priority"] not in allowed:
        errors.append(f"priority {case['priority']!r} but labels {sorted(labels)} allow {sorted(allowed)}")
    elif (
        case["priority"] == "P4"
        and not labels & SERVICE
        and "?" not in case["text"]
        and not QUESTION_NOTE_RE.search(case["note"])
    ):
        errors.append("P4 without complaint/care/clinical label needs a question in the text or the note")
    need, may = signpost_bounds(labels, case["kind"])
    if not need <= signposts:
        errors.append(f"signposts missing {sorted(need - signposts)}")
    if not signposts <= may:
        errors.append(f"signposts not justified by labels: {sorted(signposts - may)}")

    # Conventions of policy_examples.jsonl
    if "criticism" in labels and labels & BREACH:
        errors.append("criticism is the protected label: it is not given alongside a breach label")
    if "personal_information" in labels and case["kind"] == "dm":
        errors.append("a DM is the private channel: personal details in it are not personal_information")
    if case["kind"] != "dm" and isinstance(case["text"], str):
        for groups in NHS_NUMBER_RE.findall(case["text"]):
            number = "".join(groups)
            if nhs_number_is_valid(number) and "personal_information" not in labels:
                errors.append(f"valid NHS number {number} in a public post needs personal_information")
    return errors


def _load() -> tuple[dict[str, list[tuple[int, Any]]], list[str]]:
    cases: dict[str, list[tuple[int, Any]]] = {}
    problems: list[str] = []
    for name in FILES:
        path = CASES_DIR / name
        cases[name] = []
        if not path.exists():
            problems.append(f"{name}: missing")
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                problems.append(f"{name}:{lineno}: blank line")
                continue
            try:
                cases[name].append((lineno, json.loads(line)))
            except json.JSONDecodeError as exc:
                problems.append(f"{name}:{lineno}: invalid JSON ({exc})")
    return cases, problems


CASES, LOAD_PROBLEMS = _load()
ALL = [(name, lineno, case) for name, rows in CASES.items() for lineno, case in rows]


def _case_id(item: tuple[str, int, Any]) -> str:
    name, lineno, case = item
    return str(case.get("id")) if isinstance(case, dict) else f"{name}:{lineno}"


def test_every_file_is_json_lines() -> None:
    assert not LOAD_PROBLEMS, "\n".join(LOAD_PROBLEMS)
    extra = {p.name for p in CASES_DIR.glob("*.jsonl")} - set(FILES)
    assert not extra, f"case files not checked here (add them to FILES): {sorted(extra)}"


def test_enough_cases() -> None:
    assert all(CASES[name] for name in FILES)
    assert len(ALL) >= MIN_TOTAL


@pytest.mark.parametrize("item", ALL, ids=_case_id)
def test_case_follows_conventions(item: tuple[str, int, Any]) -> None:
    name, lineno, case = item
    errors = check_case(case, FILES[name])
    assert not errors, f"{name}:{lineno}: " + "; ".join(errors)


def test_ids_unique_and_numbered_in_order() -> None:
    ids = [case["id"] for _, _, case in ALL]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"
    for name, rows in CASES.items():
        numbers = [int(case["id"][-3:]) for _, case in rows]
        assert numbers == list(range(1, len(rows) + 1)), f"{name}: ids should run 001, 002, ... in order"


def _norm(text: str) -> str:
    """Lower case, punctuation and emoji dropped; emoji-only texts are kept as they are."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split()) or text.strip()


def test_texts_unique() -> None:
    texts = Counter(_norm(case["text"]) for _, _, case in ALL)
    dupes = [t for t, n in texts.items() if n > 1]
    assert not dupes, f"repeated texts: {dupes}"


@pytest.mark.skipif(not POLICY_EXAMPLES.exists(), reason="../shared/policy_examples.jsonl not present")
def test_not_copied_from_policy_examples() -> None:
    examples = [
        _norm(json.loads(line)["text"])
        for line in POLICY_EXAMPLES.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    too_close = []
    for _, _, case in ALL:
        text = _norm(case["text"])
        for example in examples:
            matcher = difflib.SequenceMatcher(None, text, example)
            if matcher.real_quick_ratio() > 0.7 and matcher.quick_ratio() > 0.7 and matcher.ratio() > 0.7:
                too_close.append((case["id"], example))
    assert not too_close, f"cases too close to the policy examples: {too_close}"


def test_every_label_and_platform_and_kind_is_used() -> None:
    labels = Counter(label for _, _, case in ALL for label in case["labels"])
    assert set(labels) == LABELS, f"labels never used: {sorted(LABELS - set(labels))}"
    assert {case["platform"] for _, _, case in ALL} == PLATFORMS
    assert {case["kind"] for _, _, case in ALL} == KINDS
    assert any("emergency" in case["signposts"] for _, _, case in ALL)


def test_readme_counts_are_current() -> None:
    """The count tables in README.md must match the files (regenerate them when cases change)."""
    text = README.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| (\d+) \|", text, flags=re.MULTILINE))
    want = {name: len(rows_) for name, rows_ in CASES.items()}
    want.update(Counter(label for _, _, case in ALL for label in case["labels"]))
    got = {key: int(value) for key, value in rows.items()}
    assert got == want, "README.md count tables are stale"
    assert f"**{len(ALL)}** cases" in text


# --- the checker itself: a mislabelled case must fail -----------------------------------------

GOOD = {
    "id": "c-crisis-999",
    "platform": "x",
    "kind": "reply",
    "text": "swallowed everything in the cupboard",
    "labels": ["crisis"],
    "removal": "none",
    "priority": "P1",
    "signposts": ["crisis_line", "emergency"],
    "note": "Overdose taken.",
}


@pytest.mark.parametrize(
    "change",
    [
        {"removal": "required"},
        {"priority": "P4"},
        {"signposts": []},
        {"signposts": ["crisis_line", "pals"]},
        {"labels": ["crisis", "selfharm"]},
        {"labels": ["profanity"], "removal": "required", "priority": "P1"},
        {"labels": ["criticism"], "removal": "none", "priority": "P5", "signposts": []},
        {"labels": ["criticism", "abuse"], "removal": "required", "priority": "P3", "signposts": []},
        {"labels": ["praise"], "removal": "none", "priority": "P5", "signposts": ["emergency"]},
        {"labels": ["praise"], "removal": "none", "priority": "P4", "signposts": []},
        {"labels": ["individual_care"], "removal": "none", "priority": "P4", "signposts": ["pals"]},
        {
            "kind": "dm",
            "labels": ["personal_information"],
            "removal": "required",
            "priority": "P2",
            "signposts": ["private_message"],
        },
        {
            "text": "my nhs number is 918 096 7922 pls help",
            "labels": ["individual_care"],
            "removal": "none",
            "priority": "P4",
            "signposts": ["private_message", "pals"],
        },
        {"platform": "tiktok"},
        {"id": "crisis-1"},
    ],
)
def test_checker_rejects_mislabelled_case(change: dict[str, Any]) -> None:
    assert check_case(GOOD, "crisis") == []
    assert check_case({**GOOD, **change}, "crisis") != []


def test_checker_accepts_dm_care_with_pals_only() -> None:
    case = {
        **GOOD,
        "kind": "dm",
        "text": "my NHS number is 918 096 7922, when is my next appointment?",
        "labels": ["individual_care"],
        "priority": "P4",
        "signposts": ["pals"],
    }
    assert check_case(case, "crisis") == []


def test_nhs_checksum() -> None:
    assert nhs_number_is_valid("9180967922")
    assert not nhs_number_is_valid("1234567890")  # check digit would be 10
    assert not nhs_number_is_valid("6616630494")
