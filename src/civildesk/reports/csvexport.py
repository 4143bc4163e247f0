"""The rows behind the report as CSV, safe to open in a spreadsheet.

Message text, names and handles are written by members of the public. A cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some spreadsheets skip before
reading a formula) would be run as a formula when the file is opened, so such cells get a
leading apostrophe: the spreadsheet shows the text, it does not evaluate it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from civildesk.reports.figures import MessageFacts, sla_outcome

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    "message_id",
    "platform",
    "kind",
    "posted_at",
    "author",
    "priority",
    "labels",
    "status",
    "due_at",
    "answered_at",
    "first_reply_at",
    "sla",
    "text",
)


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(tz).isoformat(timespec="seconds")


def write(facts: Iterable[MessageFacts], *, as_of: datetime, timezone: str) -> str:
    """CSV text (UTF-8 with a byte-order mark, so spreadsheet programs read accents correctly)."""
    tz = ZoneInfo(timezone)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for f in facts:
        row = (
            f.pk,
            f.platform,
            f.kind,
            _when(f.posted_at, tz),
            f.author_name,
            f.priority,
            "|".join(f.labels),
            f.status,
            _when(f.due_at, tz),
            _when(f.answered_at, tz),
            _when(f.first_reply_at, tz),
            sla_outcome(f, as_of),
            f.text,
        )
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
