"""Macro-F1 per dataset and label on every ../shared/data test split, four systems side by side:

- model: the learned detector alone (its contract labels mapped back onto dataset labels);
- engine: the full engine (rules + model), as `civildesk classify` decides;
- rules: the rules-only engine (``Engine.default(use_model=False)``);
- apc: alt-profanity-check (predict_prob >= 0.5), run here on the same texts. It answers
  "offensive or not", so it is scored only on offensive, hateful and abusive.

Contract -> dataset labels: civildesk.policy.evaluation.DATASET_LABELS (one table for everything).
Macro-F1 is the mean of the positive- and negative-class F1 over the rows that annotate the label.
Davidson is apc's own training data: its column there is not a fair comparison.

    .venv/bin/python benchmarks/accuracy.py [--data ../shared/data] [--limit N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from civildesk.detectors.base import MessageInput, prepare
from civildesk.ml.data import Row, datasets, default_data_dir, read_split
from civildesk.policy.evaluation import score_dataset_rows

APC_LABELS = frozenset({"offensive", "hateful", "abusive"})
CHUNK = 1024
Labeller = Callable[[Sequence[Row]], list[set[str]]]


def model_labeller() -> Labeller:
    from civildesk.detectors.learned import LearnedDetector

    detector = LearnedDetector()
    detector.load()

    def run(rows: Sequence[Row]) -> list[set[str]]:
        out: list[set[str]] = []
        for k in range(0, len(rows), CHUNK):
            prepared = [prepare(MessageInput(r.text)) for r in rows[k : k + CHUNK]]
            out.extend(
                {f.label for f in found if f.score >= 0.5} for found in detector.detect_batch(prepared)
            )
        return out

    return run


def engine_labeller(use_model: bool) -> Labeller | str:
    try:
        from civildesk.policy.engine import Engine

        engine = Engine.default(use_model=use_model)
    except Exception as exc:  # the rules may not all exist yet in a partial tree
        return f"unavailable ({type(exc).__name__}: {exc})"

    def run(rows: Sequence[Row]) -> list[set[str]]:
        out: list[set[str]] = []
        for k in range(0, len(rows), CHUNK):
            decisions = engine.classify_batch([MessageInput(r.text) for r in rows[k : k + CHUNK]])
            out.extend(set(d.labels) for d in decisions)
        return out

    return run


def apc_labeller() -> Labeller | str:
    try:
        from profanity_check import predict_prob
    except ImportError:
        return "unavailable (pip install alt-profanity-check)"

    def run(rows: Sequence[Row]) -> list[set[str]]:
        probs = predict_prob([r.text for r in rows])
        # One "offensive" answer, spread over the labels it can stand for.
        return [{"profanity", "hate", "abuse"} if p >= 0.5 else set() for p in probs]

    return run


def score(
    rows: Sequence[Row], predicted: list[set[str]], only: frozenset[str] | None = None
) -> dict[str, float]:
    records = [{"labels": r.labels} for r in rows]
    counts = score_dataset_rows(records, [{"labels": sorted(p)} for p in predicted])
    return {k: round(c.macro_f1, 4) for k, c in counts.items() if only is None or k in only}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=default_data_dir())
    p.add_argument("--limit", type=int, default=0, help="first N rows of each test split (0: all)")
    p.add_argument("--json", type=Path, help="also write the numbers here")
    args = p.parse_args(argv)
    if not args.data.is_dir():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2

    systems: dict[str, Labeller | str] = {
        "model": model_labeller(),
        "engine": engine_labeller(True),
        "rules": engine_labeller(False),
        "apc": apc_labeller(),
    }
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for name in datasets(args.data):
        rows = read_split(args.data, name, "test")
        if args.limit:
            rows = rows[: args.limit]
        results[name] = {}
        for system, run in systems.items():
            if isinstance(run, str):
                continue
            t0 = time.perf_counter()
            scores = score(rows, run(rows), APC_LABELS if system == "apc" else None)
            for label, f1 in scores.items():
                results[name].setdefault(label, {})[system] = f1
            print(f"{name:20s} {system:7s} {time.perf_counter() - t0:6.1f}s", file=sys.stderr)

    cols = list(systems)
    print("| dataset (test) | label | n | " + " | ".join(cols) + " |")
    print("|---|---|---|" + "---|" * len(cols))
    for name, per in results.items():
        rows = read_split(args.data, name, "test")
        for label, cells in per.items():
            n = sum(1 for r in rows[: args.limit or None] if label in r.labels)
            vals = [f"{cells[c]:.3f}" if c in cells else "n/a" for c in cols]
            print(f"| {name} | {label} | {n} | " + " | ".join(vals) + " |")
    for system, run in systems.items():
        if isinstance(run, str):
            print(f"\n{system}: {run}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
