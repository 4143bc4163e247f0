"""`civildesk demo --serve` (what `make run` runs) on a fresh directory: migrate, demo admin with a
password printed once, demo inbox, web + one worker on SQLite, the URL printed; stopping it stops
the worker too."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in out.stdout.split()]


def test_demo_serve_on_a_fresh_directory(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        {"CIVILDESK_DATA_DIR": str(tmp_path / "var"), "CIVILDESK_USE_MODEL": "0", "PYTHONUNBUFFERED": "1"}
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "civildesk.cli", "demo", "--serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "is running at" in line:
                break
        out = "".join(lines)
        assert f"civildesk is running at http://127.0.0.1:{port}/" in out, out
        assert re.search(r"Demo admin password:\s+\S{16,}", out), out
        assert "212 new messages" in out

        body = ""
        for _ in range(50):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "Log in to civildesk" in body

        # The worker classifies the demo inbox in the background.
        db = tmp_path / "var" / "civildesk.sqlite3"
        classified = 0
        for _ in range(300):
            with sqlite3.connect(db) as conn:
                classified = conn.execute(
                    "select count(*) from inbox_message where classified_at is not null"
                ).fetchone()[0]
            if classified >= 212:
                break
            time.sleep(0.5)
        assert classified >= 212

        # The platform simulator then sends new messages through the signed webhooks: the crisis
        # DM on Instagram arrives, is classified P1, and the forged delivery is stored nowhere.
        crisis: tuple[str, str] | None = None
        for _ in range(240):
            with sqlite3.connect(db) as conn:
                crisis = conn.execute(
                    "select m.priority, m.platform from inbox_message m"
                    " where m.text like '%keep going tonight%' and m.classified_at is not null"
                ).fetchone()
                deliveries = conn.execute("select count(*) from platforms_webhookdelivery").fetchone()[0]
                forged = conn.execute(
                    "select count(*) from inbox_message where text like '%forged%'"
                ).fetchone()[0]
            if crisis is not None:
                break
            time.sleep(0.5)
        assert crisis == ("P1", "instagram"), crisis
        assert deliveries >= 3 and forged == 0  # X, Facebook, then the Instagram DM
        worker_pids = children(proc.pid)
        assert len(worker_pids) == 2, "the worker and the platform simulator should be running"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    time.sleep(0.5)
    for pid in worker_pids:
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
        )
