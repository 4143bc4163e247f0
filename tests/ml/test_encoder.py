"""The encoder comes from PyPI packages, is checked by hash, and gives sensible sentence vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from civildesk.ml import encoder as enc


@pytest.fixture(scope="module")
def encoder() -> enc.Encoder:
    e = enc.Encoder()
    e.load()
    return e


def test_the_packaged_files_are_the_pinned_ones() -> None:
    assert enc._sha256(enc.packaged_model_path()) == enc.MODEL_SHA256
    assert enc._sha256(enc.tokenizer_path()) == enc.TOKENIZER_SHA256
    assert enc._sha256(enc.prepare_model()) == enc.DERIVED_SHA256


def test_a_tampered_model_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVILDESK_CACHE", str(tmp_path))
    fake = enc.derived_model_path()
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_bytes(b"not a model")
    with pytest.raises(enc.EncoderUnavailable, match="sha256"):
        enc.prepare_model()


def test_the_tokenizer_feeds_what_the_model_expects(encoder: enc.Encoder) -> None:
    (windows,) = encoder.windows(["Thanks to the team on Ward 3 x"])
    assert len(windows) == 1
    ids = windows[0]
    assert ids[0] == 101 and ids[-1] == 102  # [CLS] ... [SEP], bert-base-uncased ids
    assert len(ids) <= enc.MAX_TOKENS


def test_a_long_message_is_read_in_windows_not_cut_off(encoder: enc.Encoder) -> None:
    (windows,) = encoder.windows(["word " * 400])
    assert len(windows) == 4
    assert all(len(w) <= enc.MAX_TOKENS for w in windows)


@pytest.mark.parametrize(
    ("a", "b", "unrelated"),
    [
        ("I want to end my life tonight", "I'm going to kill myself tonight", "The car park is always full"),
        (
            "Thank you to the nurses on ward 3, brilliant care",
            "Huge thanks to the ward three staff, amazing care",
            "What time does the pharmacy shut on Sunday?",
        ),
        ("you are a useless idiot", "ur a total waste of space you muppet", "Lovely weather for the fun run"),
    ],
)
def test_paraphrases_sit_closer_than_unrelated_sentences(
    encoder: enc.Encoder, a: str, b: str, unrelated: str
) -> None:
    va, vb, vu = encoder.embed([a, b, unrelated])
    assert abs(float(np.linalg.norm(va)) - 1.0) < 1e-4
    # The margin leaves room for the CPU: onnxruntime's int8 kernels differ between CPUs with
    # and without VNNI (the AVX2 path saturates), which moves similarities by a few hundredths
    # (the insult pair: 0.27 against 0.08 on an AVX2-only machine). A broken encoder or pooling
    # puts paraphrases no closer than strangers.
    assert float(va @ vb) > float(va @ vu) + 0.15


def test_batching_moves_a_vector_only_a_little(encoder: enc.Encoder) -> None:
    # Activations are quantised per batch (dynamic int8), so neighbours matter, but only slightly.
    texts = ["short", "a rather longer message about the waiting list at the clinic", "mid length text here"]
    together = encoder.embed(texts)
    alone = np.stack([encoder.embed([t])[0] for t in texts])
    assert (together * alone).sum(axis=1).min() > 0.95
    assert np.array_equal(encoder.embed(texts), together)


def test_no_text_no_vectors(encoder: enc.Encoder) -> None:
    assert encoder.embed([]).shape == (0, enc.DIM)


def test_batches_keep_lengths_close_and_never_exceed_the_batch_size() -> None:
    rows = [(i, [0] * n) for i, n in enumerate(sorted([3, 4, 5, 12, 14, 20, 40, 41, 120, *([30] * 150)]))]
    batches = enc._batches(rows)
    assert [r for b in batches for r in b] == rows  # order kept, nothing lost
    for b in batches:
        assert len(b) <= enc.BATCH
        assert len(b[-1][1]) <= max(16, int(len(b[0][1]) * 1.3))
