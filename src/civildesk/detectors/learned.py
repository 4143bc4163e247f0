"""The learned detector: calibrated heads over a sentence encoder and cheap features.

It catches what no word list foresees and still shows its evidence: each finding points at the
words whose grams pushed the head up most (or, when the sentence vector alone carried it, at the
whole message). Loading is lazy: constructing the detector costs nothing; the encoder (~0.5 s) and
the heads load on the first message.

Score contract: ``score >= 0.5`` exactly when the calibrated probability reaches the head's stored
threshold (piecewise-linear rescale); ``note`` gives the raw probability and the threshold.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from civildesk.detectors.base import DetectorConfig, Finding, Prepared
from civildesk.ml.encoder import Encoder, shared_encoder
from civildesk.ml.features import DENSE_NAMES, lexicon_kind
from civildesk.ml.heads import MODEL_DIR, GramVector, HeadSet, rescale
from civildesk.ml.pipeline import Features, embed_cached, featurise

BATCH = 64
_WORD_CHAR = re.compile(r"[\w'’*@$]")


class LearnedDetector:
    name = "model"

    def __init__(
        self,
        config: DetectorConfig | None = None,
        model_dir: Path | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        self.config = config or DetectorConfig()
        self.model_dir = model_dir or MODEL_DIR
        self._encoder = encoder
        self._heads: HeadSet | None = None
        self._lock = threading.Lock()

    # -- loading -------------------------------------------------------------------------------

    @property
    def heads(self) -> HeadSet:
        if self._heads is None:
            with self._lock:
                if self._heads is None:
                    self._heads = HeadSet.load(self.model_dir)
        return self._heads

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = shared_encoder()
        return self._encoder

    def load(self) -> None:
        """Load everything now (the CLI does this before timing starts; otherwise the first message does)."""
        _ = self.heads
        self.encoder.load()

    # -- scoring -------------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The sentence vectors ``detect_batch`` would compute for these message texts. Safe to
        run on another thread: onnxruntime releases the GIL, so the rules run meanwhile."""
        return embed_cached(self.encoder, texts, use_cache=False)

    def _score(
        self, prepared: Sequence[Prepared], emb: np.ndarray | None = None
    ) -> tuple[np.ndarray, Features, list[GramVector]]:
        heads = self.heads
        feats = featurise(self.encoder, [p.text for p in prepared], norms=[p.norm for p in prepared], emb=emb)
        grams = [heads.vocab.vectorise(c) for c in feats.cheap]
        return heads.calibrate(heads.logits(feats.emb, grams, feats.dense)), feats, grams

    def probabilities(self, prepared: Sequence[Prepared]) -> list[dict[str, float]]:
        """Raw calibrated probabilities per head (``offensive``, ``hate``, ...) for each message."""
        names = self.heads.names
        out: list[dict[str, float]] = []
        for k in range(0, len(prepared), BATCH * 16):
            probs, _, _ = self._score(prepared[k : k + BATCH * 16])
            out.extend({n: round(float(v), 4) for n, v in zip(names, row, strict=True)} for row in probs)
        return out

    # -- findings ------------------------------------------------------------------------------

    def detect(self, prepared: Prepared) -> list[Finding]:
        return self.detect_batch([prepared])[0]

    def detect_batch(
        self, prepared_list: Sequence[Prepared], embeddings: np.ndarray | None = None
    ) -> list[list[Finding]]:
        """Findings for many messages; the encoder runs them length-sorted in batches of 64
        (or ``embeddings``, from ``embed`` of the same texts, are used)."""
        if not prepared_list:
            return []
        if embeddings is not None and embeddings.shape[0] != len(prepared_list):
            raise ValueError(f"{embeddings.shape[0]} vectors for {len(prepared_list)} messages")
        heads = self.heads
        probs, feats, grams = self._score(prepared_list, embeddings)
        out: list[list[Finding]] = []
        for i, prepared in enumerate(prepared_list):
            found: list[Finding] = []
            for h, name in enumerate(heads.names):
                p = float(probs[i, h])
                t = float(heads.thresholds[h])
                if p < t or not prepared.text.strip():
                    continue
                start, end, swear = self._evidence(prepared, feats, grams[i], i, h)
                label = heads.contracts[h]
                if name == "offensive" and not swear:
                    label = "mean_spirited"  # offence without swearing: insults, sneers
                found.append(
                    Finding(
                        label=label,
                        score=round(rescale(p, t), 4),
                        start=start,
                        end=end,
                        detector=self.name,
                        kind="learned",
                        note=f"model p={p:.2f} (threshold {t:.2f})",
                    )
                )
            out.append(found)
        return out

    def _evidence(
        self, prepared: Prepared, feats: Features, g: GramVector, i: int, h: int
    ) -> tuple[int, int, bool]:
        """The word span with the largest positive share of head ``h``'s logit, and whether the
        message swears (an offensive finding then names the swear word)."""
        heads = self.heads
        text = prepared.text
        cheap = feats.cheap[i]
        contrib = dict(zip(g.keys, heads.gram_contributions(g, h).tolist(), strict=True))
        by_norm: dict[tuple[int, int], float] = {}
        for k, key in enumerate(cheap.keys):
            c = contrib.pop(key, None)  # a key's weight counts once, at its first occurrence
            if c is not None and c > 0:
                where = (cheap.starts[k], cheap.ends[k])
                by_norm[where] = by_norm.get(where, 0.0) + c
        per_span: dict[tuple[int, int], float] = {}
        for (s, e), c in by_norm.items():
            wide = _widen(text, *prepared.norm.span(s, e))
            per_span[wide] = per_span.get(wide, 0.0) + c
        for d, name in enumerate(DENSE_NAMES):
            spans = cheap.dense_spans.get(name)
            w = float(heads.w_dense[d, h]) * float(feats.dense[i, d])
            if spans and w > 0:
                for span in spans:
                    wide = _widen(text, *span)
                    per_span[wide] = per_span.get(wide, 0.0) + w / len(spans)
        swears = cheap.dense_spans.get("lex_swear", [])
        if heads.names[h] == "offensive" and swears:
            best = max(swears, key=lambda sp: per_span.get(_widen(text, *sp), 0.0))
            return (*_widen(text, *best), True)
        if per_span:
            start, end = max(per_span, key=lambda k: per_span[k])
            return start, end, any(lexicon_kind(w) == "swear" for w in text[start:end].lower().split())
        return 0, len(text), False


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a gram's span to whole words so the highlight reads as words, not fragments."""
    while start > 0 and _WORD_CHAR.match(text[start - 1]):
        start -= 1
    while end < len(text) and _WORD_CHAR.match(text[end]):
        end += 1
    return start, end
