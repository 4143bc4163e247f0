"""`civildesk train`: fit the heads on shared/data train splits (+ project cases), reproducibly.

    civildesk train [--data ../shared/data] [--cases tests/cases | --no-cases] [--out DIR]

Steps: carve a seeded, stratified dev set from each train split; embed and featurise; choose the
gram vocabulary on the train part; fit one logistic regression per head for a few strengths; pick
the strength, fit Platt calibration and pick the threshold on dev (crisis: for recall); write the
heads, thresholds and a model card. Test splits are scored for the card and never tuned on.
Needs the dev extra (scikit-learn); inference does not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from civildesk.ml import card
from civildesk.ml.data import (
    SEED,
    Row,
    carve_dev,
    datasets,
    default_cases_dir,
    default_data_dir,
    read_cases,
    read_split,
)
from civildesk.ml.encoder import DERIVED_SHA256, ENCODER_ID, MODEL_SHA256, TOKENIZER_SHA256, Encoder
from civildesk.ml.heads import MODEL_DIR, HeadSet, Vocabulary
from civildesk.ml.labels import HEADS, Head
from civildesk.ml.metrics import binary_scores, choose_threshold
from civildesk.ml.pipeline import Features, featurise

MAX_VOCAB = 40_000
MIN_DF = 3
EMB_SCALE = 1.0  # the sentence vector and the tf-idf gram vector both have unit length
C_GRID = (0.5, 2.0, 8.0)
CASE_WEIGHT = 4.0
WEAK_NEGATIVES = 4000  # tweets per head from sets that never contain spam or crisis by construction
CV_FOLDS = 5
WEAK_SOURCES = ("olid", "tweeteval_sentiment", "tweeteval_hate")


def _log(msg: str) -> None:
    print(f"[train {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def build_vocab(feats: Features, rows: Sequence[int]) -> Vocabulary:
    df: Counter[str] = Counter()
    for i in rows:
        df.update(set(feats.cheap[i].keys))
    n = len(rows)
    keep = sorted((k for k, c in df.items() if c >= MIN_DF), key=lambda k: (-df[k], k))[:MAX_VOCAB]
    keep.sort()
    idf = np.asarray([math.log((1 + n) / (1 + df[k])) + 1.0 for k in keep], dtype=np.float32)
    return Vocabulary(keep, idf)


def design_matrix(feats: Features, vocab: Vocabulary) -> Any:
    from scipy import sparse

    data: list[np.ndarray] = []
    indices: list[np.ndarray] = []
    indptr = [0]
    for c in feats.cheap:
        g = vocab.vectorise(c)
        data.append(g.vals)
        indices.append(g.cols)
        indptr.append(indptr[-1] + len(g.cols))
    grams = sparse.csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0),
            np.concatenate(indices) if indices else np.zeros(0),
            indptr,
        ),
        shape=(len(feats.cheap), len(vocab.keys)),
        dtype=np.float32,
    )
    return sparse.hstack(
        [sparse.csr_matrix(feats.emb * EMB_SCALE), grams, sparse.csr_matrix(feats.dense)], format="csr"
    )


def head_rows(
    head: Head, rows: Sequence[Row], train_idx: Sequence[int], rng: random.Random
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Indices, labels and weights of the rows that teach ``head`` (within ``train_idx``)."""
    idx: list[int] = []
    ys: list[int] = []
    ws: list[float] = []
    weak_pool: list[int] = []
    for i in train_idx:
        r = rows[i]
        if r.dataset == "cases":
            if head.use_cases:
                idx.append(i)
                ys.append(int(bool(r.contract and r.contract & head.case_labels)))
                ws.append(CASE_WEIGHT)
        elif head.dataset_label is not None and head.dataset_label in r.labels:
            idx.append(i)
            ys.append(r.labels[head.dataset_label])
            ws.append(1.0)
        elif (
            head.weak_negatives
            and r.dataset in WEAK_SOURCES
            and (head.weak_if is None or any(r.labels.get(k) == 1 for k in head.weak_if))
        ):
            weak_pool.append(i)
    if weak_pool:
        for i in rng.sample(weak_pool, min(WEAK_NEGATIVES, len(weak_pool))):
            idx.append(i)
            ys.append(0)
            ws.append(1.0)
    y = np.asarray(ys, dtype=np.int64)
    w = np.asarray(ws, dtype=np.float64)
    # Balance the classes so thresholds sit near the middle and Platt has room on both sides.
    pos = w[y == 1].sum()
    neg = w[y == 0].sum()
    if pos > 0 and neg > 0:
        w[y == 1] *= (pos + neg) / (2 * pos)
        w[y == 0] *= (pos + neg) / (2 * neg)
    return idx, y, w


