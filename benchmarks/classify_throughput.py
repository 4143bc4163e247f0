"""Rules-only engine throughput on one core (target: >= 10,000 messages/s).

Runs the engine in this process pinned to a single CPU over a corpus built from the project's
own labelled cases (plus the public policy examples when ../shared is present), repeated to
N messages, and prints a Markdown table for the README.

    .venv/bin/python benchmarks/classify_throughput.py [--n 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import time
from datetime import date
from pathlib import Path

from civildesk.detectors.base import MessageInput
from civildesk.policy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]


def corpus() -> list[MessageInput]:
    files = sorted((ROOT / "tests" / "cases").glob("*.jsonl"))
    shared = ROOT.parent / "shared" / "policy_examples.jsonl"
    if shared.exists():
        files.append(shared)
    out: list[MessageInput] = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                out.append(MessageInput(text=r["text"], platform=r.get("platform"), kind=r.get("kind")))
    if not out:
        raise SystemExit("no labelled cases found to benchmark on")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    t0 = time.perf_counter()
    engine = Engine.default(use_model=False)
    load_s = time.perf_counter() - t0
    base = corpus()
    messages = (base * (args.n // len(base) + 1))[: args.n]

    for m in base:  # warm-up: compiled regex caches, first-call costs
        engine.classify(m)

    latencies: list[float] = []
    start = time.perf_counter()
    for m in messages:
        t = time.perf_counter()
        engine.classify(m)
        latencies.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - start

    latencies.sort()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mean_chars = statistics.mean(len(m.text) for m in messages)
    print(
        f"Rules-only engine, one core — {date.today()} — {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print()
    print("| messages | mean length (chars) | msgs/s | mean µs | p95 µs | p99 µs | load s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(messages):,} | {mean_chars:.0f} | {len(messages) / elapsed:,.0f} "
        f"| {1e6 * elapsed / len(messages):.0f} | {1e6 * latencies[int(0.95 * len(latencies))]:.0f} "
        f"| {1e6 * latencies[int(0.99 * len(latencies))]:.0f} | {load_s:.2f} | {rss_mb:.0f} |"
    )


if __name__ == "__main__":
    main()
