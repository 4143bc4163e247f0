"""Reading the shared datasets and the project's own cases, and the seeded train/dev carve.

Only ``train.jsonl`` files are ever used to fit or tune; ``test.jsonl`` is read for reporting.
"""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from civildesk.detectors.base import LABELS
from civildesk.ml.labels import DATASET_LABELS

SEED = 20241124
DEV_FRACTION = 0.15
REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    text: str
    dataset: str  # folder name, or "cases"
    labels: dict[str, int]  # dataset labels (annotated keys only)
    contract: frozenset[str] | None = None  # project cases: the full contract label set
    meta: dict[str, str] = field(default_factory=dict)


def default_data_dir() -> Path:
    env = os.environ.get("CIVILDESK_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


def default_cases_dir() -> Path:
    return REPO_ROOT / "tests" / "cases"


def datasets(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.iterdir() if (p / "train.jsonl").is_file())


def read_split(data_dir: Path, dataset: str, split: str) -> list[Row]:
    rows = []
    with (data_dir / dataset / f"{split}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                rows.append(Row(d["id"], d["text"], dataset, {k: int(v) for k, v in d["labels"].items()}))
    return rows


# Case files written after the shipped heads were trained: never trained on, so the engine's
# figures on them (with the model) are honest. Add new case files here before retraining.
HELD_OUT_CASE_FILES = frozenset({"crisis_second.jsonl"})


def read_cases(cases_dir: Path) -> list[Row]:
    """Project cases carry a full contract label list, so every dataset label is annotated.
    Files in ``HELD_OUT_CASE_FILES`` are left out: they measure, they do not teach."""
    rows: list[Row] = []
    if not cases_dir.is_dir():
        return rows
    for path in sorted(p for p in cases_dir.glob("*.jsonl") if p.name not in HELD_OUT_CASE_FILES):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            contract = frozenset(x for x in d.get("labels", []) if x in LABELS)
            labels = {name: int(bool(contract & mapped)) for name, mapped in DATASET_LABELS.items()}
            rows.append(Row(f"cases:{d.get('id', len(rows))}", d["text"], "cases", labels, contract))
    return rows


def carve_dev(
    rows: Iterable[Row], seed: int = SEED, fraction: float = DEV_FRACTION
) -> tuple[list[Row], list[Row]]:
    """Seeded split, stratified by dataset and label pattern, so every dev set keeps its base rates."""
    strata: dict[tuple[str, tuple[tuple[str, int], ...]], list[Row]] = defaultdict(list)
    for r in rows:
        key = (
            tuple(sorted(r.labels.items()))
            if r.contract is None
            else tuple(sorted((x, 1) for x in r.contract))
        )
        strata[(r.dataset, key)].append(r)
    rng = random.Random(seed)
    train: list[Row] = []
    dev: list[Row] = []
    for stratum in sorted(strata):
        group = sorted(strata[stratum], key=lambda r: r.id)
        rng.shuffle(group)
        n_dev = round(len(group) * fraction)
        dev.extend(group[:n_dev])
        train.extend(group[n_dev:])
    return train, dev
