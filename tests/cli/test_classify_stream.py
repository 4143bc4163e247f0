"""`civildesk classify --input`: one decision per input line, in order; bad lines become error
records with their line number and the run goes on."""

from __future__ import annotations

import io
import json
import threading
import time
from concurrent.futures import Future

import pytest

from civildesk.cli import MAX_TEXT_CHARS, READ_AHEAD, InputError, classify_stream, parse_record
from civildesk.detectors.base import Finding, MessageInput, Prepared
from civildesk.policy.engine import Engine
from civildesk.policy.schema import PolicyError, load_policy


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_policy(), [])


def run(engine: Engine, payload: bytes, batch: int = 256) -> tuple[list[dict[str, object]], int, int]:
    out = io.StringIO()
    done, errors = classify_stream(engine, io.BytesIO(payload), out, batch=batch)
    return [json.loads(line) for line in out.getvalue().splitlines()], done, errors


def test_every_line_gets_an_answer_in_order_even_across_batches(engine: Engine) -> None:
    lines = [json.dumps({"id": f"m{i}", "text": f"message {i}"}) for i in range(10)]
    lines.insert(4, "{not json")
    records, done, errors = run(engine, ("\n".join(lines) + "\n").encode(), batch=3)
    assert (done, errors) == (10, 1)
    assert [r.get("id", r.get("error", "")[:4]) for r in records][:6] == [
        "m0",
        "m1",
        "m2",
        "m3",
        "line",
        "m4",
    ]
    assert records[4]["line"] == 5


def test_blank_lines_are_skipped_not_errors(engine: Engine) -> None:
    records, done, errors = run(engine, b'\n{"text": "hi"}\n\n')
    assert (done, errors) == (1, 0)
    assert len(records) == 1 and "error" not in records[0]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[1, 2]", "expected a JSON object"),
        (b'{"id": "x"}', "'text' must be a string"),
        (b'{"text": 42}', "'text' must be a string"),
        (b'{"text": "hi", "platform": "myspace"}', "unknown platform"),
        (b'{"text": "hi", "kind": "story"}', "unknown kind"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b'{"text": "unterminated', "not valid JSON"),
    ],
)
def test_bad_records_are_explained(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_record(raw, 7)


def test_oversized_text_is_a_clear_error_not_a_hang() -> None:
    raw = json.dumps({"text": "a" * (MAX_TEXT_CHARS + 1)})
    with pytest.raises(InputError, match="limit"):
        parse_record(raw, 1)


def test_empty_text_and_junk_still_get_decisions(engine: Engine) -> None:
    junk = "".join(chr(c) for c in range(1, 400)) + "\ud7ff\U0001f600"
    payload = "\n".join(json.dumps({"text": t}) for t in ["", junk, "Это не английский текст", "a" * 100_000])
    records, done, errors = run(engine, payload.encode())
    assert (done, errors) == (4, 0)
    assert all(r["priority"] == "P5" for r in records)


def test_nul_bytes_are_dropped_before_classification() -> None:
    message, _ = parse_record(json.dumps({"text": "a\x00b"}), 1)
    assert message.text == "ab"


# --- with a learned detector: vectors on the encoder thread, the engine built meanwhile ---------


class CountingModel:
    """A learned detector whose "vectors" are text lengths: a finding's score shows which vector
    reached which message, and the thread each batch was embedded on is recorded."""

    name = "model"

    def __init__(self) -> None:
        self.embedded_on: list[str] = []

    def embed(self, texts: list[str]) -> list[int]:
        self.embedded_on.append(threading.current_thread().name)
        return [len(t) for t in texts]

    def detect(self, prepared: Prepared) -> list[Finding]:
        return self.detect_batch([prepared])[0]

    def detect_batch(
        self, prepared: list[Prepared], embeddings: list[int] | None = None
    ) -> list[list[Finding]]:
        vectors = embeddings if embeddings is not None else self.embed([p.text for p in prepared])
        return [
            [Finding("praise", min(0.99, n / 100), 0, len(p.text), self.name, "learned")]
            for p, n in zip(prepared, vectors, strict=True)
        ]


def payload(n: int) -> bytes:
    lines = [json.dumps({"id": f"m{i}", "text": "x" * (i + 1)}) for i in range(n)]
    lines.insert(7, "{broken")
    return ("\n".join(lines) + "\n").encode()


def test_vectors_come_from_the_encoder_thread_and_reach_their_own_messages() -> None:
    model = CountingModel()
    engine = Engine(load_policy(), [], learned=model)
    records, done, errors = run(engine, payload(20), batch=4)
    # the same answers as classifying each message on its own, one thread, no pipeline
    alone = Engine(load_policy(), [], learned=CountingModel())
    expected = [alone.classify(MessageInput(text="x" * (i + 1), id=f"m{i}")).to_dict() for i in range(20)]
    assert (done, errors) == (20, 1)
    assert [r for r in records if "error" not in r] == expected
    assert records[7]["line"] == 8
    assert model.embedded_on and all(name.startswith("civildesk-encoder") for name in model.embedded_on)


def test_batches_are_read_and_embedded_while_the_engine_is_still_being_built() -> None:
    model = CountingModel()
    built: Future[Engine] = Future()
    out = io.StringIO()
    source = io.BytesIO(payload(40))
    worker = threading.Thread(
        target=lambda: classify_stream(built, source, out, batch=4, learned=model), daemon=True
    )
    worker.start()
    deadline = time.monotonic() + 10
    while len(model.embedded_on) < READ_AHEAD and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(model.embedded_on) == READ_AHEAD  # read ahead, then it waits for the engine
    assert out.getvalue() == ""  # nothing is written before there is an engine to decide
    built.set_result(Engine(load_policy(), [], learned=model))
    worker.join(timeout=10)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == 41 and [r["id"] for r in records if "id" in r] == [f"m{i}" for i in range(40)]


def test_an_engine_that_fails_to_build_stops_the_run_with_its_error() -> None:
    built: Future[Engine] = Future()
    built.set_exception(PolicyError("policy.yaml, line 3: labels: unknown label 'rudeness'"))
    with pytest.raises(PolicyError, match="unknown label"):
        classify_stream(built, io.BytesIO(payload(10)), io.StringIO(), batch=4, learned=CountingModel())
