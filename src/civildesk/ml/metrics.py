"""Binary scores and threshold choice (numpy only, so the CI gate needs no scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def binary_scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    y = y.astype(bool)
    pred = pred.astype(bool)
    tp = int((y & pred).sum())
    fp = int((~y & pred).sum())
    fn = int((y & ~pred).sum())
    tn = int((~y & ~pred).sum())
    f1_pos = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    f1_neg = 2 * tn / (2 * tn + fn + fp) if tn + fn + fp else 1.0
    return {
        "macro_f1": round((f1_pos + f1_neg) / 2, 4),
        "f1": round(f1_pos, 4),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "n": len(y),
        "positives": int(y.sum()),
    }


def choose_threshold(
    probs: np.ndarray, y: np.ndarray, groups: Sequence[slice], min_recall: float | None = None
) -> tuple[float, float]:
    """The threshold that maximises the mean macro-F1 over the dev groups (one per source, so a big
    dataset does not drown a small one). With ``min_recall``, only thresholds that keep pooled
    recall at or above it are eligible: crisis is chosen for recall first."""
    candidates = np.unique(np.round(np.concatenate([np.linspace(0.02, 0.98, 97), probs]), 4))
    best_t, best_s = 0.5, -1.0
    positives = max(int(y.sum()), 1)
    for t in candidates:
        pred = probs >= t
        if min_recall is not None and (pred & (y == 1)).sum() / positives < min_recall:
            continue
        s = float(np.mean([binary_scores(y[g], pred[g])["macro_f1"] for g in groups]))
        if s > best_s + 1e-9:
            best_t, best_s = float(t), s
    return best_t, best_s
