"""`civildesk classify --input`: one decision per input line, in order; bad lines become error
records with their line number and the run goes on."""

from __future__ import annotations

import io
import json

import pytest

from civildesk.cli import MAX_TEXT_CHARS, InputError, classify_stream, parse_record
from civildesk.policy.engine import Engine
from civildesk.policy.schema import load_policy


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
