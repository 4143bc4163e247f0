"""File import: JSON Lines or CSV rows -> InboundMessage -> the ingestion service.

Row fields (CSV headers or JSON keys): platform, id (or platform_id), kind, text, author_id (or
author), author_handle (or handle), author_name (or name), created_at (ISO 8601 with a timezone),
account_id (or account), thread_id, parent_id, event (create | edit | delete). A bad row is
reported by line number and skipped; the rest are imported. Re-importing a file is harmless:
ingestion is idempotent.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from civildesk.inbox.inbound import InboundMessage, InvalidInbound
from civildesk.inbox.ingest import ingest

DEFAULT_KIND = {"x": "mention", "facebook": "comment", "instagram": "comment", "linkedin": "comment"}


class ImportFailed(ValueError):
    """The file as a whole cannot be read (wrong format, not UTF-8)."""


@dataclass
class ImportReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, str]] = field(default_factory=list)


def read_rows(handle: IO[str], fmt: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) pairs; a row that cannot be parsed comes back as an error string."""
    if fmt == "csv":
        reader = csv.DictReader(handle)
        try:
            if not reader.fieldnames:
                raise ImportFailed("the CSV file has no header row")
            # A CSV saved by Excel starts with a byte order mark: it is not part of the first name.
            reader.fieldnames = [reader.fieldnames[0].lstrip("\ufeff"), *reader.fieldnames[1:]]
            for row in reader:
                yield reader.line_num, {k.strip(): (v or "") for k, v in row.items() if k}
        except csv.Error as exc:  # e.g. a cell larger than the csv module's field limit
            raise ImportFailed(f"line {reader.line_num}: {exc}") from exc
        return
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg})"
            continue
        except RecursionError:
            yield number, "not valid JSON (nested too deeply)"
            continue
        yield number, value if isinstance(value, dict) else "each line must be a JSON object"


def _first(row: dict[str, Any], *names: str) -> str:
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def to_inbound(row: dict[str, Any], default_account: str) -> InboundMessage:
    platform = _first(row, "platform").lower()
    created_raw = _first(row, "created_at", "timestamp")
    created = None
    if created_raw:
        try:
            created = datetime.fromisoformat(created_raw.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidInbound(f"created_at: {created_raw!r} is not an ISO 8601 time") from exc
        if created.tzinfo is None:
            raise InvalidInbound("created_at: include a timezone, e.g. 2026-11-25T10:00:00Z")
    author_handle = _first(row, "author_handle", "handle")
    event = _first(row, "event") or "create"
    text = str(row.get("text") or "")
    if not text.strip() and event != "delete":
        raise InvalidInbound("text: empty")
    return InboundMessage(
        platform=platform,
        account_id=_first(row, "account_id", "account") or default_account,
        platform_id=_first(row, "platform_id", "id"),
        kind=_first(row, "kind").lower() or DEFAULT_KIND.get(platform, ""),
        text=text,
        author_id=_first(row, "author_id", "author") or author_handle,
        author_handle=author_handle,
        author_name=_first(row, "author_name", "name"),
        created_at=created,
        thread_id=_first(row, "thread_id", "thread"),
        parent_id=_first(row, "parent_id", "parent"),
        event=event,  # type: ignore[arg-type]  # InboundMessage checks it
        raw=dict(row),
    )


def import_rows(rows: Iterable[tuple[int, dict[str, Any] | str]], *, default_account: str) -> ImportReport:
    report = ImportReport()
    for number, row in rows:
        if isinstance(row, str):
            report.errors.append((number, row))
            continue
        try:
            result = ingest(to_inbound(row, default_account))
        except InvalidInbound as exc:
            report.errors.append((number, str(exc)))
            continue
        report.outcomes[result.outcome] += 1
    return report
