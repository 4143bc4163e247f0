"""Leaders read the week on the desk and take it away as HTML, PDF or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from civildesk.devtools.testing import at
from tests.reports.conftest import READ_AT, WEEK, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client: Client, desk_db: Any) -> Client:
    client.force_login(person("viewer"))
    return client


def get(client: Client, name: str, **kwargs: Any) -> Any:
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
        assert html.count("<svg ") == 3 and 'role="img"' in html
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
