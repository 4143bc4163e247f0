"""The same migrations build the schema on SQLite and PostgreSQL, and unwind cleanly."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree() -> None:
    out = StringIO()
    call_command("makemigrations", "inbox", "web", check=True, dry_run=True, stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_migrations_unwind_to_zero_and_apply_again() -> None:
    call_command("migrate", "inbox", "zero", verbosity=0)
    call_command("migrate", "web", "zero", verbosity=0)
    tables = set(connection.introspection.table_names())
    assert not {"inbox_message", "inbox_decision", "web_staffprofile"} & tables
    call_command("migrate", verbosity=0)
    tables = set(connection.introspection.table_names())
    assert {"inbox_message", "inbox_decision", "inbox_messagerevision", "web_staffprofile"} <= tables
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


@pytest.mark.django_db
def test_the_unique_platform_id_is_enforced_by_the_database() -> None:
    from datetime import UTC, datetime

    from django.db import IntegrityError, transaction

    from civildesk.inbox.models import Account, Author, Message

    account = Account.objects.create(platform="x", platform_account_id="a")
    author = Author.objects.create(platform="x", platform_user_id="u")
    when = datetime(2026, 11, 25, 10, tzinfo=UTC)
    fields = {
        "account": account,
        "platform": "x",
        "platform_id": "1",
        "author": author,
        "kind": "mention",
        "posted_at": when,
        "due_at": when,
    }
    Message.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(**fields)
