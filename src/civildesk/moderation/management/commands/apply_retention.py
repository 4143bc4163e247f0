"""``manage.py apply_retention [--dry-run]``: erase old message bodies and personal data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civildesk.moderation.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Erase message bodies and personal data older than the policy's retention periods (legal holds kept)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be erased; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = apply_retention(dry_run=bool(options["dry_run"]))
        verb = "would erase" if run.dry_run else "erased"
        self.stdout.write(
            f"Retention run {run.pk}: {verb} {run.message_bodies} message bodies and "
            f"{run.authors} authors' personal data; kept {run.kept_on_hold} under legal hold."
        )
