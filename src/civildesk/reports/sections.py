"""The report as a list of titled sections with tables: one description that the page, the HTML
download and the PDF all lay out, so they cannot disagree about a figure. No Django here."""

from __future__ import annotations

from dataclasses import dataclass

from civildesk.reports.figures import Report, describe_minutes, describe_percent

OUTCOME_NAMES = {
    "upheld": "Upheld (the action stands)",
    "overturned": "Overturned (the action was undone)",
    "open": "Open (waiting for a decision)",
    "pending": "Waiting for a decision",
}


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    lead: str = ""
    chart: str = ""  # the name of a chart from civildesk.reports.charts
    empty: str = ""  # shown instead of the table when there are no rows
    text_columns: tuple[int, ...] = (0,)  # the other columns are numbers (right-aligned)

    def cells(self) -> list[list[tuple[str, bool]]]:
        """Rows as (text, is_number) pairs, for templates."""
        return [[(value, n not in self.text_columns) for n, value in enumerate(row)] for row in self.rows]

    def headers(self) -> list[tuple[str, bool]]:
        return [(value, n not in self.text_columns) for n, value in enumerate(self.header)]


def _n(value: int) -> str:
    return f"{value:,}"


def sections(report: Report) -> list[Section]:
    crisis, sla, posts, mod = report.crisis, report.sla, report.posts, report.moderation
    out = [
        Section(
            "summary",
            "At a glance",
            ("Figure", "This week"),
            (
                ("Messages received", _n(report.total)),
                ("P1 crisis messages", _n(crisis.count)),
                ("Median time to first crisis reply", describe_minutes(crisis.median_minutes)),
                ("Same-working-day replies met", describe_percent(sla.percent_met)),
                (
                    "Median first response (working hours)",
                    describe_minutes(report.median_first_response_minutes, working=True),
                ),
                ("Scheduled posts published", _n(posts.published)),
                ("Scheduled posts failed", _n(posts.failed)),
            ),
        ),
        Section(
            "volume",
            "Volume by platform and day",
            ("Day", *(label for _, label in report.platforms), "Total"),
            tuple(
                (f"{v.day:%A} {v.day.day} {v.day:%B}", *(_n(c) for c in v.counts), _n(v.total))
                for v in report.volume
            ),
            chart="volume",
            lead="Messages by the day they were posted (London time).",
        ),
        Section(
            "labels",
            "Labels",
            ("Label", "Messages"),
            tuple((name.replace("_", " "), _n(count)) for name, count in report.labels),
            chart="labels",
            lead="A message can carry several labels, so these add up to more than the messages.",
            empty="No labelled messages in this period.",
        ),
        Section(
            "crisis",
            "P1 crisis messages",
            ("Figure", "Value"),
            (
                ("P1 crisis messages", _n(crisis.count)),
                ("Replied to", _n(crisis.replied)),
                ("Not replied to", _n(crisis.unreplied)),
                ("Median time to first reply", describe_minutes(crisis.median_minutes)),
                ("Longest time to first reply", describe_minutes(crisis.longest_minutes)),
            ),
            lead="Clock time from posting to the first reply the platform accepted, including the "
            "automatic out-of-hours crisis reply.",
        ),
        Section(
            "sla",
            "Same-working-day replies",
            ("Outcome", "Messages"),
            (
                ("Met (replied by the due time)", _n(sla.met)),
                ("Missed (replied late, or overdue and waiting)", _n(sla.missed)),
                ("Not yet due", _n(sla.pending)),
                ("No reply owed (closed or moderated without a reply)", _n(sla.no_reply_owed)),
                ("Met, of met and missed", describe_percent(sla.percent_met)),
                (
                    f"Median first response in working hours ({_n(report.responses_counted)} replies)",
                    describe_minutes(report.median_first_response_minutes, working=True),
                ),
            ),
            chart="sla",
        ),
    ]
    if mod.recorded:
        rows: list[tuple[str, ...]] = [
            (f"Action: {name.replace('_', ' ')}", _n(count))
            for name, count in sorted(mod.actions_by_type.items())
        ]
        rows.append(("Overrides of protected criticism", _n(mod.criticism_overrides or 0)))
        rows += [(f"Appeals: {OUTCOME_NAMES.get(k, k)}", _n(v)) for k, v in sorted(mod.appeals.items())]
        out.append(Section("moderation", "Moderation and appeals", ("Figure", "Value"), tuple(rows)))
    else:
        out.append(Section("moderation", "Moderation and appeals", empty=mod.note or "Not recorded yet."))
    out += [
        Section(
            "authors",
            "Top recurring authors",
            ("Author", "Platform", "Messages", "Most frequent label"),
            tuple(
                (a.name, a.platform, _n(a.messages), a.top_label.replace("_", " "))
                for a in report.top_authors
            ),
            empty="Nobody wrote more than once in this period.",
            text_columns=(0, 1, 3),
        ),
        Section(
            "posts",
            "Scheduled posts",
            ("Outcome", "Posts (per account)"),
            (
                ("Published", _n(posts.published)),
                ("Failed", _n(posts.failed)),
                ("Check the platform (publishing was interrupted)", _n(posts.unknown)),
                ("Still waiting to go out", _n(posts.waiting)),
            ),
            lead="Posts due in this period, counted once for each account they were due to go to.",
        ),
    ]
    return out
