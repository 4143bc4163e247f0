"""The policy guarantees, measured on labelled cases with the whole rules engine:
crisis recall 1.00 with the crisis line every time, no criticism-only post removed, and a label
micro-F1 floor. The 60 public examples live in ../shared; our own cases in tests/cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from civildesk.detectors.base import MessageInput
from civildesk.policy.engine import Engine
from civildesk.policy.evaluation import PolicyReport, score_policy_cases
from tests.conftest import CASES, read_jsonl


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default(use_model=False)


def evaluate(engine: Engine, records: list[dict[str, Any]]) -> PolicyReport:
    messages = [
        MessageInput(text=r["text"], platform=r.get("platform"), kind=r.get("kind"), id=r["id"])
        for r in records
    ]
    decisions = [d.to_dict() for d in engine.classify_batch(messages)]
    return score_policy_cases(records, decisions)


def test_the_public_policy_examples(engine: Engine, shared_dir: Path) -> None:
    report = evaluate(engine, read_jsonl(shared_dir / "policy_examples.jsonl"))
    assert report.n == 60
    assert report.missed_crisis == [], "every person in crisis must be found"
    assert report.crisis_line_given == report.crisis_total
    assert report.criticism_removed == [], "protected criticism was removed"
    assert report.micro.f1 >= 0.85, report.as_dict()


def own_case_files() -> list[Path]:
    return sorted(CASES.glob("*.jsonl"))


def test_our_own_cases_exist() -> None:
    records = [r for p in own_case_files() for r in read_jsonl(p)]
    assert len(records) >= 300


def test_our_own_cases(engine: Engine) -> None:
    records = [r for p in own_case_files() for r in read_jsonl(p)]
    report = evaluate(engine, records)
    assert report.missed_crisis == [], "every person in crisis must be found"
    assert report.crisis_line_given == report.crisis_total
    assert report.criticism_removed == [], "protected criticism was removed"
    assert report.micro.f1 >= 0.80, report.as_dict()


def test_a_batch_decides_exactly_as_one_message_at_a_time(engine: Engine) -> None:
    # classify_batch runs detector by detector over the batch; the order must change nothing.
    records = [r for path in sorted(CASES.glob("*.jsonl")) for r in read_jsonl(path)]
    messages = [MessageInput(text=r["text"], platform=r.get("platform"), kind=r.get("kind")) for r in records]
    batched = [d.to_dict() for d in engine.classify_batch(messages)]
    single = [engine.classify(m).to_dict() for m in messages]
    assert len(batched) == len(records) > 300
    assert batched == single
