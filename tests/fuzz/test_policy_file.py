"""Issue 8: a policy.yaml an administrator has broken loads as a Policy or fails naming a key.

The mutations start from the shipped file (so they reach deep validation, not just "not a
mapping"): keys dropped, values swapped for other types, random scalars at random paths.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civildesk.policy.schema import Policy, PolicyError, default_policy_text, parse_policy
from tests.fuzz.strategies import JSON, TEXT, mutated, paths

SHIPPED: dict[str, Any] = yaml.safe_load(default_policy_text())
KEYS = {str(step) for path in paths(SHIPPED) for step in path if isinstance(step, str)}
# Every refusal the schema makes starts "<key.path> (line N): ..." or "policy.yaml...: ...".
WHERE = re.compile(r"^(?P<where>[^:]+?) \(line \d+\): \S|^policy\.yaml( \(line \d+\))?: \S")
REPLACEMENTS = st.one_of(
    JSON,
    TEXT,
    st.sampled_from(["P1", "P9", "hide", "mon", "25:00", "09:00", "crisis", "", "{name}", "{nope}"]),
    st.sampled_from(sorted(KEYS)),
)


def load_or_refuse(text: str, doc: Any = None) -> Policy | None:
    """The property: a Policy, or a PolicyError that starts by saying where the problem is."""
    try:
        return parse_policy(text)
    except PolicyError as exc:
        message = str(exc)
        match = WHERE.match(message)
        assert match, f"the refusal does not say where: {message!r}"
        where = match["where"] or ""
        if isinstance(doc, dict) and where != "<top>" and not where.startswith("policy.yaml"):
            # The path it names starts at a key a reader can find at the top of the file.
            first = re.split(r"[.\[]", where)[0]
            assert first in {str(k) for k in doc}, message
        return None


def test_the_shipped_file_survives_the_round_trip_the_mutations_use() -> None:
    # Otherwise every mutation would fail for the dump, not for the change.
    assert isinstance(parse_policy(yaml.safe_dump(SHIPPED, allow_unicode=True)), Policy)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=mutated(SHIPPED, REPLACEMENTS))
def test_a_mutated_policy_loads_or_names_the_broken_key(doc: Any) -> None:
    load_or_refuse(yaml.safe_dump(doc, allow_unicode=True), doc)


@settings(max_examples=100, deadline=None)
@given(doc=JSON)
def test_any_yaml_document_loads_or_is_refused(doc: Any) -> None:
    load_or_refuse(yaml.safe_dump(doc, allow_unicode=True), doc)


@settings(max_examples=100, deadline=None)
@given(text=TEXT)
def test_any_text_loads_or_is_refused(text: str) -> None:
    load_or_refuse(text)
