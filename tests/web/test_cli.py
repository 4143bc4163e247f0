"""The desk's commands: demo, import, worker, manage (as a person types them)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django_tasks_db.models import DBTaskResult

from civildesk.cli import main
from civildesk.inbox.models import Decision, Message
from civildesk.web.cli_commands import DEMO_ADMIN, create_demo_admin
from civildesk.web.demo import demo_rows, load_demo_inbox

pytestmark = [pytest.mark.usefixtures("fresh_desk_settings")]


class TestTheDemoInbox:
    def test_has_over_200_messages_on_all_four_platforms(self) -> None:
        rows = [r for r in demo_rows() if r.get("event", "create") == "create"]
        assert len(rows) >= 200
        by_platform = Counter(r["platform"] for r in rows)
        assert set(by_platform) == {"x", "facebook", "instagram", "linkedin"}
        assert min(by_platform.values()) >= 40
        assert {r["kind"] for r in rows} == {"mention", "reply", "comment", "dm"}
        assert len({r["text"] for r in rows}) == len(rows)  # every message written separately

    @pytest.mark.django_db
    def test_loads_through_ingestion_and_loading_twice_adds_nothing(self, engine: Any) -> None:
        first = load_demo_inbox()
        assert first.created >= 200
        assert Message.objects.count() == first.created
        assert Decision.objects.count() == first.created  # one decision each (the edited one: its new text)
        again = load_demo_inbox()
        assert again.created == 0 and Message.objects.count() == first.created
        assert Message.objects.filter(priority="P1").exists()
        assert Message.objects.filter(revision=2, edited_at__isnull=False).count() == 1
        assert Message.objects.filter(deleted_at__isnull=False).count() == 1
        assert Message.objects.filter(parent__isnull=False).count() == 4


@pytest.mark.django_db
def test_the_demo_admin_password_is_random_and_shown_once() -> None:
    password = create_demo_admin()
    assert password and len(password) >= 16
    user = get_user_model().objects.get(username=DEMO_ADMIN)
    assert user.check_password(password) and user.staff.role == "admin" and user.is_superuser
    assert create_demo_admin() is None


@pytest.mark.django_db
def test_civildesk_demo_prints_the_password_once(engine: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Demo admin password:" in out and "212 new messages" in out
    assert main(["demo"]) == 0
    again = capsys.readouterr().out
    assert "password" not in again.split("already exists")[0].lower() and "already exists" in again


@pytest.mark.django_db
class TestImport:
    def test_json_lines(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "export.jsonl"
        lines = [
            {
                "platform": "x",
                "id": "1",
                "text": "hello @LondonMHTrust",
                "author": "u1",
                "created_at": "2026-11-25T10:00:00Z",
            },
            {"platform": "facebook", "id": "2", "text": "is the hub open?", "author_id": "p2", "name": "Pat"},
            {
                "platform": "x",
                "id": "1",
                "text": "hello @LondonMHTrust",
                "author": "u1",
            },  # again: a duplicate
        ]
        path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
        assert main(["import", str(path)]) == 0
        captured = capsys.readouterr()
        assert "2 created" in captured.out and "1 duplicate" in captured.out and "1 errors" in captured.out
        assert "line 4: not valid JSON" in captured.err
        assert Message.objects.count() == 2
        assert Message.objects.get(platform_id="2").kind == "comment"  # Facebook's usual kind
        assert DBTaskResult.objects.count() == 2

    def test_csv_with_bad_rows_named_by_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "export.csv"
        path.write_text(
            "platform,id,kind,text,author,created_at\n"
            "instagram,c1,comment,love this 💙,ig1,2026-11-25T10:00:00+00:00\n"
            "myspace,c2,comment,hi,ig2,\n"
            "instagram,c3,comment,hello,ig3,25/11/2026 10:00\n"
            "linkedin,c4,comment,Congratulations!,li4,2026-11-25T10:00:00\n",
            encoding="utf-8",
        )
        assert main(["import", str(path)]) == 0
        err = capsys.readouterr().err
        assert (
            "line 3: platform" in err
            and "line 4: created_at" in err
            and "line 5: created_at: include a timezone" in err
        )
        assert list(Message.objects.values_list("text", flat=True)) == ["love this 💙"]

    def test_a_missing_file_is_a_clear_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["import", str(tmp_path / "nope.jsonl")]) == 2
        assert "error:" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_what_is_queued_then_exits_in_batch_mode(engine: Any, tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text(
        json.dumps({"platform": "x", "id": "w1", "text": "you idiots", "author": "a"})
        + "\n"
        + json.dumps({"platform": "x", "id": "w2", "text": "thank you so much", "author": "b"})
        + "\n",
        encoding="utf-8",
    )
    assert main(["import", str(path)]) == 0
    assert main(["worker", "--batch", "--verbosity", "0"]) == 0
    assert set(Message.objects.values_list("priority", flat=True)) == {"P3", "P5"}
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db
def test_manage_passes_through_to_django(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manage", "showmigrations", "inbox"]) == 0
    assert "[X] 0001_initial" in capsys.readouterr().out
