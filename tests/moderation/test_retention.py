"""Retention erases old message bodies and personal data, keeps what is under legal hold, and
logs what it removed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from civildesk.cli import main
from civildesk.inbox.models import Author, Message
from civildesk.moderation import services
from civildesk.moderation.models import AuditEntry, RetentionRun
from civildesk.moderation.retention import apply_retention

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_and_new(arrive: Callable[..., Message]) -> tuple[Message, Message, Message]:
    old = arrive("my old complaint about the ward", author_id="ig-old", handle="old.one")
    held = arrive("you are all idiots, old threat", author_id="ig-held", handle="held.one")
    new = arrive("thank you for the help today", author_id="ig-new", handle="new.one")
    long_ago = timezone.now() - timedelta(days=800)
    Message.objects.filter(pk__in=[old.pk, held.pk]).update(received_at=long_ago)
    Author.objects.filter(pk__in=[old.author_id, held.author_id]).update(last_seen_at=long_ago)
    return old, held, new


def test_old_bodies_and_authors_are_erased_and_held_evidence_kept(
    old_and_new: tuple[Message, Message, Message], moderator: Any
) -> None:
    old, held, new = old_and_new
    services.do_place_hold(held, moderator, reason="police enquiry 42")
    run = apply_retention()
    old.refresh_from_db()
    held.refresh_from_db()
    new.refresh_from_db()
    assert old.text == "" and old.raw == {} and not any(r.text for r in old.revisions.all())
    assert held.text == "you are all idiots, old threat"
    assert new.text == "thank you for the help today"
    old.author.refresh_from_db()
    held.author.refresh_from_db()
    assert old.author.handle == "" and old.author.platform_user_id.startswith("erased-")
    assert held.author.handle == "held.one"
    assert (run.message_bodies, run.authors, run.kept_on_hold) == (1, 1, 1)
    assert run.detail["message_ids"] == [old.pk] and run.detail["kept_on_hold"] == [held.pk]
    assert AuditEntry.objects.filter(event="retention.applied").exists()
    assert apply_retention().message_bodies == 0  # nothing left to erase


def test_a_dry_run_changes_nothing(old_and_new: tuple[Message, Message, Message]) -> None:
    old, _, _ = old_and_new
    run = apply_retention(dry_run=True)
    old.refresh_from_db()
    assert run.dry_run and run.message_bodies == 2 and old.text


def test_a_released_hold_no_longer_protects(
    old_and_new: tuple[Message, Message, Message], moderator: Any, admin: Any
) -> None:
    _, held, _ = old_and_new
    hold = services.do_place_hold(held, moderator, reason="enquiry")
    services.do_release_hold(hold, admin, reason="enquiry closed")
    apply_retention()
    held.refresh_from_db()
    assert held.text == ""


def test_the_command_and_the_cli_report_what_they_removed(
    old_and_new: tuple[Message, Message, Message], capsys: Any
) -> None:
    call_command("apply_retention", "--dry-run")
    assert "would erase 2 message bodies" in capsys.readouterr().out
    assert main(["retention"]) == 0
    assert "erased 2 message bodies and 2 authors" in capsys.readouterr().out
    assert RetentionRun.objects.count() == 2