def dev_groups(
    head: Head, rows: Sequence[Row], dev_idx: Sequence[int]
) -> dict[str, tuple[list[int], list[int]]]:
    """Dev rows of ``head`` by source: {dataset: (row indices, labels)}."""
    out: dict[str, tuple[list[int], list[int]]] = {}
    for i in dev_idx:
        r = rows[i]
        if r.dataset == "cases":
            if head.use_cases:
                g = out.setdefault("cases", ([], []))
                g[0].append(i)
                g[1].append(int(bool(r.contract and r.contract & head.case_labels)))
        elif head.dataset_label is not None and head.dataset_label in r.labels:
            g = out.setdefault(r.dataset, ([], []))
            g[0].append(i)
            g[1].append(r.labels[head.dataset_label])
    return out


def fit_platt(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=100.0, max_iter=1000)
    m.fit(logits.reshape(-1, 1), y)
    return float(m.coef_[0, 0]), float(m.intercept_[0])


def train(
    data_dir: Path, cases_dir: Path | None, out_dir: Path, seed: int = SEED, use_cache: bool = True
) -> dict[str, Any]:
    rng = random.Random(seed)
    names = datasets(data_dir)
    rows: list[Row] = [r for d in names for r in read_split(data_dir, d, "train")]
    cases = read_cases(cases_dir) if cases_dir is not None else []
    rows.extend(cases)
    train_rows, dev_rows = carve_dev(rows, seed)
    rows = train_rows + dev_rows
    train_idx = list(range(len(train_rows)))
    dev_idx = list(range(len(train_rows), len(rows)))
    _log(f"{len(train_rows)} train / {len(dev_rows)} dev rows from {names} + {len(cases)} project cases")

    encoder = Encoder()
    t0 = time.time()
    feats = featurise(encoder, [r.text for r in rows], use_cache=use_cache)
    _log(f"featurised in {time.time() - t0:.0f}s")
    vocab = build_vocab(feats, train_idx)
    x_all = design_matrix(feats, vocab)
    _log(f"vocabulary {len(vocab.keys)} grams; design matrix {x_all.shape}")

    n_emb, n_gram = feats.emb.shape[1], len(vocab.keys)
    w_emb, w_gram, w_dense = [], [], []
    bias, pa, pb, thr = [], [], [], []
    report: dict[str, Any] = {"heads": {}}
    oof_dev: dict[str, dict[str, dict[str, float]]] = {}
    for head in HEADS:
        if head.dataset_label is None:
            model, a, b, t, n, pos, oof_dev[head.name] = fit_from_cases(
                head, rows, x_all, train_idx, dev_idx, rng
            )
        else:
            model, a, b, t, n, pos = fit_with_dev(head, rows, x_all, train_idx, dev_idx, rng)
        coef = model.coef_[0]
        w_emb.append(coef[:n_emb] * EMB_SCALE)
        w_gram.append(coef[n_emb : n_emb + n_gram])
        w_dense.append(coef[n_emb + n_gram :])
        bias.append(float(model.intercept_[0]))
        pa.append(a)
        pb.append(b)
        thr.append(t)
        report["heads"][head.name] = {
            "label": head.contract,
            "C": model.C,
            "threshold": round(t, 4),
            "train_rows": n,
            "train_positives": pos,
        }

    heads = HeadSet(
        names=tuple(h.name for h in HEADS),
        contracts=tuple(h.contract for h in HEADS),
        vocab=vocab,
        w_emb=np.stack(w_emb, axis=1),
        w_gram=np.stack(w_gram, axis=1),
        w_dense=np.stack(w_dense, axis=1),
        bias=np.asarray(bias),
        platt_a=np.asarray(pa),
        platt_b=np.asarray(pb),
        thresholds=np.asarray(thr),
        encoder_id=ENCODER_ID,
    )
    heads.save(out_dir)
    # Score exactly what was saved (float16 grams included), dev then test.
    saved = HeadSet.load(out_dir)
    dev_feats = _subset(feats, dev_idx)
    report["dev"] = evaluate(saved, [rows[i] for i in dev_idx], dev_feats)
    report["dev"].update(oof_dev)  # case-only heads: out-of-fold scores, never in-sample ones
    test_rows = [r for d in names for r in read_split(data_dir, d, "test")]
    report["test"] = evaluate(
        saved, test_rows, featurise(encoder, [r.text for r in test_rows], use_cache=use_cache)
    )
    report["meta"] = {
        "date": dt.date.today().isoformat(),
        "seed": seed,
        "datasets": names,
        "project_cases": len(cases),
        "train_rows": len(train_rows),
        "dev_rows": len(dev_rows),
        "vocabulary": len(vocab.keys),
        "encoder": ENCODER_ID,
        "encoder_sha256": DERIVED_SHA256,
        "packaged_model_sha256": MODEL_SHA256,
        "tokenizer_sha256": TOKENIZER_SHA256,
    }
    (out_dir / "metrics.json").write_text(
        json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    (out_dir / "model_card.md").write_text(card.render(report), encoding="utf-8")
    return report


def fit_with_dev(
    head: Head,
    rows: Sequence[Row],
    x_all: Any,
    train_idx: Sequence[int],
    dev_idx: Sequence[int],
    rng: random.Random,
) -> tuple[Any, float, float, float, int, int]:
    """Fit on train for each strength; calibrate, pick the threshold and the strength on dev."""
    from sklearn.linear_model import LogisticRegression

    idx, y, w = head_rows(head, rows, train_idx, rng)
    groups = dev_groups(head, rows, dev_idx)
    dev_all = [i for g in groups.values() for i in g[0]]
    y_dev = np.asarray([v for g in groups.values() for v in g[1]])
    slices = _group_slices(groups, head.threshold_on)
    best: tuple[float, Any, float, float, float] | None = None
    for c in C_GRID:
        model = LogisticRegression(C=c, max_iter=3000, tol=1e-5)
        model.fit(x_all[idx], y, sample_weight=w)
        logits = model.decision_function(x_all[dev_all])
        a, b = fit_platt(logits, y_dev)
        probs = 1.0 / (1.0 + np.exp(-(a * logits + b)))
        t, score = choose_threshold(probs, y_dev, slices, head.min_recall)
        _log(f"{head.name}: C={c} dev score {score:.4f} at threshold {t:.3f}")
        if best is None or score > best[0] + 1e-4:
            best = (score, model, a, b, t)
    assert best is not None
    _, model, a, b, t = best
    return model, a, b, t, len(idx), int(y.sum())


def fit_from_cases(
    head: Head,
    rows: Sequence[Row],
    x_all: Any,
    train_idx: Sequence[int],
    dev_idx: Sequence[int],
    rng: random.Random,
) -> tuple[Any, float, float, float, int, int, dict[str, dict[str, float]]]:
    """A head only the project's cases teach: too few for a held-out dev set, so 5-fold
    out-of-fold logits choose the calibration and the threshold, then it is fit on every case."""
    from sklearn.linear_model import LogisticRegression

    idx, y, w = head_rows(head, rows, [*train_idx, *dev_idx], rng)
    is_case = np.asarray([rows[i].dataset == "cases" for i in idx])
    folds = np.arange(len(idx)) % CV_FOLDS
    random.Random(SEED).shuffle(folds)  # type: ignore[arg-type]
    best: tuple[float, float, np.ndarray] | None = None
    for c in C_GRID:
        oof = np.zeros(len(idx))
        for k in range(CV_FOLDS):
            fit_rows = [idx[j] for j in np.flatnonzero(folds != k)]
            model = LogisticRegression(C=c, max_iter=3000, tol=1e-5)
            model.fit(x_all[fit_rows], y[folds != k], sample_weight=w[folds != k])
            oof[folds == k] = model.decision_function(x_all[[idx[j] for j in np.flatnonzero(folds == k)]])
        a, b = fit_platt(oof, y)
        probs = 1.0 / (1.0 + np.exp(-(a * oof + b)))
        t, score = choose_threshold(
            probs[is_case], y[is_case], [slice(0, int(is_case.sum()))], head.min_recall
        )
        _log(f"{head.name}: C={c} out-of-fold score on cases {score:.4f} at threshold {t:.3f}")
        if best is None or score > best[0] + 1e-4:
            best = (score, c, oof)
    assert best is not None
    _, c, oof = best
    a, b = fit_platt(oof, y)
    probs = 1.0 / (1.0 + np.exp(-(a * oof + b)))
    t, _ = choose_threshold(probs[is_case], y[is_case], [slice(0, int(is_case.sum()))], head.min_recall)
    model = LogisticRegression(C=c, max_iter=3000, tol=1e-5)
    model.fit(x_all[idx], y, sample_weight=w)
    scores = {"cases (5-fold)": binary_scores(y[is_case], probs[is_case] >= t)}
    return model, a, b, t, len(idx), int(y.sum()), scores


def _group_slices(
    groups: dict[str, tuple[list[int], list[int]]], only: tuple[str, ...] | None = None
) -> list[slice]:
    out = []
    start = 0
    for name, (ids, _) in groups.items():
        if only is None or name in only:
            out.append(slice(start, start + len(ids)))
        start += len(ids)
    return out


def _subset(feats: Features, idx: Sequence[int]) -> Features:
    return Features(feats.emb[list(idx)], [feats.cheap[i] for i in idx], feats.dense[list(idx)])


def evaluate(heads: HeadSet, rows: Sequence[Row], feats: Features) -> dict[str, dict[str, dict[str, float]]]:
    """Head-level scores per (head, source): macro-F1, precision, recall at the stored thresholds."""
    from civildesk.ml.pipeline import probabilities

    probs, _ = probabilities(heads, feats)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for h_i, head in enumerate(HEADS):
        by_source: dict[str, tuple[list[int], list[int]]] = {}
        for i, r in enumerate(rows):
            if r.dataset == "cases":
                if head.use_cases:
                    g = by_source.setdefault("cases", ([], []))
                    g[0].append(i)
                    g[1].append(int(bool(r.contract and r.contract & head.case_labels)))
            elif head.dataset_label is not None and head.dataset_label in r.labels:
                g = by_source.setdefault(r.dataset, ([], []))
                g[0].append(i)
                g[1].append(r.labels[head.dataset_label])
        out[head.name] = {
            src: binary_scores(np.asarray(ys), probs[ids, h_i] >= heads.thresholds[h_i])
            for src, (ids, ys) in sorted(by_source.items())
        }
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="civildesk train", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=default_data_dir(), help="shared/data folder")
    p.add_argument("--cases", type=Path, default=default_cases_dir(), help="project cases (*.jsonl)")
    p.add_argument("--no-cases", action="store_true", help="train on shared/data only")
    p.add_argument("--out", type=Path, default=MODEL_DIR, help="where to write the heads and model card")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--no-cache", action="store_true", help="do not reuse cached embeddings")
    args = p.parse_args(argv)
    if not (args.data / "README.md").is_file() and not any(args.data.glob("*/train.jsonl")):
        print(f"no datasets under {args.data}", file=sys.stderr)
        return 2
    report = train(args.data, None if args.no_cases else args.cases, args.out, args.seed, not args.no_cache)
    for head, per in report["test"].items():
        cells = ", ".join(f"{src} {m['macro_f1']:.3f}" for src, m in per.items())
        print(f"{head:10s} test macro-F1: {cells}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
