"""The normaliser was rewritten for speed; it must still give exactly what the simple
character-by-character version gave, text and offsets alike. That version is kept here as the
reference, and the fast one is checked against it on hand-picked and generated text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civildesk.detectors.normalise import normalise

_HOMOGLYPHS = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "κ": "k", "ν": "v", "ο": "o", "α": "a", "ε": "e",
    "ι": "i", "τ": "t", "υ": "u", "ѵ": "v", "ա": "w", "ǀ": "l", "ℓ": "l",
}  # fmt: skip
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s",
         "!": "i", "|": "l", "€": "e", "+": "t"}  # fmt: skip
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}


def reference(text: str, *, leet: bool = True, squeeze: bool = True) -> tuple[str, tuple[int, ...]]:
    """The original per-character normaliser, verbatim in behaviour."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        folded = "".join(_HOMOGLYPHS.get(c, c) for c in unicodedata.normalize("NFKC", ch).lower())
        for c in folded:
            base = unicodedata.normalize("NFD", c)
            base = "".join(b for b in base if not unicodedata.combining(b)) or c
            for b in base:
                chars.append(b)
                offsets.append(i)
    if leet:
        n = len(chars)
        i = 0
        while i < n:
            if chars[i].isspace():
                i += 1
                continue
            j = i
            while j < n and not chars[j].isspace():
                j += 1
            token = chars[i:j]
            letters = sum(1 for c in token if c.isalpha())
            digits = sum(1 for c in token if c.isdigit())
            s = "".join(token)
            structured = (
                "://" in s
                or s.startswith("www.")
                or (s.count(".") >= 1 and any(c.isdigit() for c in s) and "/" in s)
            )
            if letters and letters >= digits and not structured:
                for k in range(i, j):
                    rep = _LEET.get(chars[k])
                    if rep is None:
                        continue
                    if chars[k] in "!+" and (k == j - 1 or not chars[k + 1].isalpha()):
                        continue
                    if chars[k] == "@" and k == i:
                        continue
                    chars[k] = rep
            i = j
    if squeeze:
        out_c: list[str] = []
        out_o: list[int] = []
        for c, o in zip(chars, offsets, strict=True):
            if c.isalpha() and len(out_c) >= 2 and out_c[-1] == c and out_c[-2] == c:
                continue
            out_c.append(c)
            out_o.append(o)
        chars, offsets = out_c, out_o
    return "".join(chars), tuple(offsets)


def fast(text: str, **kw: bool) -> tuple[str, tuple[int, ...]]:
    n = normalise(text, **kw)
    return n.text, n.offsets


# What a filter-dodger writes, and what must be left alone.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What a load of SH1TE", "what a load of shite"),
        ("a$$hole", "asshole"),
        ("b0ll0cks to the lot of it", "bollocks to the lot of it"),
        ("fuuuuuck off", "fuuck off"),
        ("sh!t service", "shit service"),
        ("wow!!!", "wow!!!"),  # trailing punctuation is punctuation
        ("@rse", "@rse"),  # a leading @ reads as a handle
        ("@LondonMHTrust hi", "@londonmhtrust hi"),
        ("ring 07700 900364 at 10:30", "ring 07700 900364 at 10:30"),
        ("costs £9 for 4 days", "costs £9 for 4 days"),
        ("see https://example.org/p1 now", "see https://example.org/p1 now"),
        ("fück", "fuck"),
        ("ｆｕｃｋ", "fuck"),  # fullwidth
        ("sһіt", "shit"),  # Cyrillic look-alikes
        ("f\u200bu\u200bc\u200bk", "fuck"),  # zero-width spaces
        ("ﬁne", "fine"),  # ligature becomes two letters
        ("😂😂😂😂", "😂😂😂😂"),  # only letters are squeezed
        ("noooooo 💀💀", "noo 💀💀"),
    ],
)
def test_normalised_text_reads_through_disguises(text: str, expected: str) -> None:
    assert normalise(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain ascii, nothing to see",
        "fuuuuck ﬁne İstanbul café",
        "f\u200bu\u200bck and a\u0301\u0301\u0301b",
        "Ⅻ ² ½ 〇〇〇 ß ẞẞẞ ǅǅǅ ΣΣΣ ﬀﬀﬀ",
        "sh!!t a$$ @rse b!tch w+f 1337 h4x0r! +44 7700",
        "tabs\tand\nnew\u00a0lines\u2003everywhere",
        "NO CALLBACK. NO LETTER. NOTHING. 10 WEEKS.",
        "me: 😭😭😭 you: 🙄 www.x.com/1.2 a.b/3",
    ],
)
@pytest.mark.parametrize("options", [{}, {"leet": False}, {"squeeze": False}])
def test_fast_normaliser_matches_the_reference(text: str, options: dict[str, bool]) -> None:
    assert fast(text, **options) == reference(text, **options)


_SAMPLE_CHARS = st.sampled_from(
    [
        *"abcdefghijklmnopqrstuvwxyzABCZ  \t\n.,!?@$+|0134578€*#'\"-/:",
        *["é", "ü", "ﬁ", "İ", "а", "ο", "\u200b", "\u00ad", "😂", "\u0301", "ß", "Ⅻ", "ｆ", "\u00a0"],
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_SAMPLE_CHARS, max_size=40).map("".join))
def test_fast_normaliser_matches_the_reference_on_generated_text(text: str) -> None:
    assert fast(text) == reference(text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_fast_normaliser_matches_the_reference_on_any_unicode(text: str) -> None:
    assert fast(text) == reference(text)


def test_offsets_map_matches_back_to_the_original_words() -> None:
    original = "Ugh ﬁne, f\u200buuuuck this 😂 a$$"
    norm = normalise(original)
    start = norm.text.index("fuuck")
    s, e = norm.span(start, start + len("fuuck"))
    assert original[s:e] == "f\u200buuuuck"
    start = norm.text.index("ass")
    s, e = norm.span(start, start + 3)
    assert original[s:e] == "a$$"
