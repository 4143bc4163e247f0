"""What-if replay: a policy edit's effect on stored messages, before it is adopted."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from civildesk import cli
from civildesk.devtools.testing import ScriptedDetector
from civildesk.inbox import desk
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.worker import run_ready_tasks
from civildesk.policy import Engine
from civildesk.policy.schema import default_policy_text, parse_policy
from civildesk.replay.compare import Outcome, Report, render
from civildesk.replay.run import Engines, ReplayError, parse_since, replay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

PROTECTED_CRITICISM = """  criticism:
    breach: false
    protected: true
    clause: negative_ok
    priority: P5
    actions: []"""
REMOVABLE_CRITICISM = """  criticism:
    breach: true
    clause: negative_ok
    priority: P3
    actions: [hide]"""
PROFANITY = """  profanity:
    breach: true
    clause: profane
    priority: P3
    actions: [hide, notify_author]"""
PROFANITY_ALLOWED = """  profanity:
    breach: false
    clause: profane
    priority: P5
    actions: []"""
CRISIS = """  crisis:
    breach: false"""
DEAF_CRISIS = """  crisis:
    threshold: 0.99
    breach: false"""


def edited(*swaps: tuple[str, str]) -> str:
    text = default_policy_text()
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    return text


def arrive(texts: list[str]) -> list[int]:
    now = timezone.now() - timedelta(days=3)
    ids = []
    for i, text in enumerate(texts):
        ids.append(
            ingest(
                InboundMessage(
                    platform="facebook",
                    account_id="trust",
                    platform_id=f"m{i}",
                    kind="comment",
                    text=text,
                    author_id=f"u{i}",
                    created_at=now,
                ),
                now=now,
            ).message_id
        )
    run_ready_tasks()
    return ids


def scripted(policy_text: str | None) -> Engine:
    policy = desk.policy() if policy_text is None else parse_policy(policy_text, name="new.yaml")
    return Engine(policy, [ScriptedDetector()])


TEXTS = [
    "I can't go on, I'm going to end it all",  # crisis (scripted score 0.97)
    "the new booking system is useless",  # criticism
    "this is bloody awful",  # profanity
    "thank you so much to Ward 2",  # praise
]


def test_an_unchanged_policy_changes_nothing(engine: Any) -> None:
    arrive(TEXTS)
    report = replay(Engines(before=scripted(None), after=scripted(None)), since=timedelta(days=90))
    assert report.messages == 4 and report.changed == 0 and not report.risky
    assert "No decision would change." in render(report)


def test_removing_criticism_and_missing_a_crisis_are_reported(engine: Any) -> None:
    ids = arrive(TEXTS)
    new = scripted(edited((PROTECTED_CRITICISM, REMOVABLE_CRITICISM), (CRISIS, DEAF_CRISIS)))
    report = replay(Engines(before=scripted(None), after=new), since=timedelta(days=90))
    assert report.criticism_removed == [str(ids[1])]
    assert report.crisis_missed == [str(ids[0])]
    assert report.removals_before == 1 and report.removals_after == 2
    assert report.risky
    assert report.priority_moves[("P1", "P4")] + report.priority_moves[("P1", "P5")] == 1
    assert report.per_label()["crisis"] == {"gained": 0, "lost": 1, "net": -1}
    text = render(report)
    assert "criticism removed   1" in text and "crisis missed       1" in text and "NOT SAFE" in text


def test_fewer_removals_per_label(engine: Any) -> None:
    ids = arrive(TEXTS)
    new = scripted(edited((PROFANITY, PROFANITY_ALLOWED)))
    report = replay(Engines(before=scripted(None), after=new), since=timedelta(days=90))
    assert report.removals_before == 1 and report.removals_after == 0
    assert report.no_longer_removed == [str(ids[2])]
    assert report.actions_lost["hide"] == 1 and not report.risky
    assert "1 fewer removals" in render(report)


def test_messages_before_the_period_are_left_out(engine: Any) -> None:
    arrive(TEXTS)
    report = replay(Engines(before=scripted(None), after=scripted(None)), since=timedelta(days=1))
    assert report.messages == 0


def test_baseline_can_be_the_stored_decisions(engine: Any) -> None:
    arrive(TEXTS)
    new = scripted(edited((PROFANITY, PROFANITY_ALLOWED)))
    report = replay(Engines(before=None, after=new), since=timedelta(days=90))
    assert report.messages == 4 and report.removals_before == 1 and report.removals_after == 0


@pytest.mark.parametrize(("value", "days"), [("90d", 90), ("12w", 84), ("48h", 2), (" 7D ", 7)])
def test_since(value: str, days: int) -> None:
    assert parse_since(value) == timedelta(days=days)


@pytest.mark.parametrize("value", ["", "90", "d90", "0d", "-3d", "1y"])
def test_since_refuses_nonsense(value: str) -> None:
    with pytest.raises(ReplayError):
        parse_since(value)


def test_outcome_reads_every_shape() -> None:
    contract = {"labels": ["abuse"], "priority": "P3", "removal": "required", "actions": ["hide"]}
    assert Outcome.of(contract).removes and not Outcome.of({**contract, "labels": []}).crisis
    report = Report()
    report.add("1", Outcome.of(contract), Outcome.of(contract))
    assert report.changed == 0


def test_the_command(tmp_path: Path, capsys: Any, engine: Any) -> None:
    """`civildesk replay` end to end, on the real rule detectors."""
    arrive(
        [
            "I'm going to end it all tonight, I have the pills",
            "this service is useless and appalling",
            "you are a bunch of shit idiots",
        ]
    )
    same = tmp_path / "same.yaml"
    same.write_text(default_policy_text(), encoding="utf-8")
    assert cli.main(["replay", "--policy", str(same), "--since", "90d", "--rules-only"]) == 0
    out = capsys.readouterr().out
    assert "messages replayed   3" in out and "No decision would change." in out

    risky = tmp_path / "risky.yaml"
    risky.write_text(edited((PROTECTED_CRITICISM, REMOVABLE_CRITICISM)), encoding="utf-8")
    code = cli.main(["replay", "--policy", str(risky), "--since", "90d", "--rules-only", "--json"])
    assert code == 3
    result = json.loads(capsys.readouterr().out)
    assert (
        result["criticism_removed"] == 1 and result["removals"]["after"] == result["removals"]["before"] + 1
    )

    broken = tmp_path / "broken.yaml"
    broken.write_text("labels: [", encoding="utf-8")
    assert cli.main(["replay", "--policy", str(broken), "--rules-only"]) == 2
    assert cli.main(["replay", "--policy", str(same), "--since", "forever", "--rules-only"]) == 2
