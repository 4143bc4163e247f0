"""Webhook burst (issue 8): signed deliveries from the platform simulator at the highest rate the
machine takes, through real web processes and real `civildesk worker` processes, then a check
that the desk kept every promise.

    .venv/bin/python benchmarks/webhook_burst.py                         # SQLite, then PostgreSQL
    .venv/bin/python benchmarks/webhook_burst.py -n 500 --only sqlite    # a quick run
    .venv/bin/python benchmarks/webhook_burst.py --only postgres --web 2 --workers 2
    .venv/bin/python benchmarks/webhook_burst.py --rules-only            # or CIVILDESK_USE_MODEL=0

Each run uses a fresh throw-away database (a temporary SQLite file, or a new PostgreSQL database
created for the run and dropped afterwards). SQLite runs one gunicorn process (it has one
writer anyway) and one worker; PostgreSQL runs `--web` gunicorn processes and `--workers`
workers. The desk's accounts (X, Facebook, Instagram) are connected to the simulator the way
`civildesk simulate --connect-desk` does it.

The mix: 10% redeliveries (the same signed bytes again), 5% forged signatures, 5% malformed
bodies (signed correctly, not a JSON object), the rest new messages in the shapes the platforms
send (X mentions and DMs, Facebook comments and Messenger messages, Instagram comments). The
texts are the demo inbox's, so the classifier does its usual work.

Checked after the burst (the run fails, exit 1, when any check fails):
exactly the valid unique messages stored, each classified exactly once (one decision), no 5xx
and no connection error, forged deliveries answered 403 and malformed ones 400, both counted in
civildesk_webhook_rejections_total and logged by the web process, redeliveries counted not
stored, no failed delivery, /readyz 200 and the task queue back to 0 on /metrics.

Figures: deliveries/s (all deliveries, sending time), and latency percentiles from
Message.received_at (the worker stored the message) to Decision.created_at ("ingest to
decision", the issue's measure), and from the webhook's arrival (WebhookDelivery.received_at)
to Message.classified_at ("delivery to decision", what a member of the public waits for).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
ACCOUNTS = {
    "bench-x": {"platform": "x", "account_id": "4242"},
    "bench-facebook": {"platform": "facebook", "account_id": "1001"},
    "bench-instagram": {"platform": "instagram", "account_id": "17841"},
}


@dataclass(frozen=True, slots=True)
class Delivery:
    kind: str  # valid | redelivery | forged | malformed
    url: str
    body: bytes
    headers: dict[str, str]
    platform_id: str = ""  # the message it carries (valid and redelivery)
    platform: str = ""


# --- the deliveries ------------------------------------------------------------------------------


def _payload(n: int, prefix: str, text: str, accounts: dict[str, dict[str, Any]]) -> tuple[str, str, Any]:
    """One new message in one of five platform shapes: (account name, platform id, payload)."""
    from civildesk.simulator import payloads

    pid = f"{prefix}{n}"
    author = str(500 + n % 300)
    shape = n % 5
    if shape == 0:
        return "bench-x", pid, payloads.x_post_event("4242", pid, f"@council {text}", author)
    if shape == 1:
        return "bench-x", pid, payloads.x_dm_event("4242", pid, text, author)
    if shape == 2:
        return "bench-facebook", pid, payloads.facebook_comment("1001", pid, "post1", text, author, "Sam")
    if shape == 3:
        return "bench-facebook", pid, payloads.meta_message("page", "1001", pid, text, author)
    return "bench-instagram", pid, payloads.instagram_comment("17841", pid, "media1", text, author)


def build(
    n: int, accounts: dict[str, dict[str, Any]], texts: list[str], seed: int, prefix: str
) -> list[Delivery]:
    """n deliveries: 10% redeliveries, 5% forged, 5% malformed, the rest new; shuffled."""
    from civildesk.simulator.signing import signature_headers

    rng = random.Random(seed)
    forged_n = malformed_n = round(n * 0.05)
    redelivered_n = round(n * 0.10)
    valid_n = n - forged_n - malformed_n - redelivered_n

    def signed(name: str, body: bytes, forge: bool = False) -> dict[str, str]:
        acct = accounts[name]
        secret = acct["secret"] + ("-forged" if forge else "")
        return {**signature_headers(acct["platform"], secret, body), "Content-Type": "application/json"}

    out: list[Delivery] = []
    for i in range(valid_n):
        name, pid, payload = _payload(i, prefix, texts[i % len(texts)], accounts)
        body = json.dumps(payload).encode()
        out.append(
            Delivery(
                "valid", accounts[name]["webhook"], body, signed(name, body), pid, accounts[name]["platform"]
            )
        )
    for original in rng.choices(out[:valid_n], k=redelivered_n):
        out.append(
            Delivery("redelivery", original.url, original.body, original.headers, original.platform_id)
        )
    for i in range(forged_n):
        name, _, payload = _payload(10**7 + i, prefix, "forged: " + texts[i % len(texts)], accounts)
        body = json.dumps(payload).encode()
        out.append(Delivery("forged", accounts[name]["webhook"], body, signed(name, body, forge=True)))
    for i in range(malformed_n):
        name, _, payload = _payload(2 * 10**7 + i, prefix, texts[i % len(texts)], accounts)
        whole = json.dumps(payload).encode()
        # Truncated JSON, a JSON list, or bytes that are not text: all signed with the right secret.
        body = (whole[: len(whole) // 2], b"[" + whole + b"]", b"\xff\xfe" + whole[:20])[i % 3]
        out.append(Delivery("malformed", accounts[name]["webhook"], body, signed(name, body)))
    rng.shuffle(out)
    return out


def send_all(deliveries: list[Delivery], concurrency: int) -> tuple[list[tuple[Delivery, int]], float]:
    """POST every delivery from a pool of HTTP clients; (delivery, status or -1 on error) and the time."""
    import httpx

    local = threading.local()

    def post(d: Delivery) -> tuple[Delivery, int]:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=60)
        try:
            return d, client.post(d.url, content=d.body, headers=d.headers).status_code
        except httpx.HTTPError:
            return d, -1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(post, deliveries))
    return results, time.perf_counter() - started


# --- the child: one configuration, one fresh database --------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, timeout: float = 120) -> int:
    import httpx

    deadline = time.monotonic() + timeout
    status = 0
    while time.monotonic() < deadline:
        try:
            status = httpx.get(url + "/readyz", timeout=5).status_code
            if status == 200:
                return status
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return status


def _queue_depth(url: str) -> float:
    """Ready + running tasks as /metrics reports them (scraped from loopback, no token)."""
    import httpx

    body = httpx.get(url + "/metrics", timeout=30).text
    return sum(
        float(m[1])
        for m in re.finditer(r'^civildesk_tasks\{[^}]*status="(?:ready|running)"[^}]*\} (\S+)$', body, re.M)
    )


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


def child(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "civildesk.web.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count, Sum

    from civildesk.inbox.models import Decision, Message
    from civildesk.platforms.deliveries import delivery_key
    from civildesk.platforms.models import WebhookDelivery, WebhookRejection
    from civildesk.simulator.cli_commands import connect_desk
    from civildesk.simulator.server import Simulator
    from civildesk.web.demo import demo_rows
    from civildesk.web.models import DeskSettings

    call_command("migrate", verbosity=0, interactive=False)
    desk = DeskSettings.load()
    desk.auto_crisis_reply_out_of_hours = False  # results must not depend on the time of day
    desk.save()

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    sim = Simulator().start()
    scenario: dict[str, Any] = {"accounts": {k: dict(v) for k, v in ACCOUNTS.items()}}
    connect_desk(sim, scenario, url)  # what `civildesk simulate --connect-desk` does
    accounts = scenario["accounts"]
    texts = [r["text"] for r in demo_rows() if r.get("text")]

    log_path = Path(args.log_dir) / "web.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    web_log = log_path.open("wb")
    web = subprocess.Popen(
        [
            gunicorn,
            "civildesk.web.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.web}",
            "--worker-class=gthread",
            f"--threads={args.threads}",
            "--backlog=4096",
            "--timeout=60",
        ],
        env=env,
        stdout=web_log,
        stderr=subprocess.STDOUT,
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "civildesk.cli", "worker", "--interval", "0.1", "--verbosity", "0"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(args.workers)
    ]

    def settled(prefix: str, expected: int, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = Message.objects.filter(platform_id__startswith=prefix, classified_at__isnull=False).count()
            if done >= expected:
                return time.perf_counter()
            time.sleep(0.1)
        raise SystemExit(f"timed out: {expected} messages not classified within {timeout:.0f}s")

    try:
        ready_before = _wait_ready(url)
        if ready_before != 200:
            raise SystemExit(f"/readyz answered {ready_before}: see {log_path}")
        # Warm up: every worker loads the classifier on its first task; not measured.
        warm = [d for d in build(20 * args.workers, accounts, texts, seed=1, prefix="w") if d.kind == "valid"]
        send_all(warm, 4)
        settled("w", len(warm), timeout=600)

        burst = build(args.n, accounts, texts, seed=args.seed, prefix="b")
        started = time.perf_counter()
        results, send_seconds = send_all(burst, args.concurrency)
        finished = settled("b", sum(1 for d in burst if d.kind == "valid"), timeout=args.timeout)
        # The last decision is in; let the workers finish their bookkeeping before the checks.
        deadline = time.monotonic() + 30
        while _queue_depth(url) and time.monotonic() < deadline:
            time.sleep(0.2)
        ready_after = _wait_ready(url, timeout=10)
        depth_after = _queue_depth(url)
    finally:
        for p in [web, *workers]:
            p.terminate()
        for p in [web, *workers]:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        web_log.close()
        sim.stop()

    kinds = Counter(d.kind for d in burst)
    statuses: dict[str, Counter[int]] = {k: Counter() for k in kinds}
    for d, status in results:
        statuses[d.kind][status] += 1
    unique_ids = {d.platform_id for d in burst if d.kind == "valid"}
    batch = Message.objects.filter(platform_id__startswith="b")
    stored_ids = set(batch.values_list("platform_id", flat=True))
    decisions_per_message = Counter(
        dict(
            Decision.objects.filter(message__in=batch)
            .values_list("message_id")
            .annotate(n=Count("id"))
            .values_list("message_id", "n")
        )
    )
    rejections = dict(
        ((p, r), c) for p, r, c in WebhookRejection.objects.values_list("platform", "reason", "count")
    )
    refused_logged = log_path.read_text(errors="replace").count("webhook delivery refused")
    deliveries = WebhookDelivery.objects.filter(
        delivery_key__in=[delivery_key(d.platform, d.body) for d in burst if d.kind == "valid"]
    )
    all_5xx = sum(n for c in statuses.values() for s, n in c.items() if s >= 500)
    errors = sum(c[-1] for c in statuses.values())

    checks = {
        "messages stored = valid unique": len(stored_ids) == len(unique_ids) and stored_ids == unique_ids,
        "every message classified": not batch.filter(classified_at__isnull=True).exists(),
        "one decision per message": len(decisions_per_message) == len(unique_ids)
        and set(decisions_per_message.values()) == {1},
        "no 5xx, no connection error": all_5xx == 0 and errors == 0,
        "valid and redeliveries answered 200": set(statuses["valid"]) == {200}
        and set(statuses.get("redelivery", {200: 0})) == {200},
        "forged answered 403": set(statuses.get("forged", {403: 0})) == {403},
        "malformed answered 400": set(statuses.get("malformed", {400: 0})) == {400},
        "rejections counted": sum(c for (_, r), c in rejections.items() if r == "signature_invalid")
        == kinds["forged"]
        and sum(c for (_, r), c in rejections.items() if r == "malformed") == kinds["malformed"],
        "rejections logged": refused_logged == kinds["forged"] + kinds["malformed"],
        "redeliveries counted, not stored": deliveries.count() == len(unique_ids)
        and (deliveries.aggregate(n=Sum("redeliveries"))["n"] or 0) == kinds["redelivery"],
        "no failed delivery": not WebhookDelivery.objects.filter(state="failed").exists(),
        "/readyz 200": ready_after == 200,
        "queue depth back to 0": depth_after == 0,
    }

    ingest_ms = sorted(
        (d.created_at - m.received_at).total_seconds() * 1000
        for m in batch.select_related("decision")
        if (d := m.decision) is not None
    )
    classified = dict(batch.values_list("platform_id", "classified_at"))
    key_to_id = {delivery_key(d.platform, d.body): d.platform_id for d in burst if d.kind == "valid"}
    arrival_ms = sorted(
        (classified[key_to_id[k]] - at).total_seconds() * 1000
        for k, at in deliveries.values_list("delivery_key", "received_at")
        if classified.get(key_to_id[k])
    )
    return {
        "n": args.n,
        "kinds": dict(kinds),
        "web": args.web,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "deliveries_per_s": args.n / send_seconds,
        "send_seconds": send_seconds,
        "all_classified_seconds": finished - started,
        "classified_per_s": len(unique_ids) / (finished - started),
        # The machine's load while it ran (other work on a shared machine shows up here).
        "load_1min": os.getloadavg()[0],
        "ingest_p50_ms": _pct(ingest_ms, 0.50),
        "ingest_p95_ms": _pct(ingest_ms, 0.95),
        "ingest_p99_ms": _pct(ingest_ms, 0.99),
        "arrival_p50_ms": _pct(arrival_ms, 0.50),
        "arrival_p95_ms": _pct(arrival_ms, 0.95),
        "arrival_p99_ms": _pct(arrival_ms, 0.99),
        "statuses": {k: {str(s): n for s, n in c.items()} for k, c in statuses.items()},
        "rejections": {f"{p}/{r}": c for (p, r), c in rejections.items()},
        "checks": checks,
        "ok": all(checks.values()),
    }


# --- the parent: databases, configurations, the table ---------------------------------------------


def _pg_database(url: str, action: str, name: str) -> None:
    import psycopg

    from civildesk.devtools.pg_ready import server_url

    with psycopg.connect(server_url(url), autocommit=True) as conn:
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(label: str, database_url: str, web: int, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="civildesk-burst-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'burst.sqlite3'}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CIVILDESK_DATA_DIR": tmp,
            "CIVILDESK_METRICS_TOKEN": "",  # /metrics answers loopback scrapes
        }
        cmd = [
            sys.executable,
            __file__,
            "--child",
            f"-n={args.n}",
            f"--web={web}",
            f"--workers={workers}",
            f"--threads={args.threads}",
            f"--concurrency={args.concurrency}",
            f"--seed={args.seed}",
            f"--timeout={args.timeout}",
            f"--log-dir={tmp}",
        ]
        print(
            f"{label}: {args.n} deliveries, {web} web process(es), {workers} worker(s)...",
            file=sys.stderr,
            flush=True,
        )
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"{label} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["database"] = label
    return result


def table(results: list[dict[str, Any]], model: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Webhook burst, {when}, {os.cpu_count()} CPUs ({_cpu_name()}), {model}; "
        "10% redeliveries, 5% forged, 5% malformed:",
        "",
        "| database | web × workers | deliveries | deliveries/s | stored+classified/s | "
        "ingest→decision p50 / p95 / p99 ms | delivery→decision p50 / p95 / p99 ms | load (1 min) | checks |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        failed = [name for name, ok in r["checks"].items() if not ok]
        lines.append(
            f"| {r['database']} | {r['web']} × {r['workers']} | {r['n']:,} | {r['deliveries_per_s']:.0f} | "
            f"{r['classified_per_s']:.0f} | {r['ingest_p50_ms']:.0f} / {r['ingest_p95_ms']:.0f} / "
            f"{r['ingest_p99_ms']:.0f} | {r['arrival_p50_ms']:.0f} / {r['arrival_p95_ms']:.0f} / "
            f"{r['arrival_p99_ms']:.0f} | {r['load_1min']:.1f} | {'all passed' if not failed else 'FAILED: ' + ', '.join(failed)} |"
        )
    return "\n".join(lines)


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=10_000, help="deliveries in the burst (default 10000)")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--pg", default=os.environ.get("PG_URL", PG_DEFAULT), help="PostgreSQL server URL")
    parser.add_argument("--web", type=int, default=2, help="gunicorn processes on PostgreSQL (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="workers on PostgreSQL (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process (default 4)")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="HTTP clients sending at once (default 16)"
    )
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for classification")
    parser.add_argument(
        "--rules-only", action="store_true", help="classify without the learned heads (CIVILDESK_USE_MODEL=0)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON, not a table")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--log-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(args), default=str))
        return 0

    if args.rules_only:
        os.environ["CIVILDESK_USE_MODEL"] = "0"  # the children inherit it
    results: list[dict[str, Any]] = []
    if args.only in (None, "sqlite"):
        results.append(run("SQLite", "", 1, 1, args))
    if args.only in (None, "postgres"):
        from civildesk.devtools.pg_ready import answers

        if not answers(args.pg):
            print(f"PostgreSQL is not answering at {args.pg}: skipped", file=sys.stderr)
        else:
            name = f"civildesk_burst_{uuid.uuid4().hex[:8]}"
            _pg_database(args.pg, "create", name)
            try:
                results.append(
                    run("PostgreSQL", args.pg.rsplit("/", 1)[0] + f"/{name}", args.web, args.workers, args)
                )
            finally:
                _pg_database(args.pg, "drop", name)

    model = "rules only" if os.environ.get("CIVILDESK_USE_MODEL", "1") == "0" else "rules + learned heads"
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(table(results, model))
    return 0 if results and all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
