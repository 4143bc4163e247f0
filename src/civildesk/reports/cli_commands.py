"""``civildesk report``: the weekly report from the command line (for a cron job that mails it).

    civildesk report                              # last full week, a short text summary
    civildesk report --week 2026-W48 --format pdf --output week48.pdf
    civildesk report --format csv > messages.csv

Exit status 2 on a week that does not exist.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any


def add_subcommands(sub: Any) -> None:
    p = sub.add_parser("report", help="the weekly report (text, HTML, PDF or the CSV of its messages)")
    p.add_argument("--week", default="", help="ISO week such as 2026-W48 (default: the last full week)")
    p.add_argument("--format", choices=("text", "html", "pdf", "csv"), default="text")
    p.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from civildesk.web.cli_commands import _django

    _django()
    from django.utils import timezone

    from civildesk.inbox import desk
    from civildesk.reports import build, documents
    from civildesk.reports.period import BadPeriod, last_full_week, parse_week
    from civildesk.reports.sections import sections

    now = timezone.now()
    zone = desk.working_hours().timezone
    try:
        period = parse_week(args.week, zone) if args.week else last_full_week(now, zone)
    except BadPeriod as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    body: str | bytes
    if args.format == "csv":
        body = documents.csv_document(period, now)
    else:
        report = build.build_report(period, now=now)
        if args.format == "pdf":
            body = documents.pdf_document(report)
        elif args.format == "html":
            body = documents.html_document(report)
        else:
            lines = [f"Weekly report {period.iso_week}: {period.title}"]
            for section in sections(report):
                lines.append(f"\n{section.title}")
                lines += ["  " + " | ".join(row) for row in section.rows] or [f"  {section.empty}"]
            body = "\n".join(lines) + "\n"
    elapsed = time.perf_counter() - started
    if args.output == "-":
        if isinstance(body, bytes):
            sys.stdout.buffer.write(body)
        else:
            sys.stdout.write(body)
    else:
        path = Path(args.output)
        path.write_bytes(body) if isinstance(body, bytes) else path.write_text(body, encoding="utf-8")
        print(f"wrote {path} ({period.iso_week}, {elapsed:.2f} s)", file=sys.stderr)
    return 0
