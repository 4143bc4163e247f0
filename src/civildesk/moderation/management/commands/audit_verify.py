"""``manage.py audit_verify``: check the audit log's hash chain (exit 1 naming any bad row)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from civildesk.moderation.audit import verify
from civildesk.moderation.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; names any edited or deleted row."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"audit log tampered with: {len(problems)} problem(s)")
        self.stdout.write(f"audit log intact: {AuditEntry.objects.count()} rows, chain verified")
