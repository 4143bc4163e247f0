"""A fixed reference workload, so benchmark tables from different machines can be compared.

Shared virtual machines differ a lot in single-core speed (the same commit has measured 5,536 and
2,017 rules-only messages/s on two machines of the same kind). Every table prints this figure
beside its results: divide two tables' rates by their reference speeds before comparing them.

The workload is plain CPython (integer arithmetic, dict and str operations, a regex scan), the
mix the rules engine spends its time on. Best of fifteen runs, so a busy neighbour mostly drops out.
"""

from __future__ import annotations

import re
import time

_WORDS = re.compile(r"[a-z]+")
_TEXT = "the quick brown fox jumps over the lazy dog and keeps on running " * 20


def _workload() -> int:
    total = 0
    seen: dict[str, int] = {}
    for i in range(20_000):
        total += i * i % 7
        word = _TEXT[i % 200 : i % 200 + 5]
        seen[word] = seen.get(word, 0) + 1
    for _ in range(200):
        total += len(_WORDS.findall(_TEXT))
    return total + len(seen)


def reference_ms() -> float:
    """Milliseconds for one run of the reference workload, best of fifteen (lower is faster)."""
    best = float("inf")
    for _ in range(15):
        start = time.perf_counter()
        _workload()
        best = min(best, time.perf_counter() - start)
    return 1000 * best


def describe() -> str:
    return f"reference workload {reference_ms():.1f} ms (benchmarks/machine.py; lower is a faster core)"


if __name__ == "__main__":
    print(describe())
