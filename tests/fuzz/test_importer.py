"""Issue 8: a file handed to ``civildesk import`` is read row by row or refused clearly.

``read_rows`` may refuse the whole file (``ImportFailed``) or report a row as an error string
with its line number; ``to_inbound`` may refuse a row with ``InvalidInbound`` naming the field.
``civildesk import`` catches exactly those (and OSError/UnicodeDecodeError): anything else is a
traceback in the officer's terminal.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from civildesk.inbox.importer import ImportFailed, read_rows, to_inbound
from civildesk.inbox.inbound import InboundMessage, InvalidInbound
from tests.fuzz.strategies import JSON, TEXT

FIELDS = (
    "platform",
    "id",
    "platform_id",
    "kind",
    "text",
    "author_id",
    "author",
    "author_handle",
    "handle",
    "author_name",
    "name",
    "created_at",
    "timestamp",
    "account_id",
    "account",
    "thread_id",
    "parent_id",
    "event",
)
KNOWN_VALUES = st.sampled_from(
    [
        "x",
        "facebook",
        "instagram",
        "linkedin",
        "LinkedIn",
        "dm",
        "mention",
        "reply",
        "comment",
        "create",
        "edit",
        "delete",
        "2026-11-25T10:00:00Z",
        "2026-11-25T10:00:00",
        "2026-13-45",
        "9999-12-31T23:59:59+14:00",
        "  ",
        "77",
        "a" * 250,
    ]
)
KEY = st.one_of(st.sampled_from(FIELDS), TEXT)
CELL = st.one_of(KNOWN_VALUES, TEXT)
FUZZ = settings(max_examples=200, deadline=None)


def rows_or_refusal(text: str, fmt: str) -> list[tuple[int, dict[str, Any] | str]]:
    try:
        rows = list(read_rows(io.StringIO(text, newline=""), fmt))
    except ImportFailed as exc:
        assert str(exc)
        return []
    previous = 0
    for number, row in rows:
        assert isinstance(number, int) and number >= max(previous, 1), "each row carries its line number"
        previous = number
        assert isinstance(row, dict) or (isinstance(row, str) and row)
    return rows


def message_or_refusal(row: dict[str, Any]) -> None:
    try:
        message = to_inbound(row, default_account="acct-1")
    except InvalidInbound as exc:
        field = str(exc).split(":", 1)[0]
        assert field in {
            "platform",
            "kind",
            "event",
            "account_id",
            "platform_id",
            "author_id",
            "created_at",
            "text",
        }, str(exc)
        return
    assert isinstance(message, InboundMessage)


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@FUZZ
@given(
    header=st.lists(KEY, min_size=1, max_size=8),
    rows=st.lists(st.lists(CELL, max_size=9), max_size=5),
)
def test_a_well_quoted_csv_file_with_any_columns_is_imported_or_refused_row_by_row(
    header: list[str], rows: list[list[str]]
) -> None:
    for _, row in rows_or_refusal(csv_text(header, rows), "csv"):
        if isinstance(row, dict):
            message_or_refusal(row)


@FUZZ
@given(text=TEXT)
def test_any_text_read_as_csv_is_imported_or_refused(text: str) -> None:
    for _, row in rows_or_refusal(text, "csv"):
        if isinstance(row, dict):
            message_or_refusal(row)


@FUZZ
@given(lines=st.lists(st.one_of(st.dictionaries(KEY, st.one_of(CELL, JSON), max_size=8), JSON), max_size=5))
def test_json_lines_with_any_keys_and_values_are_imported_or_refused_row_by_row(lines: list[Any]) -> None:
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for _, row in rows_or_refusal(text, "jsonl"):
        if isinstance(row, dict):
            message_or_refusal(row)


@FUZZ
@given(text=TEXT)
def test_any_text_read_as_json_lines_is_imported_or_refused(text: str) -> None:
    for _, row in rows_or_refusal(text, "jsonl"):
        if isinstance(row, dict):
            message_or_refusal(row)


# --- the bugs the fuzzing found (fixed; kept as regression tests) -----------------------------------------------------------------


def test_a_csv_cell_over_the_csv_modules_limit_is_refused_clearly() -> None:
    rows_or_refusal("platform,text\nx," + "a" * 131_073 + "\n", "csv")


def test_a_json_line_nested_too_deeply_is_reported_as_a_bad_row() -> None:
    rows_or_refusal("[" * 100_000 + "\n", "jsonl")


def test_a_csv_file_with_a_byte_order_mark_is_read_like_one_without() -> None:
    rows = rows_or_refusal("\ufeffplatform,id,text,author_id\nx,1,hello,77\n", "csv")
    assert rows == [(2, {"platform": "x", "id": "1", "text": "hello", "author_id": "77"})]
