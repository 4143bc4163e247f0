"""The report's charts, drawn on the server with matplotlib (Agg, no pyplot, no browser library).

The same drawing is saved as SVG for the page and the HTML download and as PNG for the PDF, so the
three show the same chart. The page loads each chart as its own SVG file through <img>, so the
chart's style attributes never need the page's Content-Security-Policy to allow inline styles; the
HTML download has no desk to fetch from, so it carries the charts inline. Output is deterministic
(fixed SVG id salt per chart, no dates in the metadata): the same figures give the same bytes,
which keeps tests and downloaded files stable.

Text in the charts comes only from fixed vocabularies (platform names, label names, dates), never
from what people wrote; text is drawn as paths, so an SVG carries no markup of anyone's choosing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

# No pyplot: a bare Figure has no GUI backend and no global "current figure", so requests in
# several threads cannot draw on each other's charts; savefig picks the Agg/SVG canvas by format.
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from civildesk.reports.figures import Report

# NHS identity colours: blue, dark blue, aqua green, warm yellow (platform order in the report).
PLATFORM_COLOURS = ("#005eb8", "#003087", "#00a499", "#ffb81c", "#768692")
NHS_BLUE, NHS_GREEN, NHS_RED, NHS_GREY = "#005eb8", "#007f3b", "#d5281b", "#768692"
TEXT_COLOUR = "#212b32"
MAX_LABELS = 12
_SVG_ROOT_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')
_SVG_ID = re.compile(r'\b(id)="([^"]+)"')
_SVG_REF = re.compile(r'(url\(|xlink:href="|href=")#')


@dataclass(frozen=True, slots=True)
class Chart:
    name: str
    title: str
    svg: str = ""  # an inline <svg> element, no XML prolog (for the HTML download)
    png: bytes = b""  # for the PDF
    alt: str = ""  # what the chart shows, in words, for the page's <img alt>
    width: int = 0  # CSS pixels: the page reserves the space before the image arrives
    height: int = 0


def _style(name: str) -> Any:  # matplotlib types the keys as one long Literal of rc names
    return {
        "svg.hashsalt": f"civildesk-{name}",  # fixed ids: the same chart, the same bytes
        "font.family": "DejaVu Sans",  # ships inside matplotlib: the same glyphs on every machine
        "font.size": 9,
        "text.color": TEXT_COLOUR,
        "axes.labelcolor": TEXT_COLOUR,
        "axes.edgecolor": "#d8dde0",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": TEXT_COLOUR,
        "ytick.color": TEXT_COLOUR,
        "svg.fonttype": "path",
        "path.simplify": False,
    }


def _volume(report: Report, fig: Figure) -> None:
    ax = fig.subplots()
    days = [f"{v.day:%a} {v.day.day}" for v in report.volume]
    bottoms = [0] * len(days)
    for n, (_value, label) in enumerate(report.platforms):
        counts = [v.counts[n] for v in report.volume]
        ax.bar(days, counts, bottom=bottoms, label=label, color=PLATFORM_COLOURS[n % len(PLATFORM_COLOURS)])
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    ax.set_ylabel("Messages")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)


def _labels(report: Report, fig: Figure) -> None:
    ax = fig.subplots()
    shown = list(report.labels[:MAX_LABELS])[::-1]  # most frequent at the top
    if not shown:
        ax.text(0.5, 0.5, "No labelled messages in this period", ha="center", va="center")
        ax.set_axis_off()
        return
    names = [name.replace("_", " ") for name, _ in shown]
    ax.barh(names, [count for _, count in shown], color=NHS_BLUE)
    ax.set_xlabel("Messages with the label")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _sla(report: Report, fig: Figure) -> None:
    ax = fig.subplots()
    sla = report.sla
    names = ["Met", "Missed", "Not yet due", "No reply owed"]
    values = [sla.met, sla.missed, sla.pending, sla.no_reply_owed]
    ax.barh(names[::-1], values[::-1], color=[NHS_GREY, NHS_GREY, NHS_RED, NHS_GREEN])
    ax.set_xlabel("Messages")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


DRAWINGS: tuple[tuple[str, str, Callable[[Report, Figure], None], tuple[float, float]], ...] = (
    ("volume", "Messages by platform and day", _volume, (8.0, 3.2)),
    ("labels", "Labels the engine gave", _labels, (8.0, 3.6)),
    ("sla", "Same-working-day reply target", _sla, (8.0, 2.0)),
)


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _volume_alt(report: Report) -> str:
    days = report.volume
    span = f"from {_day(days[0].day)} to {_day(days[-1].day)}" if days else "in this period"
    what = f"Stacked bar chart of messages each day {span}, one colour per platform"
    if report.total == 0:
        return f"{what}: no messages in this period."
    busiest = max(days, key=lambda v: v.total)  # max keeps the earliest of equal days
    return f"{what}: {report.total:,} in all, most on {_day(busiest.day)} ({busiest.total:,})."


def _labels_alt(report: Report) -> str:
    shown = report.labels[:MAX_LABELS]
    if not shown:
        return "No labelled messages in this period."
    which = "the labels the engine gave"
    if len(report.labels) > len(shown):
        which = f"the {len(shown)} most frequent of {len(report.labels)} labels"
    counts = ", ".join(f"{name.replace('_', ' ')} {count:,}" for name, count in shown)
    return f"Bar chart of {which}, most frequent first: {counts}."


def _sla_alt(report: Report) -> str:
    sla = report.sla
    return (
        "Bar chart of same-working-day reply outcomes: "
        f"met {sla.met:,}, missed {sla.missed:,}, not yet due {sla.pending:,}, "
        f"no reply owed {sla.no_reply_owed:,}."
    )


ALT_TEXTS: dict[str, Callable[[Report], str]] = {
    "volume": _volume_alt,
    "labels": _labels_alt,
    "sla": _sla_alt,
}
NAMES: tuple[str, ...] = tuple(name for name, *_ in DRAWINGS)
_CSS_PX_PER_INCH = 96


def _outline(report: Report, name: str, title: str, size: tuple[float, float]) -> Chart:
    width, height = (round(inches * _CSS_PX_PER_INCH) for inches in size)
    return Chart(name, title, alt=ALT_TEXTS[name](report), width=width, height=height)


def _svg_inline(raw: str, name: str, title: str) -> str:
    body = raw[raw.index("<svg") :]
    # Three charts share one page: matplotlib's ids ("patch_1", glyph ids) would repeat, so each
    # chart's ids and the references to them get the chart's name in front.
    body = _SVG_ID.sub(lambda m: f'{m[1]}="{name}-{m[2]}"', body)
    body = _SVG_REF.sub(lambda m: f"{m[1]}#{name}-", body)
    # Scale with the page (the viewBox keeps the proportions) and name the chart for screen readers.
    return _SVG_ROOT_SIZE.sub(
        lambda m: f'<svg{m[1]} width="100%" role="img" aria-label="{title}"', body, count=1
    )


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def describe(report: Report) -> list[Chart]:
    """Every chart's name, title, size and words, without drawing it (the page's <img> tags)."""
    return [_outline(report, name, title, size) for name, title, _draw, size in DRAWINGS]


@contextmanager
def _drawn(
    report: Report, name: str, draw: Callable[[Report, Figure], None], size: tuple[float, float]
) -> Iterator[Figure]:
    """The chart drawn in its own style; save it inside the block (saving reads the style too)."""
    with rc_context(_style(name)):
        fig = Figure(figsize=size, layout="constrained")
        draw(report, fig)
        yield fig


def svg_document(report: Report, name: str) -> str:
    """One chart as a standalone SVG file, for the page's <img>; KeyError for an unknown name."""
    _name, _title, draw, size = {d[0]: d for d in DRAWINGS}[name]
    with _drawn(report, name, draw, size) as fig:
        return _svg(fig)


def render(report: Report, *, svg: bool = True, png: bool = False) -> list[Chart]:
    """Draw every chart once; save it as inline SVG (the HTML download) and/or PNG (the PDF)."""
    charts: list[Chart] = []
    for name, title, draw, size in DRAWINGS:
        with _drawn(report, name, draw, size) as fig:
            svg_text, png_bytes = "", b""
            if svg:
                svg_text = _svg_inline(_svg(fig), name, title)
            if png:
                png_buffer = io.BytesIO()
                fig.savefig(png_buffer, format="png", dpi=150, metadata={"Software": None})
                png_bytes = png_buffer.getvalue()
        charts.append(replace(_outline(report, name, title, size), svg=svg_text, png=png_bytes))
    return charts
