"""``civildesk mailbox poll|schedule|status``: read the appeals mailbox now, start the worker's
poll chain, or show how the mailbox is doing."""

from __future__ import annotations

import argparse
import os
from typing import Any


def add_subcommands(sub: Any) -> None:
    p = sub.add_parser("mailbox", help="the appeals mailbox (IMAP)")
    msub = p.add_subparsers(dest="mailbox_command", required=True)
    msub.add_parser("poll", help="read the mailbox once now and match what arrived (exit 1 if unreadable)")
    msub.add_parser("schedule", help="make sure a worker reads it every CIVILDESK_APPEALS_IMAP_POLL_SECONDS")
    msub.add_parser("status", help="last read, last error, mail waiting for a person")
    p.set_defaults(func=cmd_mailbox)


def cmd_mailbox(args: argparse.Namespace) -> int:
    from civildesk.web.cli_commands import _django

    _django()
    from civildesk.mailbox import services, tasks
    from civildesk.mailbox.models import InboundMail

    settings = services.mailbox_settings()
    if args.mailbox_command == "poll":
        outcome = tasks.poll_once(holder=f"cli-{os.getpid()}")
        print(f"appeals mailbox {settings.describe()}: {outcome}")
        if outcome == "unavailable":
            print(f"error: {services.status().last_error}")
        return 0 if outcome.startswith("fetched") else 1
    if args.mailbox_command == "schedule":
        queued = tasks.ensure_scheduled()
        print(f"next poll queued as task {queued}" if queued else "not configured: nothing queued")
        return 0 if queued else 1
    row = services.status()
    waiting = InboundMail.objects.filter(status=InboundMail.Status.UNMATCHED).count()
    print(f"mailbox: {settings.describe() if settings.configured else 'not configured'}")
    print(f"last read: {row.last_success_at or 'never'}; failures in a row: {row.consecutive_failures}")
    if row.last_error:
        print(f"last error ({row.last_error_at}): {row.last_error}")
    print(f"next poll: {row.next_poll_at or 'not scheduled'}; waiting for a person: {waiting}")
    return 0
