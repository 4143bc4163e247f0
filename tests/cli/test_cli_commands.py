"""The console script as a user runs it: one text, a file, stdin, evaluate, policy check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from civildesk.cli import main


def civildesk(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "civildesk.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_one_text_is_explained_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--rules-only", "you absolute f*ckwits, every one of you"]) == 0
    out = capsys.readouterr().out
    assert "priority   P3" in out
    assert "profanity" in out and "f*ckwits" in out
    assert "policy     2026.11+" in out


def test_one_text_as_json_honours_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "classify",
                "--rules-only",
                "--json",
                "--kind",
                "dm",
                "--id",
                "a1",
                "took everything in the cupboard 20 mins ago, just wanted to tell someone",
            ]
        )
        == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert {
        "id",
        "labels",
        "scores",
        "priority",
        "actions",
        "signposts",
        "evidence",
        "clauses",
        "policy_version",
    } <= set(d)
    assert d["id"] == "a1" and d["priority"] == "P1"
    assert d["signposts"][:1] == ["crisis_line"] and "emergency" in d["signposts"]
    assert "reply_private" in d["actions"] and "alert_oncall" in d["actions"]
    assert all(isinstance(e["start"], int) and e["detector"] for e in d["evidence"])


def test_stdin_stream_keeps_order_and_reports_bad_lines() -> None:
    payload = b'{"id": "1", "text": "thank you so much to the team"}\nnot json\n{"id": "3", "text": "kys"}\n'
    proc = civildesk("classify", "--rules-only", "--input", "-", stdin=payload)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r.get("id") for r in rows] == ["1", None, "3"]
    assert rows[1] == {"line": 2, "error": rows[1]["error"]} and "not valid JSON" in rows[1]["error"]
    assert b"classified 2 messages, 1 errors" in proc.stderr


def test_a_missing_input_file_is_a_clear_error(tmp_path: Path) -> None:
    proc = civildesk("classify", "--rules-only", "--input", str(tmp_path / "nope.jsonl"))
    assert proc.returncode == 2 and b"cannot open" in proc.stderr


def test_evaluate_prints_the_guarantees(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps(
            {
                "id": "a",
                "text": "NO CALLBACK. NO LETTER. NOTHING. 10 WEEKS.",
                "labels": ["criticism"],
                "removal": "forbidden",
                "priority": "P5",
                "signposts": [],
            }
        )
        + "\n"
    )
    assert main(["evaluate", "--rules-only", str(cases)]) == 0
    out = capsys.readouterr().out
    assert "crisis recall" in out and "criticism removed     0" in out


def test_evaluate_understands_dataset_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "\n".join(
            json.dumps({"id": str(i), "text": t, "labels": {"offensive": y}})
            for i, (t, y) in enumerate([("what a lovely day", 0), ("shut up you stupid c*nt", 1)])
        )
    )
    assert main(["evaluate", "--rules-only", "--json", str(rows)]) == 0
    result = json.loads(capsys.readouterr().out)[str(rows)]
    assert result["labels"]["offensive"]["n"] == 2


def test_policy_check_accepts_the_shipped_file_and_names_a_broken_line(tmp_path: Path) -> None:
    ok = civildesk("policy", "check")
    assert ok.returncode == 0 and b"ok:" in ok.stdout
    bad = tmp_path / "policy.yaml"
    bad.write_text(civildesk("policy", "show").stdout.decode().replace("priority: P1", "priority: urgent"))
    proc = civildesk("policy", "check", str(bad))
    assert proc.returncode == 1
    assert b"labels.crisis.priority (line" in proc.stderr
