"""Crash recovery beyond the worker's queue (issue 8), with real processes on a real SQLite file
and the platform simulator running in this test's process:

- the web process is killed with SIGKILL in the middle of a webhook burst; the platforms send
  again whatever was not answered 200, and every message still arrives exactly once, classified
  exactly once, with no task left behind;
- a worker is killed with SIGKILL while a platform is answering a scheduled post; no post goes
  out twice, and the one caught mid-call is left "unknown" for a person, not posted again.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from civildesk.platforms.deliveries import delivery_key
from civildesk.simulator import payloads
from civildesk.simulator.server import Reply, Simulator
from civildesk.simulator.signing import signature_headers

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = {
    "trust-x": {"platform": "x", "account_id": "4242"},
    "trust-facebook": {"platform": "facebook", "account_id": "1001"},
    "trust-instagram": {"platform": "instagram", "account_id": "17841"},
}
MESSAGES = 240  # distinct messages in the burst
REDELIVERED = 30  # of them sent twice anyway, as platforms do
KILL_AFTER = 40  # answers before each kill of the web process
MAX_KILLS = 2  # each catches a stored-but-unanswered delivery about half the time


# --- processes ---------------------------------------------------------------------------------


def desk_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CIVILDESK_ENV"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "civildesk.web.settings",
            "CIVILDESK_DATA_DIR": str(tmp_path / "var"),
            "CIVILDESK_USE_MODEL": "0",
            "CIVILDESK_WORKER_STALE_SECONDS": "2",
            # No polling chain: its next run always waits on the queue, and it would call the simulator.
            "CIVILDESK_POLL_SECONDS": "0",
            "CIVILDESK_METRICS_TOKEN": "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def civildesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "civildesk.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def python(env: dict[str, str], code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` against the desk's database, in a process of its own like the desk's."""
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "civildesk.cli", "worker", "--interval", "0.05"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def start_web(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn as in production when it is installed, else `civildesk serve`; in a process group of
    its own so that a kill takes the master and its worker down together, as a lost machine does."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    command = (
        [
            gunicorn,
            "civildesk.web.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--worker-class=gthread",
            "--threads=4",
            "--timeout=60",
        ]
        if gunicorn
        else [sys.executable, "-m", "civildesk.cli", "serve", "--port", str(port)]
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def kill(proc: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def stop_worker(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the desk at {url} did not become ready in {timeout:.0f}s")


def wait_for(check: Callable[[], bool], timeout: float, pause: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(pause)
    return check()


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db, timeout=30) as conn:
        return list(conn.execute(sql, params))


def tasks_waiting(db: Path, path_like: str) -> dict[str, int]:
    rows = query(
        db,
        "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult WHERE task_path LIKE ? GROUP BY status",
        path_like,
    )
    counts = dict(rows)
    return {"running": counts.get("RUNNING", 0), "ready": counts.get("READY", 0)}


# --- 1. the web process killed in the middle of a burst ----------------------------------------

CONNECT_ACCOUNTS = """
import json, sys
from civildesk.simulator.cli_commands import connect_desk
from civildesk.web.models import DeskSettings

desk = DeskSettings.load()
desk.auto_crisis_reply_out_of_hours = False  # what the desk does must not depend on the hour
desk.save()

class Simulator:  # connect_desk only asks the simulator where each platform is
    def base_url(self, platform):
        return sys.argv[1] + "/" + platform

scenario = {"accounts": json.loads(sys.argv[3])}
connect_desk(Simulator(), scenario, sys.argv[2])
print(json.dumps(scenario["accounts"]))
"""


@dataclass(frozen=True, slots=True)
class Delivery:
    platform_id: str
    platform: str
    url: str
    body: bytes
    headers: dict[str, str]


def shape(n: int, pid: str, author: str, text: str) -> tuple[str, dict[str, Any]]:
    """One message in one of the five shapes the platforms send: (account name, payload)."""
    kind = n % 5
    if kind == 0:
        return "trust-x", payloads.x_post_event("4242", pid, f"@trust {text}", author)
    if kind == 1:
        return "trust-x", payloads.x_dm_event("4242", pid, text, author)
    if kind == 2:
        return "trust-facebook", payloads.facebook_comment("1001", pid, "post1", text, author, "Sam")
    if kind == 3:
        return "trust-facebook", payloads.meta_message("page", "1001", pid, text, author)
    return "trust-instagram", payloads.instagram_comment("17841", pid, "media1", text, author)


def burst(accounts: dict[str, dict[str, Any]]) -> list[Delivery]:
    """MESSAGES new messages in five platform shapes, REDELIVERED of them twice, interleaved."""
    out: list[Delivery] = []
    for n in range(MESSAGES):
        pid, author, text = (
            f"k{n}",
            str(700 + n % 90),
            f"question {n}: when does the clinic open on Saturday?",
        )
        name, payload = shape(n, pid, author, text)
        acct = accounts[name]
        body = json.dumps(payload).encode()
        headers = {
            **signature_headers(acct["platform"], acct["secret"], body),
            "Content-Type": "application/json",
        }
        out.append(Delivery(pid, acct["platform"], acct["webhook"], body, headers))
    # Redeliveries of early messages arrive late in the burst: some land after the restart.
    return out + out[: REDELIVERED * 3 : 3]


class Sender:
    """Platforms' delivery clients: many at once, each answer recorded as it comes back."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answered = 0
        self.cut_off = 0  # connected, then the connection died before an answer: killed mid-request
        self.local = threading.local()

    def post(self, d: Delivery) -> int:
        client = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = httpx.Client(timeout=30)
        try:
            status = client.post(d.url, content=d.body, headers=d.headers).status_code
        except httpx.ConnectError:
            status = -1  # nobody listening (the desk is down)
        except httpx.HTTPError:
            status = -2
            with self.lock:
                self.cut_off += 1
        with self.lock:
            self.answered += 1
        return status

    def send(self, deliveries: list[Delivery], concurrency: int = 8) -> list[int]:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(self.post, deliveries))


def send_until_killed(
    env: dict[str, str], port: int, log: Path, deliveries: list[Delivery]
) -> tuple[list[int], int]:
    """Start the desk, send, SIGKILL it after KILL_AFTER answers while the senders carry on (as
    the platforms would); each delivery's status, and how many were cut off mid-request."""
    web = start_web(env, port, log)
    sender = Sender()
    results: list[int] = []
    sending = threading.Thread(target=lambda: results.extend(sender.send(deliveries)))
    try:
        wait_ready(f"http://127.0.0.1:{port}")
        sending.start()
        assert wait_for(lambda: sender.answered >= KILL_AFTER, timeout=60, pause=0.005)
    finally:
        kill(web)  # SIGKILL, master and worker at once, with requests in flight
    sending.join(timeout=120)
    assert len(results) == len(deliveries)
    return results, sender.cut_off


def test_a_web_process_killed_mid_burst_loses_and_duplicates_no_message(tmp_path: Path) -> None:
    env = desk_env(tmp_path)
    db = tmp_path / "var" / "civildesk.sqlite3"
    migrated = civildesk(env, "manage", "migrate", "--noinput", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"

    with Simulator() as sim:
        connected = python(env, CONNECT_ACCOUNTS, sim.url, url, json.dumps(ACCOUNTS))
        assert connected.returncode == 0, connected.stderr
        accounts = json.loads(connected.stdout.strip().splitlines()[-1])
        deliveries = burst(accounts)

        # Kill the desk mid-burst, bring it back, carry on sending what was not answered 200, kill
        # again... until a kill has landed after a delivery was stored and before its answer left
        # (the case that must become a redelivery, not a second message), or the rounds run out.
        pending, kills = deliveries, 0
        answered: set[bytes] = set()
        stored_unanswered: list[Delivery] = []
        while not stored_unanswered and kills < MAX_KILLS and len(pending) > KILL_AFTER:
            results, cut = send_until_killed(env, port, web_log, pending)
            kills += 1
            assert cut >= 1, "the kill landed between requests, not in the middle of one"
            answered |= {d.body for d, s in zip(pending, results, strict=True) if s == 200}
            stored = {k for (k,) in query(db, "SELECT delivery_key FROM platforms_webhookdelivery")}
            stored_unanswered += [
                d
                for d, s in zip(pending, results, strict=True)
                if s == -2 and d.body not in answered and delivery_key(d.platform, d.body) in stored
            ]
            pending = [d for d, s in zip(pending, results, strict=True) if s != 200]

        # The desk comes back; the platforms send again each delivery not answered 200.
        web = start_web(env, port, web_log)
        try:
            wait_ready(url)
            for _ in range(5):
                statuses = Sender().send(pending)
                pending = [d for d, s in zip(pending, statuses, strict=True) if s != 200]
                if not pending:
                    break
            assert not pending, f"{len(pending)} deliveries never answered 200"
        finally:
            kill(web, signal.SIGTERM)

        worker = start_worker(env, worker_log)
        try:

            def settled() -> bool:
                classified = query(db, "SELECT COUNT(*) FROM inbox_message WHERE classified_at IS NOT NULL")
                waiting = tasks_waiting(db, "%")
                return classified[0][0] >= MESSAGES and waiting == {"running": 0, "ready": 0}

            wait_for(settled, timeout=90, pause=0.2)
        finally:
            stop_worker(worker)

    wanted = {d.platform_id for d in deliveries}
    messages = Counter(pid for (pid,) in query(db, "SELECT platform_id FROM inbox_message"))
    assert set(messages) == wanted, f"missing {sorted(wanted - set(messages))[:10]}"
    assert set(messages.values()) == {1}
    unclassified = query(db, "SELECT COUNT(*) FROM inbox_message WHERE classified_at IS NULL")[0][0]
    assert unclassified == 0, worker_log.read_text()[-3000:]
    # One decision each: classified exactly once.
    decisions = Counter(m for (m,) in query(db, "SELECT message_id FROM inbox_decision"))
    assert len(decisions) == MESSAGES and set(decisions.values()) == {1}
    assert tasks_waiting(db, "%classify_message") == {"running": 0, "ready": 0}
    assert tasks_waiting(db, "%process_delivery") == {"running": 0, "ready": 0}
    states = dict(query(db, "SELECT state, COUNT(*) FROM platforms_webhookdelivery GROUP BY state"))
    assert states == {"processed": MESSAGES}, states
    # Every delivery sent more than once (the redeliveries, and any stored by a request the kill cut
    # off before its answer, caught in most runs) was counted as a redelivery, not stored again.
    redeliveries = query(db, "SELECT COALESCE(SUM(redeliveries), 0) FROM platforms_webhookdelivery")[0][0]
    assert redeliveries >= REDELIVERED + len({d.body for d in stored_unanswered})


# --- 2. a worker killed while a platform is publishing a scheduled post ------------------------

SCHEDULE_POSTS = """
import sys
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from civildesk.inbox.models import Account
from civildesk.platforms.models import PlatformAccount
from civildesk.publishing import services
from civildesk.simulator.accounts import credentials_for
from civildesk.web.models import StaffProfile

sim_url, texts = sys.argv[1], sys.argv[2:]
officer = get_user_model().objects.create_user("officer", password="a long passphrase for the desk")
StaffProfile.objects.create(user=officer, role="officer")
connected = PlatformAccount(platform="x", account_id="4242", name="trust on X", api_base_url=sim_url + "/x")
connected.set_credentials(credentials_for("x"))
connected.save()
account, _ = Account.objects.get_or_create(platform="x", platform_account_id="4242")
now = timezone.now()
for text in texts:
    draft = services.Draft(text=text, account_ids=(account.pk,), scheduled_at=now + timedelta(seconds=1))
    services.create_post(officer, draft, now=now)
"""

# Ten minutes and more later (SENDING_LEASE), the desk gives up waiting for a dead worker's answer.
TEN_MINUTES_LATER = """
from datetime import timedelta
from unittest import mock
from django.utils import timezone
from civildesk.publishing import tasks
later = timezone.now() + tasks.SENDING_LEASE + timedelta(minutes=1)
with mock.patch("django.utils.timezone.now", return_value=later):
    print(tasks.reconcile())
"""

POSTS = [f"Clinic update {n}: the Saturday walk-in clinic opens at {9 + n}am." for n in range(6)]
PUBLISH_SECONDS = 1.0


class BusyPlatform(Simulator):
    """X taking its time over each new post, as a busy platform does. The post is on the platform
    (recorded) before the answer leaves, so a worker killed while it waits has published without
    ever hearing so: the case the desk must not repeat."""

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> tuple[Reply, float]:
        reply, delay = super().handle(method, raw_path, headers, raw_body)
        if method == "POST" and urlsplit(raw_path).path == "/x/2/tweets" and reply.status < 400:
            delay = max(delay, PUBLISH_SECONDS)
        return reply, delay

    def published(self) -> Counter[str]:
        return Counter(a.body["text"] for a in self.done("x", "publish"))

    def more_published_than(self, seen: int) -> Callable[[], bool]:
        return lambda: sum(self.published().values()) > seen


def targets(db: Path) -> dict[str, str]:
    """Each post's text and its X target's state."""
    return dict(
        query(
            db,
            "SELECT p.text, t.state FROM publishing_posttarget t JOIN publishing_scheduledpost p ON p.id = t.post_id",
        )
    )


def test_a_worker_killed_while_publishing_posts_nothing_twice(tmp_path: Path) -> None:
    env = desk_env(tmp_path)
    db = tmp_path / "var" / "civildesk.sqlite3"
    migrated = civildesk(env, "manage", "migrate", "--noinput", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    log = tmp_path / "worker.log"

    with BusyPlatform() as platform:
        scheduled = python(env, SCHEDULE_POSTS, platform.url, *POSTS)
        assert scheduled.returncode == 0, scheduled.stderr
        assert set(targets(db).values()) == {"pending"}
        time.sleep(1.2)  # the posts are due

        # Kill workers while the platform is answering, until one dies holding a claim (the first
        # kill almost always does: the answer takes a second).
        caught: dict[str, str] = {}
        kills = 0
        while not caught and kills < 4:
            seen = sum(platform.published().values())
            worker = start_worker(env, log)
            reached = wait_for(platform.more_published_than(seen), timeout=30, pause=0.01)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            kills += 1
            assert reached, log.read_text()[-3000:]
            caught = {text: state for text, state in targets(db).items() if state == "sending"}
        assert len(caught) == 1, f"no worker died holding a claim in {kills} kills: {targets(db)}"
        (killed_text,) = caught
        assert platform.published()[killed_text] == 1  # it is out there; the desk never heard

        worker = start_worker(env, log)
        try:

            def settled() -> bool:
                states = set(targets(db).values())
                return "pending" not in states and tasks_waiting(db, "%publish_target") == {
                    "running": 0,
                    "ready": 0,
                }

            assert wait_for(settled, timeout=60, pause=0.2), (targets(db), log.read_text()[-3000:])
        finally:
            stop_worker(worker)
        # The dead worker's task was run again (its worker stopped beating) and found the claim.
        assert "requeued task" in log.read_text()
        assert targets(db)[killed_text] == "sending"

        later = python(env, TEN_MINUTES_LATER)
        assert later.returncode == 0, later.stderr
        published = platform.published()

    final = targets(db)
    assert set(final) == set(POSTS)
    assert final[killed_text] == "unknown"  # a person checks the platform
    assert all(final[text] == "published" for text in POSTS if text != killed_text), final
    # Nothing went out twice, and everything the desk calls published went out once.
    assert set(published) <= set(POSTS) and max(published.values()) == 1, published
    assert all(published[text] == 1 for text, state in final.items() if state == "published")
