"""Evidence spans become <mark>s over escaped text, however the spans overlap."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from civildesk.web.highlight import highlight, segments


def visible_text(html: str) -> str:
    without_hints = re.sub(r'<span class="nhsuk-u-visually-hidden">.*?</span>', "", html)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", without_hints))


def test_one_span() -> None:
    html = highlight("you absolute idiots", [{"label": "abuse", "start": 13, "end": 19, "note": "insult"}])
    assert html.startswith('you absolute <mark class="cd-evidence cd-evidence--abuse"')
    assert '>idiots<span class="nhsuk-u-visually-hidden"> (evidence: abuse)</span></mark>' in html
    assert 'title="abuse: insult"' in html


def test_overlapping_spans_are_cut_at_every_boundary() -> None:
    text = "shut up you stupid cow"
    parts = segments(
        text,
        [
            {"label": "profanity", "start": 12, "end": 22},
            {"label": "abuse", "start": 0, "end": 18},
        ],
    )
    assert [(p.text, p.labels) for p in parts] == [
        ("shut up you ", ("abuse",)),
        ("stupid", ("profanity", "abuse")),
        (" cow", ("profanity",)),
    ]
    assert "".join(p.text for p in parts) == text


@pytest.mark.parametrize(
    "evidence",
    [
        [{"label": "crisis", "start": -5, "end": 3}],
        [{"label": "crisis", "start": 5, "end": 500}],
        [{"label": "crisis", "start": 7, "end": 2}],
        [{"label": "crisis", "start": "x", "end": 2}],
        [{"label": "crisis"}],
    ],
)
def test_bad_spans_never_break_the_page(evidence: list[dict[str, object]]) -> None:
    text = "a short message"
    html = highlight(text, evidence)
    assert visible_text(html) == text


def test_attacker_text_is_escaped_inside_and_outside_marks() -> None:
    text = '<script>alert(1)</script> "quoted" & <b>bold</b>'
    html = highlight(text, [{"label": 'abuse" onmouseover="x', "start": 0, "end": 8, "note": "<i>n</i>"}])
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html and "&quot;quoted&quot;" in html
    assert 'onmouseover="x' not in html


def test_the_visible_text_is_always_the_message() -> None:
    text = 'a <b>"tricky"</b> message & more'
    evidence = [{"label": "abuse", "start": 2, "end": 12}, {"label": "profanity", "start": 5, "end": 20}]
    assert visible_text(highlight(text, evidence)) == text


def test_text_without_evidence_is_just_escaped() -> None:
    assert highlight("fish & chips", []) == "fish &amp; chips"
