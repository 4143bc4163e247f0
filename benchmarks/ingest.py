"""Ingest benchmark: messages stored + classified per second through the ingestion service, and
the time from ingest to a visible decision, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/ingest.py                    # SQLite (1 worker) + PostgreSQL (1, 2 workers)
    .venv/bin/python benchmarks/ingest.py --only sqlite -n 500
    .venv/bin/python benchmarks/ingest.py --pg postgres://postgres@127.0.0.1:5432/postgres

Each run uses a fresh throw-away database (a temporary SQLite file, or a new PostgreSQL database
that is dropped afterwards), real `civildesk worker` processes, and the demo inbox's texts.

- burst: N messages ingested as fast as one process can; "ingest/s" is the storing rate (message
  + task row in one transaction), "end-to-end/s" is N divided by the time until the last decision
  is stored.
- paced: messages arrive at a steady rate well under capacity (like a busy day, not a flood);
  latency is decision.created_at - message.received_at, p50 / p95 / max.

The out-of-hours automatic reply is switched off so results do not depend on the time of day.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


# --- the child: one configuration, one fresh database ---------------------------------------


def _child(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "civildesk.web.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from civildesk.inbox.inbound import InboundMessage
    from civildesk.inbox.ingest import ingest
    from civildesk.inbox.models import Message
    from civildesk.web.demo import demo_rows
    from civildesk.web.models import DeskSettings

    call_command("migrate", verbosity=0, interactive=False)
    desk = DeskSettings.load()
    desk.auto_crisis_reply_out_of_hours = False
    desk.save()

    texts = [(r["platform"], r["kind"], r["text"]) for r in demo_rows() if r.get("text")]
    counter = iter(range(10**9))

    def message(batch: str) -> InboundMessage:
        n = next(counter)
        platform, kind, text = texts[n % len(texts)]
        return InboundMessage(
            platform=platform,
            account_id=f"bench-{platform}",
            platform_id=f"{batch}-{n}",
            kind=kind,
            text=text,
            author_id=f"author-{n % 500}",
            author_handle=f"author{n % 500}",
            thread_id=batch,
        )

    def wait_for(batch: str, count: int, timeout: float) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            done = Message.objects.filter(thread_id=batch, classified_at__isnull=False).count()
            if done >= count:
                return time.perf_counter()
            time.sleep(0.02)
        raise SystemExit(f"timed out: {batch} not classified within {timeout}s")

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "civildesk.cli",
                "worker",
                "--interval",
                str(args.interval),
                "--verbosity",
                "0",
            ],
            env=env,
        )
        for _ in range(args.workers)
    ]
    try:
        # Warm up: every worker loads the engine on its first task.
        for _ in range(20 * args.workers):
            ingest(message("warmup"))
        wait_for("warmup", 20 * args.workers, timeout=300)

        burst = "burst"
        started = time.perf_counter()
        for _ in range(args.n):
            ingest(message(burst))
        stored = time.perf_counter()
        finished = wait_for(burst, args.n, timeout=1800)

        paced = "paced"
        gap = 1.0 / args.rate
        next_at = time.perf_counter()
        for _ in range(args.paced):
            ingest(message(paced))
            next_at += gap
            time.sleep(max(0.0, next_at - time.perf_counter()))
        wait_for(paced, args.paced, timeout=600)
        latencies = sorted(
            (m.decision.created_at - m.received_at).total_seconds() * 1000
            for m in Message.objects.filter(thread_id=paced).select_related("decision")
            if m.decision is not None
        )
        classify_ms = [
            m.decision.classify_ms
            for m in Message.objects.filter(thread_id=burst).select_related("decision")
            if m.decision is not None
        ]
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, round(q * (len(values) - 1)))]

    return {
        "n": args.n,
        "workers": args.workers,
        "ingest_per_s": args.n / (stored - started),
        "end_to_end_per_s": args.n / (finished - started),
        "classify_ms_median": statistics.median(classify_ms),
        "paced_rate": args.rate,
        "paced_n": args.paced,
        "latency_p50_ms": pct(latencies, 0.50),
        "latency_p95_ms": pct(latencies, 0.95),
        "latency_max_ms": latencies[-1],
    }


# --- the parent: databases, configurations, the table ------------------------------------------


def _pg_database(url: str, action: str, name: str) -> None:
    import psycopg

    from civildesk.devtools.pg_ready import server_url

    with psycopg.connect(server_url(url), autocommit=True) as conn:
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(
    label: str, database_url: str, workers: int, args: argparse.Namespace, data_dir: str
) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CIVILDESK_DATA_DIR": data_dir,
        "CIVILDESK_USE_MODEL": "0" if args.rules_only else "1",
    }
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "-n",
        str(args.n),
        "--workers",
        str(workers),
        "--rate",
        str(args.rate),
        "--paced",
        str(args.paced),
        "--interval",
        str(args.interval),
    ]
    print(f"running {label} with {workers} worker(s)...", file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["database"] = label
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=1000, help="messages in the burst (default 1000)")
    parser.add_argument("--paced", type=int, default=200, help="messages in the paced run (default 200)")
    parser.add_argument("--rate", type=float, default=10.0, help="paced arrival rate per second (default 10)")
    parser.add_argument(
        "--interval", type=float, default=0.2, help="worker idle poll interval (default 0.2 s)"
    )
    parser.add_argument(
        "--pg", default=os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--pg-workers", default="1,2", help="worker counts to try on PostgreSQL")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--rules-only", action="store_true", help="classify without the learned heads")
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(_child(args)))
        return 0

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="civildesk-bench-") as tmp:
        if args.only in (None, "sqlite"):
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            results.append(_run("SQLite", url, 1, args, tmp))
        if args.only in (None, "postgres"):
            from civildesk.devtools.pg_ready import answers

            if not answers(args.pg):
                print(f"PostgreSQL is not answering at {args.pg}: skipped", file=sys.stderr)
            else:
                for workers in (int(w) for w in args.pg_workers.split(",")):
                    name = f"civildesk_bench_{uuid.uuid4().hex[:8]}"
                    _pg_database(args.pg, "create", name)
                    try:
                        url = args.pg.rsplit("/", 1)[0] + f"/{name}"
                        results.append(_run("PostgreSQL", url, workers, args, tmp))
                    finally:
                        _pg_database(args.pg, "drop", name)

    model = "rules only" if args.rules_only else "rules + learned heads"
    print(
        f"\nIngest -> decision, {args.n}-message burst and {args.paced} messages paced at {args.rate:g}/s "
        f"({model}; {os.cpu_count()} CPUs):\n"
    )
    print(
        "| database | workers | ingest/s | stored+classified/s | classify ms (median) | p50 ms | p95 ms | max ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['database']} | {r['workers']} | {r['ingest_per_s']:.0f} | {r['end_to_end_per_s']:.0f} | "
            f"{r['classify_ms_median']:.1f} | {r['latency_p50_ms']:.0f} | {r['latency_p95_ms']:.0f} | "
            f"{r['latency_max_ms']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
