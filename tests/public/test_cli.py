"""`civildesk ratings`: the figures for a report, from the command line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from civildesk.cli import main
from civildesk.public.models import PageRating

pytestmark = pytest.mark.django_db


def test_the_ratings_report(capsys: Any) -> None:
    assert main(["ratings"]) == 0
    assert "No ratings (last 30 days)." in capsys.readouterr().out
    for stars in (5, 5, 4, 2):
        PageRating.objects.create(rating=stars, comment="ok" if stars == 2 else "", client="c")
    assert main(["ratings", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["count"] == 4 and report["mean"] == 4.0 and report["helpful_share"] == 0.75
    assert report["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2}
    assert main(["ratings", "--days", "0"]) == 0
    out = capsys.readouterr().out
    assert "4 ratings (all time), average 4.0 out of 5, 1 with a comment" in out
    assert "  5:     2   50%" in out
