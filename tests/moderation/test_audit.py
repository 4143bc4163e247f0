"""The audit log is append-only and hash-chained; `civildesk audit verify` names a tampered row."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from civildesk.cli import main
from civildesk.moderation import audit
from civildesk.moderation.models import AppendOnlyError, AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def five_rows(officer: Any) -> list[AuditEntry]:
    return [
        audit.record(
            "action.proposed",
            officer,
            target_type="moderation_action",
            target_id=n,
            after={"state": "proposed", "note": "café ✓"},
            reason=f"reason {n}",
            policy_version="2026.11+abc",
        )
        for n in range(1, 6)
    ]


def test_each_row_carries_the_hash_of_the_one_before(officer: Any) -> None:
    rows = five_rows(officer)
    assert rows[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash and after.seq == before.seq + 1
    assert rows[0].actor_name == "olu.officer"
    assert audit.verify() == []


def test_an_intact_log_verifies_from_the_command_line(officer: Any, capsys: Any) -> None:
    five_rows(officer)
    assert main(["audit", "verify"]) == 0
    assert "audit log intact: 5 rows" in capsys.readouterr().out


def test_editing_one_row_in_the_database_is_caught_and_named(officer: Any, capsys: Any) -> None:
    five_rows(officer)
    with connection.cursor() as cursor:  # what someone with database access might do
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET reason = %s WHERE seq = %s", ["nothing to see", 3]
        )
    problems = audit.verify()
    assert [str(p) for p in problems] == ["audit row 3: edited (its contents no longer match its hash)"]
    assert main(["audit", "verify"]) == 1
    assert "audit row 3: edited" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_editing_a_row_and_its_hash_breaks_the_next_link(officer: Any) -> None:
    rows = five_rows(officer)
    forged = audit.row_hash(
        prev_hash=rows[1].prev_hash,
        seq=2,
        at=rows[1].at,
        actor_name="someone.else",
        event=rows[1].event,
        target_type=rows[1].target_type,
        target_id=rows[1].target_id,
        before=rows[1].before,
        after=rows[1].after,
        reason=rows[1].reason,
        policy_version=rows[1].policy_version,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET actor_name = %s, hash = %s WHERE seq = 2",
            ["someone.else", forged],
        )
    assert [p.seq for p in audit.verify()] == [3]


def test_deleting_a_row_is_caught_and_named(officer: Any) -> None:
    five_rows(officer)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = 2")
    problems = audit.verify()
    assert problems and problems[0].seq == 2 and "deleted" in problems[0].problem


def test_deleting_the_newest_rows_is_caught(officer: Any) -> None:
    five_rows(officer)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq >= 4")
    problems = audit.verify()
    assert [str(p) for p in problems] == ["audit row 4: deleted (the newest rows 4–5 are missing)"]
    assert AuditHead.objects.get().seq == 5


def test_the_application_cannot_change_or_remove_rows(officer: Any) -> None:
    row = five_rows(officer)[0]
    row.reason = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).update(reason="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert audit.verify() == []
