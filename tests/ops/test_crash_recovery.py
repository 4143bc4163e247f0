"""kill -9 a worker in the middle of the queue, start another: every message is classified
exactly once and no task is left stuck. Real processes on a real (file) database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

MESSAGES = 300


def civildesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "civildesk.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "civildesk.cli", "worker", "--interval", "0.05"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db, timeout=30) as conn:
        tasks = dict(
            conn.execute(
                "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult"
                " WHERE task_path LIKE '%classify_message' GROUP BY status"
            )
        )
        return {
            "messages": conn.execute("SELECT COUNT(*) FROM inbox_message").fetchone()[0],
            "classified": conn.execute(
                "SELECT COUNT(*) FROM inbox_message WHERE classified_at IS NOT NULL"
            ).fetchone()[0],
            "decisions": conn.execute("SELECT COUNT(*) FROM inbox_decision").fetchone()[0],
            "most_per_revision": conn.execute(
                "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM inbox_decision GROUP BY message_id, revision)"
            ).fetchone()[0],
            "running": tasks.get("RUNNING", 0),
            "ready": tasks.get("READY", 0),
            "failed": tasks.get("FAILED", 0),
        }


def test_a_killed_worker_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "CIVILDESK_DATA_DIR": str(tmp_path / "var"),
            "CIVILDESK_USE_MODEL": "0",
            "CIVILDESK_WORKER_STALE_SECONDS": "2",
            "PYTHONUNBUFFERED": "1",
        }
    )
    db = tmp_path / "var" / "civildesk.sqlite3"
    assert civildesk(env, "manage", "migrate", "--noinput").returncode == 0
    rows = tmp_path / "stream.jsonl"
    rows.write_text(
        "".join(
            json.dumps(
                {
                    "platform": "x",
                    "account_id": "trust",
                    "id": f"m{i}",
                    "kind": "mention",
                    "text": f"message {i}: when is the clinic open? my appointment letter never came",
                    "author_id": f"u{i % 37}",
                }
            )
            + "\n"
            for i in range(MESSAGES)
        )
    )
    imported = civildesk(env, "import", str(rows), "--account", "trust")
    assert imported.returncode == 0, imported.stderr
    assert counts(db)["ready"] == MESSAGES

    log = tmp_path / "worker.log"
    orphans_seen = 0
    kills = 0
    # Kill workers mid-run until one has died holding a task (almost always the first time).
    while orphans_seen == 0 and kills < 8:
        worker = start_worker(env, log)
        start = counts(db)["classified"]
        deadline = time.monotonic() + 120
        while counts(db)["classified"] < start + 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        kills += 1
        orphans_seen = counts(db)["running"]
        if counts(db)["classified"] == MESSAGES:
            break
    assert orphans_seen >= 1, f"no worker died holding a task in {kills} kills: {counts(db)}"

    worker = start_worker(env, log)
    try:
        deadline = time.monotonic() + 240
        state = counts(db)
        while time.monotonic() < deadline:
            state = counts(db)
            if state["classified"] == MESSAGES and state["running"] == 0 and state["ready"] == 0:
                break
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    assert state["classified"] == MESSAGES, (state, log.read_text()[-3000:])
    assert state["running"] == 0 and state["ready"] == 0 and state["failed"] == 0, state
    assert state["decisions"] == MESSAGES and state["most_per_revision"] == 1, state
    assert "requeued task" in log.read_text()
