"""``civildesk report`` for a cron job: the same figures as the page, as text, PDF or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from civildesk.cli import main
from civildesk.devtools.testing import at
from tests.reports.conftest import READ_AT, WEEK

pytestmark = pytest.mark.django_db


def test_text_summary_of_a_chosen_week(week: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with at(READ_AT):
        assert main(["report", "--week", WEEK]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Weekly report {WEEK}: 23 November 2026 to 29 November 2026")
    assert "Same-working-day replies met | 66.7 %" in out
    assert "Amy (@amy) | X | 2 | complaint" in out


def test_pdf_to_a_file(week: Any, tmp_path: Path) -> None:
    target = tmp_path / "week.pdf"
    with at(READ_AT):
        assert main(["report", "--week", WEEK, "--format", "pdf", "--output", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF-")


def test_the_default_week_is_the_last_full_one(week: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with at(READ_AT):
        assert main(["report", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].lstrip("\ufeff").startswith("message_id,platform") and len(rows) == 8


def test_a_week_that_does_not_exist_is_an_error(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--week", "2026-W77"]) == 2
    assert "not a week" in capsys.readouterr().err
