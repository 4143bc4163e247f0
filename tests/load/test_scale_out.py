"""Scale-out on PostgreSQL: two gunicorn web processes and two `civildesk worker` processes on a
fresh database share 300 webhook deliveries (with redeliveries, forged and malformed ones mixed
in), and every message is stored once and classified once; afterwards /readyz answers 200 and
/metrics shows the task queue back to 0.

It drives benchmarks/webhook_burst.py (the same harness that measures the README's figures), so
what is measured is also what is checked. It needs PostgreSQL (PG_URL, default
postgres://postgres@127.0.0.1:5432/postgres): skipped when none answers, except in CI, where it
must run. Rules-only classification keeps it short; the model's cost is the benchmark's business.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from civildesk.devtools.pg_ready import answers

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")

pytestmark = pytest.mark.slow


@pytest.fixture
def postgres() -> str:
    if not answers(PG_URL):
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the scale-out test, but PostgreSQL does not answer at {PG_URL}")
        pytest.skip(f"PostgreSQL does not answer at {PG_URL} (set PG_URL to run the scale-out test)")
    return PG_URL


def test_two_web_processes_and_two_workers_store_and_classify_each_message_once(postgres: str) -> None:
    env = {**os.environ, "PG_URL": postgres, "CIVILDESK_USE_MODEL": "0"}
    env.pop("DATABASE_URL", None)  # the harness makes (and drops) its own database
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "webhook_burst.py"),
            "--only=postgres",
            "-n=300",
            "--web=2",
            "--workers=2",
            "--concurrency=8",
            "--timeout=240",
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.stdout.strip(), proc.stderr[-3000:]
    (run,) = json.loads(proc.stdout)
    assert (run["database"], run["web"], run["workers"]) == ("PostgreSQL", 2, 2)
    assert run["kinds"] == {"valid": 240, "redelivery": 30, "forged": 15, "malformed": 15}
    checks = run["checks"]
    # Each promise by name, so a failure says which one broke.
    assert checks["messages stored = valid unique"]
    assert checks["every message classified"]
    assert checks["one decision per message"]
    assert checks["redeliveries counted, not stored"]
    assert checks["no 5xx, no connection error"], run["statuses"]
    assert checks["forged answered 403"] and checks["malformed answered 400"], run["statuses"]
    assert checks["rejections counted"] and checks["rejections logged"], run["rejections"]
    assert checks["/readyz 200"]
    assert checks["queue depth back to 0"]
    assert run["ok"] and proc.returncode == 0
