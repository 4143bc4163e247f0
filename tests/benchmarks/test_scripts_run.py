"""The benchmark scripts still run end to end and print their tables (a tiny N: nothing here is
timed; the figures themselves live in the README)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def run(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=BENCHMARKS.parent,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_the_machine_reference_prints_a_figure() -> None:
    out = run(str(BENCHMARKS / "machine.py"))
    assert out.startswith("reference workload ") and " ms " in out


def test_the_rules_throughput_table_has_both_modes_for_both_corpora() -> None:
    out = run(str(BENCHMARKS / "classify_throughput.py"), "--n", "300")
    assert "reference workload" in out.splitlines()[0]
    rows = [line for line in out.splitlines() if line.startswith("| hard cases")]
    assert [row.split("|")[2].strip() for row in rows] == ["one by one", "batches of 256"]
    assert all(row.split("|")[3].strip() == "300" for row in rows)


@pytest.mark.slow
def test_the_model_throughput_table_prints_every_measure() -> None:
    pytest.importorskip("onnxruntime")
    out = run(str(BENCHMARKS / "classify_ml_throughput.py"), "--n", "40", "--runs", "1")
    for measure in ("classify --input, 40 tweets", "load:", "one message", "peak RSS", "reference workload"):
        assert measure in out, out
