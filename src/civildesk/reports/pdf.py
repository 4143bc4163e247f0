"""The weekly report as a PDF (reportlab: pure Python wheels, no system libraries to install).

The charts are the same matplotlib drawings as on the page, embedded as 150 dpi PNG. Text is set in
DejaVu Sans, the font matplotlib ships, so names in any Latin, Greek or Cyrillic script print on any
machine. Names and labels are escaped before reportlab reads them: its paragraphs are a markup
language, and an author's display name must not be able to change the document.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from civildesk.reports.charts import Chart
from civildesk.reports.figures import Report
from civildesk.reports.sections import Section, sections

NHS_BLUE = colors.HexColor("#005eb8")
BORDER = colors.HexColor("#d8dde0")
FONT, BOLD = "CivildeskSans", "CivildeskSans-Bold"


@cache
def _fonts() -> None:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle(
            "title", parent=base["Title"], fontName=BOLD, textColor=NHS_BLUE, alignment=0
        ),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=BOLD, textColor=colors.black),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=9.5, leading=13),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontName=FONT, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=FONT, fontSize=8.5, leading=10.5),
        "number": ParagraphStyle(
            "number", parent=base["BodyText"], fontName=FONT, fontSize=8.5, leading=10.5, alignment=TA_RIGHT
        ),
    }


def _table(section: Section, styles: dict[str, ParagraphStyle], width: float) -> Table:
    def cell(text: str, column: int, header: bool = False) -> Paragraph:
        markup = f"<b>{escape(text)}</b>" if header else escape(text)
        style = styles["cell"] if column in section.text_columns else styles["number"]
        return Paragraph(markup, style)

    data = [[cell(h, n, header=True) for n, h in enumerate(section.header)]]
    data += [[cell(str(v), n) for n, v in enumerate(row)] for row in section.rows]
    # Words need room, numbers little: text columns get three shares of the width, numbers one.
    shares = [3 if n in section.text_columns else 1 for n in range(len(section.header))]
    widths = [width * share / sum(shares) for share in shares]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, BORDER),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def render(report: Report, charts: list[Chart]) -> bytes:
    _fonts()
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"civildesk weekly report {report.period.iso_week}",
        author="civildesk",
        creator="civildesk",
        invariant=1,  # no creation date or random document id: same figures, same file
    )
    width = A4[0] - 36 * mm
    story: list[Flowable] = [
        Paragraph(f"Weekly report: {escape(report.period.title)}", styles["title"]),
        Paragraph(
            escape(
                f"Week {report.period.iso_week} (Monday to Sunday, {report.period.timezone}). "
                f"Generated {report.generated_at.astimezone(report.period.tz):%d %B %Y %H:%M}"
                + (f", policy {report.policy_version}." if report.policy_version else ".")
            ),
            styles["small"],
        ),
        Spacer(1, 4 * mm),
    ]
    by_name = {c.name: c for c in charts}
    for section in sections(report):
        story.append(Paragraph(escape(section.title), styles["h2"]))
        if section.lead:
            story.append(Paragraph(escape(section.lead), styles["body"]))
        chart = by_name.get(section.chart) if section.chart else None
        if chart is not None:
            image = Image(io.BytesIO(chart.png))
            scale = width / image.imageWidth
            image.drawWidth, image.drawHeight = width, image.imageHeight * scale
            story.append(image)
        if section.rows:
            story.append(_table(section, styles, width))
        elif section.empty:
            story.append(Paragraph(escape(section.empty), styles["body"]))
        story.append(Spacer(1, 3 * mm))
    doc.build(story)
    return buffer.getvalue()
