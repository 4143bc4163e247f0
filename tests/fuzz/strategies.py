"""Hypothesis strategies shared by the fuzz tests: JSON values and structural mutations."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

# Text that stresses parsers: any code point except surrogates (which cannot be UTF-8 encoded,
# so no platform can send them), with the troublemakers drawn often.
TRICKY = st.sampled_from(
    [
        "\x00",
        "\u200b",  # zero-width space
        "\u200d",  # zero-width joiner
        "\u202e",  # right-to-left override
        "\ufeff",  # byte order mark
        "مرحبا",
        "שלום",
        "👩‍👩‍👧",
        "🏳️‍🌈",
        "é",
        "\r\n",
        "\n",
        '"',
        ",",
        ")",
        "?#%",
        "urn:li:comment:(urn:li:activity:1,2)",
    ]
)
TEXT = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=60),
    st.lists(st.one_of(TRICKY, st.text(max_size=5)), max_size=12).map("".join),
)
HUGE_TEXT = st.integers(min_value=5_000, max_value=20_000).map(lambda n: "x" * n)

# Numbers that break arithmetic and dates: timestamps a century out, infinities spelt as text.
NASTY_NUMBERS = st.sampled_from([0, -1, 2**63, 10**30, -(10**30), 1e300, 1e17, "inf", "-inf", "nan", "1e400"])
SCALARS = st.one_of(
    NASTY_NUMBERS,
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into a nested dict/list, so a mutation can aim anywhere."""
    out: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, child in value.items():
            out.append((*prefix, key))
            out.extend(paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.append((*prefix, index))
            out.extend(paths(child, (*prefix, index)))
    return out


@st.composite
def mutated(draw: st.DrawFn, original: Any, replacements: st.SearchStrategy[Any] = JSON) -> Any:
    """``original`` with one to three places changed: a key dropped or a value replaced."""
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        where = paths(doc)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(replacements)
    return doc
