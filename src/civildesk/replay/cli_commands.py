"""``civildesk replay --policy NEW.yaml --since 90d``: what a policy edit would change.

Re-runs the engine over the messages the desk stored in the period, once with the policy in
force and once with NEW.yaml (same detectors, same staff directory, same strikes), and reports
the differences: more or fewer removals, any criticism removed, any crisis missed, priorities,
labels and actions. ``--baseline stored`` compares with the decisions the desk actually stored
instead (these may come from older policies or models). Nothing is written.

Exit status: 0 when the new policy is safe to consider, 3 when it would remove criticism or
miss a crisis (so a pipeline can stop the change), 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

RISKY_EXIT = 3


def add_subcommands(sub: Any) -> None:
    p = sub.add_parser(
        "replay",
        help="what-if: re-run stored messages with another policy file and report what would change",
    )
    p.add_argument("--policy", required=True, help="the new policy.yaml to try")
    p.add_argument("--since", default="90d", help="how far back: e.g. 90d, 12w, 48h (default 90d)")
    p.add_argument(
        "--baseline",
        choices=("current", "stored"),
        default="current",
        help="compare with the policy in force re-run now (default) or with the stored decisions",
    )
    p.add_argument("--rules-only", action="store_true", help="do not load the learned heads")
    p.add_argument("--limit", type=int, default=None, help="at most this many messages")
    p.add_argument("--examples", type=int, default=5, help="message ids listed per label change")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_replay)


def cmd_replay(args: argparse.Namespace) -> int:
    from civildesk.web.cli_commands import _django

    _django()
    from civildesk.policy.schema import PolicyError
    from civildesk.replay.compare import render
    from civildesk.replay.run import ReplayError, build_engines, parse_since, replay

    try:
        since = parse_since(args.since)
        engines = build_engines(
            args.policy, baseline=args.baseline, use_model=False if args.rules_only else None
        )
    except (ReplayError, PolicyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = replay(engines, since=since, limit=args.limit, examples=max(args.examples, 0))
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        before = engines.before.policy.version if engines.before is not None else "stored decisions"
        print(
            render(
                report,
                title=f"replay of the last {args.since}: {before} -> {engines.after.policy.version}",
            )
        )
    return RISKY_EXIT if report.risky else 0
