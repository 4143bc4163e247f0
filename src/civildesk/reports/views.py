"""Report pages: choose a week, read it with its charts, download it as HTML, PDF or CSV.

Views only parse the week, check the role and call the builder. Anyone who can see the dashboard
(viewer and up) can read the reports: they show counts, and the CSV shows what the inbox shows.
Each chart on the page is its own SVG response, under the same role check as the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from civildesk.inbox import desk
from civildesk.reports import build, charts, documents
from civildesk.reports.period import BadPeriod, Period, last_full_week, parse_week, recent_weeks, week_of
from civildesk.web.access import require

WEEKS_OFFERED = 12
# Loaded through <img>, an SVG runs no script; this policy also holds if someone opens the chart's
# URL directly, where it would be a document of its own: matplotlib's styles only, nothing fetched.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@dataclass(frozen=True, slots=True)
class WeekChoice:
    key: str
    label: str


def _period(text: str | None, now: datetime) -> Period:
    zone = desk.working_hours().timezone
    if not text:
        return last_full_week(now, zone)
    try:
        period = parse_week(text, zone)
    except BadPeriod as exc:
        raise Http404(str(exc)) from exc
    if period.first_day > week_of(now.astimezone(period.tz).date(), zone).first_day:
        raise Http404("That week has not started yet")
    return period


def _download(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require("view_dashboard")
def report_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    period = _period(request.GET.get("week"), now)
    zone = period.timezone
    current = week_of(now.astimezone(period.tz).date(), zone)
    choices = [
        WeekChoice(p.iso_week, f"{p.title} ({'this week so far' if p == current else p.iso_week})")
        for p in recent_weeks(now, WEEKS_OFFERED, zone)
    ]
    if period.iso_week not in {c.key for c in choices}:
        choices.append(WeekChoice(period.iso_week, f"{period.title} ({period.iso_week})"))
    context = documents.page_context(build.build_report(period, now=now))
    context.update({"choices": choices, "selected": period.iso_week, "policy_version": desk.policy().version})
    return render(request, "reports/page.html", context)


@require("view_dashboard")
def report_html(request: HttpRequest, week: str) -> HttpResponse:
    now = timezone.now()
    period = _period(week, now)
    html = documents.html_document(build.build_report(period, now=now))
    return _download(html, "text/html; charset=utf-8", f"civildesk-report-{period.iso_week}.html")


@require("view_dashboard")
def report_pdf(request: HttpRequest, week: str) -> HttpResponse:
    now = timezone.now()
    period = _period(week, now)
    report = build.build_report(period, now=now)
    return _download(
        documents.pdf_document(report), "application/pdf", f"civildesk-report-{period.iso_week}.pdf"
    )


@require("view_dashboard")
def report_csv(request: HttpRequest, week: str) -> HttpResponse:
    now = timezone.now()
    period = _period(week, now)
    text = documents.csv_document(period, now)
    return _download(text, "text/csv; charset=utf-8", f"civildesk-messages-{period.iso_week}.csv")


@never_cache  # counts from the desk's inbox: no shared cache may keep them, and a reload redraws
@require("view_dashboard")
def report_chart(request: HttpRequest, week: str, name: str) -> HttpResponse:
    if name not in charts.NAMES:
        raise Http404("No such chart")
    now = timezone.now()
    period = _period(week, now)
    svg = charts.svg_document(build.build_report(period, now=now), name)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CHART_CSP
    return response
