"""Create the audit log's head row up front, so the first two concurrent appends on PostgreSQL
both lock the same row instead of racing to create it."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def create_head(apps: Any, schema_editor: Any) -> None:
    AuditHead = apps.get_model("moderation", "AuditHead")
    AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": ""})


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
