"""Rules-only engine throughput on one core (target: >= 10,000 messages/s).

Runs the engine in this process pinned to a single CPU over two corpora and prints a Markdown
table for the README:

- **tweets**: ordinary public tweets, the OLID and TweetEval texts in ../shared/data (read in
  place, never copied into the repo; nothing is tuned on them, they are only timed) — what a
  desk's stream mostly looks like;
- **hard cases**: the project's own labelled cases plus the policy examples, written to trigger
  detectors (crisis, threats, personal information, staff), repeated to N — the worst case.

Both wall-clock and CPU time are reported: on a busy machine CPU time is the fairer figure.

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

from civildesk.cli import BATCH  # the batch size of `civildesk classify --input`
from civildesk.detectors.base import MessageInput
from civildesk.policy.engine import Engine, keep_for_life
from machine import describe  # benchmarks/machine.py: scripts put their own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def _read(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def hard_cases() -> list[MessageInput]:
    files = sorted((ROOT / "tests" / "cases").glob("*.jsonl"))
    shared = ROOT.parent / "shared" / "policy_examples.jsonl"
    if shared.exists():
        files.append(shared)
    return [
        MessageInput(text=str(r["text"]), platform=r.get("platform"), kind=r.get("kind"))  # type: ignore[arg-type]
        for path in files
        for r in _read(path)
    ]


def tweets() -> list[MessageInput]:
    out: list[MessageInput] = []
    for name in ("olid", "tweeteval_sentiment", "tweeteval_hate"):
        path = DATA / name / "test.jsonl"
        if path.is_file():
            out.extend(MessageInput(text=str(r["text"]), platform="x", kind="mention") for r in _read(path))
    return out


def measure(engine: Engine, base: list[MessageInput], n: int) -> dict[str, float]:
    """One message at a time, as the desk's worker classifies a delivery."""
    messages = (base * (n // len(base) + 1))[:n]
    for m in base:  # warm-up: first-call costs, and the patterns each detector compiles on first use
        engine.classify(m)
    latencies: list[float] = []
    cpu0, start = time.process_time(), time.perf_counter()
    for m in messages:
        t = time.perf_counter()
        engine.classify(m)
        latencies.append(time.perf_counter() - t)
    return _summary(messages, latencies, time.perf_counter() - start, time.process_time() - cpu0)


def measure_batched(engine: Engine, base: list[MessageInput], n: int) -> dict[str, float]:
    """``classify_batch`` in batches of BATCH, as ``civildesk classify --input`` and replays run.
    The latency columns are a batch's time divided by its size."""
    messages = (base * (n // len(base) + 1))[:n]
    engine.classify_batch(base)  # warm-up, as above
    latencies: list[float] = []
    cpu0, start = time.process_time(), time.perf_counter()
    for k in range(0, len(messages), BATCH):
        chunk = messages[k : k + BATCH]
        t = time.perf_counter()
        engine.classify_batch(chunk)
        latencies.extend([(time.perf_counter() - t) / len(chunk)] * len(chunk))
    return _summary(messages, latencies, time.perf_counter() - start, time.process_time() - cpu0)


def _summary(
    messages: list[MessageInput], latencies: list[float], elapsed: float, cpu: float
) -> dict[str, float]:
    latencies.sort()
    return {
        "n": len(messages),
        "chars": statistics.mean(len(m.text) for m in messages),
        "wall_rate": len(messages) / elapsed,
        "cpu_rate": len(messages) / cpu,
        "p50": 1e6 * latencies[len(latencies) // 2],
        "p95": 1e6 * latencies[int(0.95 * len(latencies))],
        "p99": 1e6 * latencies[int(0.99 * len(latencies))],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    t0 = time.perf_counter()
    engine = Engine.default(use_model=False)
    load_s = time.perf_counter() - t0
    keep_for_life()  # as the desk and `classify --input` do once their engine is built
    corpora = [("tweets", tweets()), ("hard cases", hard_cases())]

    print(
        f"Rules-only engine, one core — {date.today()} — {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; engine load {load_s:.2f} s; {describe()}"
    )
    print()
    print(
        "| corpus | mode | messages | mean chars | msgs/s (wall) | msgs/s (CPU) | p50 µs | p95 µs | p99 µs |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, base in corpora:
        if not base:
            print(f"| {name} | | (not available: ../shared/data missing) | | | | | | |")
            continue
        for mode, run in (("one by one", measure), (f"batches of {BATCH}", measure_batched)):
            r = run(engine, base, args.n)
            print(
                f"| {name} | {mode} | {r['n']:,.0f} | {r['chars']:.0f} | {r['wall_rate']:,.0f} "
                f"| {r['cpu_rate']:,.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} |"
            )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"Peak RSS {rss_mb:.0f} MB.")


if __name__ == "__main__":
    main()
