"""``civildesk audit verify`` and ``civildesk retention [--dry-run]``."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_subcommands(sub: Any) -> None:
    p = sub.add_parser("audit", help="the moderation audit log")
    asub = p.add_subparsers(dest="audit_command", required=True)
    v = asub.add_parser("verify", help="check the hash chain; name any edited or deleted row (exit 1)")
    v.set_defaults(func=cmd_audit_verify)

    r = sub.add_parser("retention", help="erase old message bodies and personal data (legal holds kept)")
    r.add_argument("--dry-run", action="store_true", help="report what would be erased; change nothing")
    r.set_defaults(func=cmd_retention)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from civildesk.web.cli_commands import _django

    _django()
    from civildesk.moderation.audit import verify
    from civildesk.moderation.models import AuditEntry

    problems = verify()
    for problem in problems:
        print(str(problem), file=sys.stderr)
    if problems:
        print(f"audit log tampered with: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"audit log intact: {AuditEntry.objects.count()} rows, chain verified")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    from civildesk.web.cli_commands import _django

    _django()
    from civildesk.moderation.retention import apply_retention

    run = apply_retention(dry_run=bool(args.dry_run))
    verb = "would erase" if run.dry_run else "erased"
    print(
        f"retention run {run.pk}: {verb} {run.message_bodies} message bodies and {run.authors} authors' "
        f"personal data; kept {run.kept_on_hold} under legal hold"
    )
    return 0
