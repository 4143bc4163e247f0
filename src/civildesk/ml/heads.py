"""The heads: one calibrated linear model per label over [sentence vector | grams | dense counts].

Inference is numpy only. Files (in ``civildesk/ml/model/``):
- ``heads.npz``: weights (grams in float16), biases, Platt calibration and thresholds;
- ``vocab.txt``: one gram per line, ``key<TAB>idf``, row i = column i of the gram weights;
- ``thresholds.json``: per-head threshold and contract label (the same numbers, readable in a diff).

A linear head keeps evidence honest: a gram's contribution to a head's logit is its value times
its weight, so the detector can show the words that pushed a label up.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from civildesk.ml.features import DENSE_NAMES, Cheap

MODEL_DIR = Path(__file__).parent / "model"


@dataclass(frozen=True, slots=True)
class GramVector:
    """A message's tf-idf gram vector: column indices, values, and which grams they came from."""

    cols: np.ndarray  # int32
    vals: np.ndarray  # float32, L2-normalised
    keys: tuple[str, ...]


class Vocabulary:
    def __init__(self, keys: Sequence[str], idf: np.ndarray) -> None:
        self.keys = tuple(keys)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.idf = idf.astype(np.float32)

    def vectorise(self, cheap: Cheap) -> GramVector:
        counts = Counter(cheap.keys)
        found = [(self.index[k], k, n) for k, n in counts.items() if k in self.index]
        if not found:
            return GramVector(np.zeros(0, np.int32), np.zeros(0, np.float32), ())
        found.sort()
        cols = np.fromiter((c for c, _, _ in found), np.int32, len(found))
        tf = np.fromiter((1.0 + math.log(n) for _, _, n in found), np.float32, len(found))
        vals = tf * self.idf[cols]
        vals /= max(float(np.linalg.norm(vals)), 1e-12)
        return GramVector(cols, vals, tuple(k for _, k, _ in found))

    def save(self, path: Path) -> None:
        lines = [f"{k}\t{v:.4f}" for k, v in zip(self.keys, self.idf.tolist(), strict=True)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        keys: list[str] = []
        idf: list[float] = []
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line:
                continue
            key, _, value = line.rpartition("\t")
            keys.append(key)
            idf.append(float(value))
        return cls(keys, np.asarray(idf, dtype=np.float32))


@dataclass
class HeadSet:
    names: tuple[str, ...]
    contracts: tuple[str, ...]
    vocab: Vocabulary
    w_emb: np.ndarray  # (384, H)
    w_gram: np.ndarray  # (V, H)
    w_dense: np.ndarray  # (D, H)
    bias: np.ndarray  # (H,)
    platt_a: np.ndarray  # (H,)  calibrated p = sigmoid(a * logit + b)
    platt_b: np.ndarray
    thresholds: np.ndarray  # (H,) on the calibrated probability
    encoder_id: str = ""

    # -- scoring -----------------------------------------------------------------------------

    def logits(self, emb: np.ndarray, grams: Sequence[GramVector], dense: np.ndarray) -> np.ndarray:
        out = emb @ self.w_emb + dense @ self.w_dense + self.bias
        for i, g in enumerate(grams):
            if len(g.cols):
                out[i] += g.vals @ self.w_gram[g.cols].astype(np.float32)
        return np.asarray(out, dtype=np.float32)

    def calibrate(self, logits: np.ndarray) -> np.ndarray:
        z = logits * self.platt_a + self.platt_b
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float32)

    def gram_contributions(self, g: GramVector, head: int) -> np.ndarray:
        """Each gram's share of ``head``'s logit (before calibration), aligned with ``g.keys``."""
        if not len(g.cols):
            return np.zeros(0, np.float32)
        return np.asarray(g.vals * self.w_gram[g.cols, head].astype(np.float32), dtype=np.float32)

    # -- files -------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            directory / "heads.npz",
            w_emb=self.w_emb.astype(np.float32),
            w_gram=self.w_gram.astype(np.float16),
            w_dense=self.w_dense.astype(np.float32),
            bias=self.bias.astype(np.float32),
            platt_a=self.platt_a.astype(np.float32),
            platt_b=self.platt_b.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
        )
        self.vocab.save(directory / "vocab.txt")
        meta = {
            "encoder": self.encoder_id,
            "dense_features": list(DENSE_NAMES),
            "heads": [
                {"name": n, "label": c, "threshold": round(float(t), 4)}
                for n, c, t in zip(self.names, self.contracts, self.thresholds.tolist(), strict=True)
            ],
        }
        (directory / "thresholds.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> HeadSet:
        meta = json.loads((directory / "thresholds.json").read_text(encoding="utf-8"))
        if list(meta["dense_features"]) != list(DENSE_NAMES):
            raise ValueError("the shipped heads were trained on other dense features: retrain")
        with np.load(directory / "heads.npz") as z:
            arrays = {k: z[k] for k in z.files}
        return cls(
            names=tuple(h["name"] for h in meta["heads"]),
            contracts=tuple(h["label"] for h in meta["heads"]),
            vocab=Vocabulary.load(directory / "vocab.txt"),
            w_emb=arrays["w_emb"],
            w_gram=arrays["w_gram"],
            w_dense=arrays["w_dense"],
            bias=arrays["bias"],
            platt_a=arrays["platt_a"],
            platt_b=arrays["platt_b"],
            thresholds=arrays["thresholds"],
            encoder_id=str(meta.get("encoder", "")),
        )


def rescale(p: float, threshold: float) -> float:
    """Piecewise-linear map of a calibrated probability so that the result is >= 0.5 exactly when
    ``p`` >= ``threshold`` (the engine's "label applies" line)."""
    t = min(max(threshold, 1e-6), 1 - 1e-6)
    if p >= t:
        return 0.5 + 0.5 * (p - t) / (1.0 - t)
    return 0.5 * p / t
