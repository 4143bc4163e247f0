"""Leaders read the week on the desk and take it away as HTML, PDF or CSV."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from civildesk.devtools.testing import at
from civildesk.reports.views import CHART_CSP
from civildesk.web import roles
from civildesk.web.middleware import CSP
from tests.reports.conftest import READ_AT, WEEK, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client: Client, desk_db: Any) -> Client:
    client.force_login(person("viewer"))
    return client


def get(client: Client, name: str, /, **kwargs: Any) -> Any:
    with at(READ_AT):
        return client.get(reverse(name, kwargs=kwargs or None))


class TestWhoMayRead:
    @pytest.mark.parametrize(
        ("name", "kwargs"),
        [
            ("reports", {}),
            ("report-html", {"week": WEEK}),
            ("report-pdf", {"week": WEEK}),
            ("report-csv", {"week": WEEK}),
            ("report-chart", {"week": WEEK, "name": "volume"}),
        ],
    )
    def test_anonymous_visitors_are_sent_to_log_in(
        self, client: Client, db: None, name: str, kwargs: dict[str, str]
    ) -> None:
        response = get(client, name, **kwargs)
        assert response.status_code == 302 and response["Location"].startswith("/login/")

    def test_a_viewer_may_read_the_reports_and_finds_them_in_the_menu(self, viewer: Client) -> None:
        response = get(viewer, "reports")
        assert response.status_code == 200
        assert b'href="/reports/">Reports</a>' in response.content


class TestThePage:
    def test_the_default_is_last_week_with_its_figures_and_charts(
        self, viewer: Client, week: Any, posts: Any
    ) -> None:
        html = get(viewer, "reports").content.decode()
        assert "23 November 2026 to 29 November 2026" in html
        assert '<option value="2026-W48" selected>' in html
        assert "<svg" not in html  # the charts are images of their own (see TestCharts)
        for name in ("volume", "labels", "sla"):
            assert f'<img src="/reports/{WEEK}/charts/{name}.svg" alt="' in html
        for section in ("summary", "volume", "labels", "crisis", "sla", "moderation", "authors", "posts"):
            assert f'data-testid="report-{section}"' in html
        assert "66.7 %" in html and "11 min" in html and "1 h 00 min" in html
        assert f'href="/reports/{WEEK}/report.pdf"' in html

    def test_another_week_can_be_chosen(self, viewer: Client, week: Any) -> None:
        with at(READ_AT):
            html = viewer.get(reverse("reports"), {"week": "2026-W47"}).content.decode()
        assert "16 November 2026 to 22 November 2026" in html
        # The message at 23:59 on Sunday 22 November belongs to week 47.
        summary = html.split('data-testid="report-summary"')[1].split("</section>")[0]
        assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">1</td>' in summary

    @pytest.mark.parametrize("week_text", ["next-week", "2026-W99", "2026-W51"])
    def test_a_week_that_is_not_real_or_not_started_is_not_found(
        self, viewer: Client, week_text: str
    ) -> None:
        with at(READ_AT):
            assert viewer.get(reverse("reports"), {"week": week_text}).status_code == 404
            assert viewer.get(f"/reports/{week_text}/report.pdf").status_code == 404

    def test_author_names_are_escaped(self, viewer: Client, desk_db: Any) -> None:
        from tests.reports.conftest import utc

        for hour in (10, 11):
            desk_db.message(utc(24, hour), author='<script>alert("x")</script>')
        html = get(viewer, "reports").content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html

    def test_moderation_is_shown_as_not_recorded_without_the_reporting_module(
        self, viewer: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from civildesk.reports import build

        monkeypatch.setattr(build, "MODERATION_REPORTING", "civildesk.reports.no_such_module")
        html = get(viewer, "reports").content.decode()
        assert 'data-testid="report-moderation-empty">Not recorded yet' in html


def chart_url(name: str, week: str = WEEK) -> str:
    return reverse("report-chart", kwargs={"week": week, "name": name})


class TestCharts:
    """Each chart is an SVG file of its own, so the page needs no inline styles."""

    def test_the_page_has_the_desks_strict_policy(self, viewer: Client, week: Any) -> None:
        response = get(viewer, "reports")
        assert response["Content-Security-Policy"] == CSP
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        html = response.content.decode()
        assert "<svg" not in html and "style=" not in html and "<style" not in html
        assert "<script>" not in html  # only <script src=...> from the desk's static files

    def test_the_page_shows_each_chart_as_an_image_that_says_what_it_shows(
        self, viewer: Client, week: Any
    ) -> None:
        html = get(viewer, "reports").content.decode()
        alts = dict(re.findall(r'<img src="/reports/[^/]+/charts/(\w+)\.svg" alt="([^"]*)"', html))
        assert list(alts) == ["volume", "labels", "sla"]
        assert alts["volume"] == (
            "Stacked bar chart of messages each day from Monday 23 November to Sunday 29 November, "
            "one colour per platform: 7 in all, most on Monday 23 November (2)."
        )
        assert alts["labels"].startswith("Bar chart of the labels the engine gave, most frequent first: ")
        assert "crisis 2, question 2, abuse 1" in alts["labels"]
        assert alts["sla"] == (
            "Bar chart of same-working-day reply outcomes: met 4, missed 2, not yet due 0, no reply owed 1."
        )
        # The tables with the same figures stay, for anyone who cannot see the chart.
        for name in ("volume", "labels", "sla"):
            section = html.split(f'data-testid="report-{name}"')[1].split("</section>")[0]
            assert 'data-testid="chart-' in section and '<table class="nhsuk-table">' in section

    def test_a_week_without_labels_says_so_in_words(self, viewer: Client, desk_db: Any) -> None:
        html = get(viewer, "reports").content.decode()
        assert f'<img src="{chart_url("labels")}" alt="No labelled messages in this period."' in html
        assert 'data-testid="report-labels-empty"' in html

    @pytest.mark.parametrize("role", ["viewer", "officer"])
    def test_a_desk_role_gets_the_svg_with_its_own_headers(
        self, client: Client, week: Any, role: str
    ) -> None:
        client.force_login(person(role))
        with at(READ_AT):
            response = client.get(chart_url("sla"))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == CHART_CSP
        assert "default-src 'none'" in CHART_CSP and "script-src" not in CHART_CSP
        cache = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache and "public" not in cache
        body = response.content.decode()
        assert body.startswith("<?xml") and "<svg" in body and 'xmlns="http://www.w3.org/2000/svg"' in body
        assert "<script" not in body and "<foreignObject" not in body

    def test_the_chart_is_drawn_from_the_weeks_figures(self, viewer: Client, week: Any) -> None:
        from civildesk.reports import build, charts
        from tests.reports.conftest import week_period

        with at(READ_AT):
            served = viewer.get(chart_url("volume")).content.decode()
            drawn = charts.svg_document(build.build_report(week_period(), now=READ_AT), "volume")
        assert served == drawn

    def test_a_role_that_cannot_read_reports_cannot_fetch_their_charts(
        self, client: Client, desk_db: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Every desk role can read reports today; take the right away from viewers to show that
        # the chart asks exactly what the page asks.
        monkeypatch.setitem(roles.PERMISSIONS, "viewer", roles.PERMISSIONS["viewer"] - {"view_dashboard"})
        client.force_login(person("viewer"))
        for url in (reverse("reports"), chart_url("volume"), chart_url("labels"), chart_url("sla")):
            with at(READ_AT):
                response = client.get(url)
            assert response.status_code == 403, url
            assert "<svg" not in response.content.decode(), url

    def test_an_inactive_account_is_sent_to_log_in(self, client: Client, desk_db: Any) -> None:
        user = person("officer")
        user.is_active = False
        user.save()
        client.force_login(user)
        with at(READ_AT):
            response = client.get(chart_url("volume"))
        assert response.status_code == 302 and response["Location"].startswith("/login/")

    @pytest.mark.parametrize(
        ("name", "week_text"),
        [("pie", WEEK), ("volume.svg", WEEK), ("volume", "2026-W99"), ("volume", "2026-W51")],
    )
    def test_an_unknown_chart_or_week_is_not_found(self, viewer: Client, name: str, week_text: str) -> None:
        with at(READ_AT):
            assert viewer.get(chart_url(name, week_text)).status_code == 404


class TestDownloads:
    def test_html_download_is_a_whole_page_with_the_charts(self, viewer: Client, week: Any) -> None:
        response = get(viewer, "report-html", week=WEEK)
        assert response["Content-Disposition"] == f'attachment; filename="civildesk-report-{WEEK}.html"'
        html = response.content.decode()
        assert html.startswith("<!DOCTYPE html>") and html.count("<svg ") == 3
        assert "<link" not in html and "<script" not in html  # nothing to fetch when opened offline
        assert "66.7 %" in html

    def test_pdf_download_opens_and_carries_the_figures(self, viewer: Client, week: Any, posts: Any) -> None:
        response = get(viewer, "report-pdf", week=WEEK)
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(response.content))
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert "Weekly report: 23 November 2026 to 29 November 2026" in text
        assert "66.7 %" in text and "Amy (@amy)" in text
        images = sum(len(page.images) for page in reader.pages)
        assert images == 3  # the three charts

    def test_csv_has_one_row_per_message_in_the_week(self, viewer: Client, week: Any) -> None:
        response = get(viewer, "report-csv", week=WEEK)
        assert response["Content-Disposition"] == f'attachment; filename="civildesk-messages-{WEEK}.csv"'
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == 7
        first = rows[0]
        assert first["posted_at"] == "2026-11-23T10:00:00+00:00" and first["sla"] == "met"
        assert sorted(r["sla"] for r in rows).count("missed") == 2

    def test_csv_cells_cannot_run_as_spreadsheet_formulas(self, viewer: Client, desk_db: Any) -> None:
        from tests.reports.conftest import utc

        desk_db.message(utc(24, 10), text='=HYPERLINK("http://evil.example","click")', author="=cmd")
        desk_db.message(utc(24, 11), text="+1+1")
        desk_db.message(utc(24, 12), text="-2+3")
        desk_db.message(utc(24, 13), text="@SUM(A1)")
        desk_db.message(utc(24, 14), text="\t=1+1")
        desk_db.message(utc(24, 15), text="fine = text")
        rows = list(
            csv.DictReader(io.StringIO(get(viewer, "report-csv", week=WEEK).content.decode("utf-8-sig")))
        )
        assert [r["text"] for r in rows] == [
            '\'=HYPERLINK("http://evil.example","click")',
            "'+1+1",
            "'-2+3",
            "'@SUM(A1)",
            "'\t=1+1",
            "fine = text",
        ]
        assert rows[0]["author"] == "'=cmd (@=cmd)"
