"""Text -> head probabilities, shared by training, the detector, the benchmark and the CI gate."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from civildesk.detectors.normalise import Normalised, normalise
from civildesk.ml.encoder import DERIVED_SHA256, EMBED_VERSION, Encoder, cache_dir
from civildesk.ml.features import Cheap, cheap_features, encoder_text
from civildesk.ml.heads import GramVector, HeadSet


@dataclass
class Features:
    emb: np.ndarray  # (n, 384)
    cheap: list[Cheap]
    dense: np.ndarray  # (n, D)


def embed_cached(encoder: Encoder, texts: Sequence[str], use_cache: bool = True) -> np.ndarray:
    """Embeddings of many texts, kept on disk under the encoder's hash (training runs and the CI
    gate embed the same tens of thousands of texts again and again)."""
    inputs = [encoder_text(t) for t in texts]
    if not use_cache:
        return encoder.embed(inputs)
    h = hashlib.sha256(f"{DERIVED_SHA256}/{EMBED_VERSION}".encode())
    for t in inputs:
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    path = cache_dir() / "embeddings" / f"{h.hexdigest()[:32]}.npy"
    if path.is_file():
        cached = np.load(path)
        if cached.shape == (len(inputs), 384):
            return np.asarray(cached, dtype=np.float32)
    emb = encoder.embed(inputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, emb)
    tmp.replace(path)
    return emb


def featurise(
    encoder: Encoder,
    texts: Sequence[str],
    norms: Sequence[Normalised] | None = None,
    use_cache: bool = False,
    emb: np.ndarray | None = None,
) -> Features:
    """Everything the heads read; ``emb`` (the texts' vectors, already computed) skips the encoder."""
    norms = norms if norms is not None else [normalise(t) for t in texts]
    cheap = [cheap_features(n) for n in norms]
    dense = np.asarray([c.dense for c in cheap], dtype=np.float32).reshape(len(cheap), -1)
    return Features(emb if emb is not None else embed_cached(encoder, texts, use_cache), cheap, dense)


def probabilities(heads: HeadSet, feats: Features) -> tuple[np.ndarray, list[GramVector]]:
    grams = [heads.vocab.vectorise(c) for c in feats.cheap]
    return heads.calibrate(heads.logits(feats.emb, grams, feats.dense)), grams
