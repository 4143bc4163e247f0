"""The house-rules page is built from policy.yaml alone: the same clause texts the engine quotes,
the contacts, the hours; another organisation changes it by editing its own file."""

from __future__ import annotations

import pytest

from civildesk.policy import PolicyError, load_policy, parse_policy
from civildesk.policy.schema import default_policy_text
from civildesk.public.page import build_page, describe_hours


@pytest.fixture(scope="module")
def shipped() -> str:
    return default_policy_text()


def test_every_rule_the_engine_cites_for_a_breach_is_on_the_public_page() -> None:
    policy = load_policy()
    page = build_page(policy)
    shown = {clause for section in page.sections for clause in section.clauses}
    cited = {policy.clauses[rule.clause].text for rule in policy.labels.values()}
    cited |= {policy.clauses[c].text for rule in policy.labels.values() for c in rule.also_clauses}
    assert cited - shown == set()
    # ...and in the very words a notice to an author would quote.
    assert policy.clauses["negative_ok"].text in shown


def test_the_crisis_line_complaints_and_pals_come_from_the_contacts() -> None:
    policy = load_policy()
    page = build_page(policy)
    assert page.crisis_line == policy.contacts["crisis_line"] == "0800 028 8000"
    assert page.crisis_href == "tel:08000288000"
    assert "0800 028 8000" in page.crisis_text and "999" in page.crisis_text
    by_key = {c.key: c for c in page.contacts}
    assert by_key["complaints"].href == policy.contacts["complaints_url"]
    assert by_key["pals"].href == policy.contacts["pals_url"]
    assert by_key["appeals"].href == f"mailto:{policy.contacts['appeals_email']}"
    assert page.contacts[0].key == "crisis_line"  # first in the contacts box too


def test_the_working_hours_are_written_out_from_the_policys_hours() -> None:
    page = build_page(load_policy())
    assert any("Monday to Friday, 9am to 5pm" in p for s in page.sections for p in s.paragraphs)
    assert describe_hours((5, 6), "08:30", "12:00") == "Saturday and Sunday, 8:30am to 12pm"
    assert describe_hours((0, 2, 4), "10:00", "16:00") == "Monday, Wednesday and Friday, 10am to 4pm"


def test_another_organisation_adopts_the_page_by_editing_policy_yaml_alone(shipped: str) -> None:
    theirs = (
        shipped.replace("0800 028 8000", "0300 555 0101")
        .replace('title: "Social media house rules"', 'title: "Our community guidelines"')
        .replace('start: "09:00"', 'start: "08:00"')
        .replace(
            "We take action on posts containing irrelevant advertising.",
            "We remove adverts for things we did not ask about.",
        )
    )
    page = build_page(parse_policy(theirs))
    assert page.title == "Our community guidelines"
    assert page.crisis_line == "0300 555 0101" and "0300 555 0101" in page.crisis_text
    assert any("8am to 5pm" in p for s in page.sections for p in s.paragraphs)
    assert any("We remove adverts for things we did not ask about." in s.clauses for s in page.sections)


def test_a_policy_without_a_public_page_section_still_gets_a_page_of_every_clause(shipped: str) -> None:
    without = shipped[: shipped.index("\npublic_page:")] + "\n"
    policy = parse_policy(without)
    assert policy.public_page is None
    page = build_page(policy)
    assert [c for s in page.sections for c in s.clauses] == [c.text for c in policy.clauses.values()]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("LinkedIn {working_hours}, and", "LinkedIn {working_hours} {opening_times}, and"),
            "public_page.sections[1].paragraphs[0] (line",
        ),
        (
            ("clauses: [individual_care, complaints, clinical]", "clauses: [individual_care, nonsense]"),
            "nonsense",
        ),
        (("  rating_question:", "  rating_questoin:"), "public_page.rating_questoin (line"),
    ],
)
def test_a_mistake_in_the_page_names_the_key_and_line(
    shipped: str, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in shipped
    text = shipped.replace(old, new)
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    assert expected in str(caught.value)


def test_a_section_with_nothing_in_it_is_refused(shipped: str) -> None:
    text = shipped.replace(
        '    - heading: "What we won\'t do"\n      clauses: [individual_care, complaints, clinical]\n',
        '    - heading: "What we won\'t do"\n',
    )
    assert text != shipped
    with pytest.raises(PolicyError, match=r"public_page.sections\[2\] \(line \d+\): needs at least one"):
        parse_policy(text)
