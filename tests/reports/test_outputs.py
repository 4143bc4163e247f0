"""Charts, PDF and CSV as pieces: deterministic, self-contained, and inert whatever people wrote."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from pypdf import PdfReader

from civildesk.inbox.sla import WorkingHours
from civildesk.reports import charts, csvexport, pdf
from civildesk.reports.figures import MessageFacts, ModerationFigures, PostFigures, compute, describe_minutes
from civildesk.reports.period import Period

PLATFORMS = [("x", "X"), ("facebook", "Facebook"), ("instagram", "Instagram"), ("linkedin", "LinkedIn")]
AS_OF = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def fact(
    n: int, *, name: str = "Amy", text: str = "hello", labels: tuple[str, ...] = ("question",)
) -> MessageFacts:
    posted = datetime(2026, 11, 23 + n % 7, 10, 0, tzinfo=UTC)
    return MessageFacts(
        pk=n,
        platform=PLATFORMS[n % 4][0],
        kind="comment",
        posted_at=posted,
        author_key=f"x:{name}",
        author_name=name,
        priority="P4",
        labels=labels,
        status="open",
        due_at=posted.replace(hour=17),
        answered_at=None,
        first_reply_at=None,
        text=text,
    )


def report(facts: list[MessageFacts]) -> object:
    return compute(
        Period(date(2026, 11, 23)),
        facts,
        hours=WorkingHours(),
        as_of=AS_OF,
        platforms=PLATFORMS,
        posts=PostFigures(),
        moderation=ModerationFigures(recorded=False, note="Not recorded yet."),
    )


def test_charts_are_the_same_bytes_every_time() -> None:
    r = report([fact(n) for n in range(10)])
    first, second = charts.render(r, png=True), charts.render(r, png=True)  # type: ignore[arg-type]
    assert [c.svg for c in first] == [c.svg for c in second]
    assert [c.png for c in first] == [c.png for c in second]
    assert [c.name for c in first] == ["volume", "labels", "sla"]


def test_charts_are_inline_svg_that_scales_and_png_for_the_pdf() -> None:
    for chart in charts.render(report([fact(1)]), png=True):  # type: ignore[arg-type]
        assert chart.svg.startswith("<svg") and 'width="100%"' in chart.svg and "viewBox" in chart.svg
        assert "<script" not in chart.svg and "<?xml" not in chart.svg
        assert chart.png.startswith(b"\x89PNG")


def test_the_charts_svg_ids_differ_so_three_can_share_a_page() -> None:
    ids = [set(re.findall(r'id="([^"]+)"', c.svg)) for c in charts.render(report([fact(1)]))]  # type: ignore[arg-type]
    assert all(ids) and not (ids[0] & ids[1]) and not (ids[1] & ids[2]) and not (ids[0] & ids[2])
    # ...and every reference still points at an id of its own chart.
    for chart, own in zip(charts.render(report([fact(1)])), ids, strict=True):  # type: ignore[arg-type]
        refs = set(re.findall(r'(?:url\(|href=")#([^")]+)', chart.svg))
        assert refs and refs <= own


def test_each_chart_is_also_a_standalone_svg_file_for_the_page() -> None:
    r = report([fact(n) for n in range(10)])
    for name in charts.NAMES:
        svg = charts.svg_document(r, name)  # type: ignore[arg-type]
        assert svg == charts.svg_document(r, name)  # type: ignore[arg-type]
        assert svg.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg
        assert "viewBox" in svg and "<script" not in svg and "<foreignObject" not in svg
        # Nothing to fetch: every reference points inside the file.
        assert "<image" not in svg and "url(http" not in svg
        assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', svg))


def test_the_page_describes_the_charts_without_drawing_them() -> None:
    r = report([fact(1)])
    described = charts.describe(r)  # type: ignore[arg-type]
    drawn = charts.render(r)  # type: ignore[arg-type]
    assert [c.name for c in described] == list(charts.NAMES) == ["volume", "labels", "sla"]
    assert all(c.svg == "" and c.png == b"" and c.alt and c.width > 0 and c.height > 0 for c in described)
    assert [(c.alt, c.width, c.height) for c in described] == [(c.alt, c.width, c.height) for c in drawn]
    assert (described[0].width, described[0].height) == (768, 307)  # 8 x 3.2 inches


def test_alt_text_names_only_the_labels_the_chart_shows() -> None:
    many = tuple(f"label_{n:02d}" for n in range(charts.MAX_LABELS + 3))
    alt = charts.describe(report([fact(1, labels=many)]))[1].alt  # type: ignore[arg-type]
    assert alt.startswith(f"Bar chart of the {charts.MAX_LABELS} most frequent of {len(many)} labels")
    assert "label 00 1" in alt and f"label {charts.MAX_LABELS:02d}" not in alt
    empty = charts.describe(report([]))  # type: ignore[arg-type]
    assert empty[0].alt.endswith("no messages in this period.")
    assert empty[1].alt == "No labelled messages in this period."


def test_an_empty_week_still_draws() -> None:
    drawn = charts.render(report([]))  # type: ignore[arg-type]
    assert len(drawn) == 3


def test_pdf_survives_names_that_look_like_markup() -> None:
    nasty = ['<b>Bold</b> & <font size="40">big</font>', "Zoë 🙂 Ωμέγα", "<para>"]
    facts = [fact(n, name=name) for n, name in enumerate(nasty * 2)]
    r = report(facts)
    document = pdf.render(r, charts.render(r, svg=False, png=True))  # type: ignore[arg-type]
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(document)).pages)
    assert '<b>Bold</b> & <font size="40">big</font>' in text
    assert "Zoë" in text and "Ωμέγα" in text


def test_pdf_is_reproducible() -> None:
    r = report([fact(n) for n in range(5)])
    drawn = charts.render(r, svg=False, png=True)  # type: ignore[arg-type]
    assert pdf.render(r, drawn) == pdf.render(r, drawn)  # type: ignore[arg-type]


def test_csv_safe_cell() -> None:
    assert csvexport.safe_cell("=1+1") == "'=1+1"
    assert csvexport.safe_cell("@x") == "'@x"
    assert csvexport.safe_cell("\r=1") == "'\r=1"
    assert csvexport.safe_cell("a=1") == "a=1"
    assert csvexport.safe_cell(None) == ""
    assert csvexport.safe_cell(42) == "42"


def test_describe_minutes() -> None:
    assert describe_minutes(None) == "–"
    assert describe_minutes(0.5) == "30 s"
    assert describe_minutes(75) == "1 h 15 min"
    assert describe_minutes(3000) == "2 d 2 h"
    assert describe_minutes(3000, working=True) == "50 h 00 min"


def test_the_pure_modules_do_not_need_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import civildesk.reports.period, civildesk.reports.figures, civildesk.reports.sections\n"
        "import civildesk.reports.charts, civildesk.reports.pdf, civildesk.reports.csvexport\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
