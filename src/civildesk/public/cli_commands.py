"""``civildesk ratings [--days 30] [--json]``: the house-rules page's ratings for a report."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from typing import Any


def add_subcommands(sub: Any) -> None:
    p = sub.add_parser("ratings", help="the public house-rules page's 'was this page helpful?' ratings")
    p.add_argument("--days", type=int, default=30, help="the last N days (0: all time; default 30)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ratings)


def cmd_ratings(args: argparse.Namespace) -> int:
    from civildesk.web.cli_commands import _django

    _django()
    from django.utils import timezone

    from civildesk.public.services import rating_summary

    since = timezone.now() - timedelta(days=args.days) if args.days > 0 else None
    summary = rating_summary(since=since)
    period = f"last {args.days} days" if since else "all time"
    if args.json:
        print(
            json.dumps(
                {
                    "period": period,
                    "count": summary.count,
                    "mean": summary.mean,
                    "helpful_share": summary.helpful_share,
                    "comments": summary.comments,
                    "distribution": dict(summary.distribution),
                }
            )
        )
        return 0
    if not summary.count:
        print(f"No ratings ({period}).")
        return 0
    print(
        f"{summary.count} ratings ({period}), average {summary.mean} out of 5, {summary.comments} with a comment"
    )
    for stars, n, pct in summary.rows:
        print(f"  {stars}: {n:5d}  {pct:3d}%  {'#' * (pct // 2)}")
    return 0
