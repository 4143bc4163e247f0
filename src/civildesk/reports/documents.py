"""The three downloads, one function each, shared by the pages and ``civildesk report``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string

from civildesk.reports import build, charts, csvexport, pdf
from civildesk.reports.figures import Report
from civildesk.reports.period import Period
from civildesk.reports.sections import sections


def page_context(report: Report, *, inline_charts: bool = False) -> dict[str, Any]:
    """The desk's page links each chart as an image (nothing is drawn here); ``inline_charts``
    draws them into the markup instead, for a file that must open without the desk."""
    drawn = charts.render(report) if inline_charts else charts.describe(report)
    return {
        "report": report,
        "sections": sections(report),
        "charts": {c.name: c for c in drawn},
        "inline_charts": inline_charts,
    }


def html_document(report: Report) -> str:
    """A whole page with its charts inline and its few styles in the head: opens offline."""
    return render_to_string("reports/document.html", page_context(report, inline_charts=True))


def pdf_document(report: Report) -> bytes:
    return pdf.render(report, charts.render(report, svg=False, png=True))


def csv_document(period: Period, now: datetime) -> str:
    return csvexport.write(build.message_facts(period), as_of=now, timezone=period.timezone)
