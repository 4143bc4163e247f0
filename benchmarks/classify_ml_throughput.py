"""Whole-process throughput of `civildesk classify --input` with the learned heads.

Targets (issue 3): >= 250 messages/s on 2 cores over 5,000 tweets, load < 2 s, peak RSS < 600 MB.

The tweets are the first 5,000 texts of the OLID and TweetEval test splits in ../shared/data
(written to a temporary file, never into the repo); without shared data, the project's own cases
repeated. Each run is a fresh process, timed from spawn to exit, so Python start-up, imports,
model load, rules, heads and JSON output all count.

    .venv/bin/python benchmarks/classify_ml_throughput.py [--n 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe  # benchmarks/machine.py: scripts put their own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def tweets(n: int) -> list[str]:
    texts: list[str] = []
    for name in ("olid", "tweeteval_sentiment", "tweeteval_hate", "davidson"):
        path = DATA / name / "test.jsonl"
        if path.is_file():
            texts.extend(
                json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line
            )
    if not texts:
        for path in sorted((ROOT / "tests" / "cases").glob("*.jsonl")):
            texts.extend(
                json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line
            )
    if not texts:
        raise SystemExit("nothing to benchmark on")
    return (texts * (n // len(texts) + 1))[:n]


def civildesk() -> list[str]:
    exe = shutil.which("civildesk", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "civildesk.cli"]


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and this child's peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: run the biggest job last.
    rss = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return wall, rss


def load_time() -> float:
    """In-process: import the detector and load encoder + heads (what the first message pays)."""
    code = (
        "import time; t=time.perf_counter();"
        "from civildesk.detectors.learned import LearnedDetector;"
        "d=LearnedDetector(); d.load(); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    from civildesk.ml.encoder import prepare_model

    prepare_model()  # the one-off derivation is install-time work, not part of a run
    texts = tweets(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tweets.jsonl"
        path.write_text(
            "".join(json.dumps({"id": f"t{i}", "text": t}) + "\n" for i, t in enumerate(texts)),
            encoding="utf-8",
        )
        loads = [load_time() for _ in range(args.runs)]
        single = [
            run([*civildesk(), "classify", "--json", "warm up the page cache"])[0] for _ in range(args.runs)
        ]
        walls: list[float] = []
        rss = 0.0
        for _ in range(args.runs):
            wall, rss = run([*civildesk(), "classify", "--input", str(path)])
            walls.append(wall)
    best = min(walls)
    print(f"| measure ({os.cpu_count()} cores) | value | target |")
    print("|---|---|---|")
    print(
        f"| classify --input, {args.n} tweets, whole process (best of {args.runs}) | {best:.1f} s = {args.n / best:.0f} msg/s | >= 250 msg/s |"
    )
    print(f"| same, median | {args.n / statistics.median(walls):.0f} msg/s | |")
    print(
        f"| load: import + encoder + heads, in process (median) | {statistics.median(loads):.2f} s | < 2 s |"
    )
    print(f"| one message, whole process (median) | {statistics.median(single):.2f} s | |")
    print(f"| peak RSS of the classify process | {rss:.0f} MB | < 600 MB |")
    print()
    print(describe())


if __name__ == "__main__":
    main()
