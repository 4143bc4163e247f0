"""The shipped heads must still reach the model card's numbers on the shared test splits.

A change to the normaliser, the features, the encoder or the weights that is not followed by
`civildesk train` shows up here as a drop: each head's macro-F1 on each test split may not fall
more than 0.01 below what metrics.json (the model card's source) recorded at training time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civildesk.ml.data import datasets, read_split
from civildesk.ml.heads import MODEL_DIR, HeadSet
from civildesk.ml.labels import HEADS

TOLERANCE = 0.01


def test_the_model_card_names_the_encoder_thresholds_and_metrics() -> None:
    card = (MODEL_DIR / "model_card.md").read_text(encoding="utf-8")
    metrics = json.loads((MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))
    thresholds = json.loads((MODEL_DIR / "thresholds.json").read_text(encoding="utf-8"))
    assert metrics["meta"]["encoder_sha256"] in card
    assert [h["name"] for h in thresholds["heads"]] == [h.name for h in HEADS]
    for head in HEADS:
        assert metrics["dev"][head.name], head.name
        assert f"| {head.name} |" in card


@pytest.mark.data
@pytest.mark.slow
def test_shipped_heads_still_reach_their_recorded_test_scores(shared_dir: Path) -> None:
    from civildesk.ml.encoder import Encoder
    from civildesk.ml.pipeline import featurise
    from civildesk.ml.train import evaluate

    data = shared_dir / "data"
    recorded = json.loads((MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))["test"]
    rows = [r for d in datasets(data) for r in read_split(data, d, "test")]
    feats = featurise(Encoder(), [r.text for r in rows], use_cache=False)
    now = evaluate(HeadSet.load(MODEL_DIR), rows, feats)
    drops = [
        f"{head}/{src}: {now[head][src]['macro_f1']:.4f} < recorded {m['macro_f1']:.4f}"
        for head, per in recorded.items()
        for src, m in per.items()
        if now.get(head, {}).get(src, {"macro_f1": -1.0})["macro_f1"] < m["macro_f1"] - TOLERANCE
    ]
    assert not drops, "\n".join(drops)
