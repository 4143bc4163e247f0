"""The evidence pack: one zip with everything, and a manifest whose hashes match its files."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from civildesk.inbox.models import Message
from civildesk.moderation import evidence, services, states
from civildesk.moderation.models import AuditEntry
from tests.moderation.fakes import RecordingConnector

pytestmark = pytest.mark.django_db
THREAT = "you are all idiots <script>alert(1)</script> and I know where you park"


@pytest.fixture
def escalated(
    arrive: Callable[..., Message],
    officer: Any,
    moderator: Any,
    second_moderator: Any,
    platform: RecordingConnector,
    commit: Any,
    settle: Any,
) -> Message:
    msg = arrive(THREAT, platform="facebook")
    action = services.do_escalate_police(msg, officer, reason="threat")
    with commit():
        services.do_approve(action, moderator)
        services.do_approve(action, second_moderator)
    settle()
    return msg


def test_the_pack_opens_and_every_hash_in_the_manifest_matches(escalated: Message, moderator: Any) -> None:
    name, body = evidence.do_export_evidence(escalated, moderator)
    assert name.startswith(f"civildesk-evidence-{escalated.pk}-") and name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(body)) as pack:
        assert pack.testzip() is None
        names = set(pack.namelist())
        manifest = json.loads(pack.read("manifest.json"))
        for file, digest in manifest["files"].items():
            assert hashlib.sha256(pack.read(file)).hexdigest() == digest
        assert names == set(manifest["files"]) | {"manifest.json"}
        assert {
            "message.json",
            "raw_payload.json",
            "author.json",
            "thread.json",
            "actions.json",
            "audit.json",
            "summary.html",
        } <= names
        message = json.loads(pack.read("message.json"))
        assert message["text"] == THREAT and message["posted_at"]
        actions = json.loads(pack.read("actions.json"))
        assert actions[0]["kind"] == "escalate_police"
        assert (
            actions[0]["first_approver"] == "mina.moderator" and actions[0]["approved_by"] == "sam.moderator"
        )
        audit_rows = json.loads(pack.read("audit.json"))
        assert [r["event"] for r in audit_rows][:3] == [
            "action.proposed",
            "action.first_approval",
            "hold.placed",
        ]
        summary = pack.read("summary.html").decode()
        assert "&lt;script&gt;" in summary and "<script>" not in summary
    assert evidence.check_pack(body) == []
    assert AuditEntry.objects.filter(event="evidence.exported", target_id=str(escalated.pk)).exists()


def test_a_changed_file_no_longer_matches_the_manifest(escalated: Message) -> None:
    body = evidence.build_pack(escalated)
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "message.json":
                data = data.replace(b"idiots", b"friends")
            target.writestr(item, data)
    assert evidence.check_pack(tampered.getvalue()) == ["message.json"]


def test_the_thread_around_the_message_is_included(
    arrive: Callable[..., Message], escalated: Message
) -> None:
    reply = arrive("calm down everyone", platform="facebook", author_id="fb-9", handle="pat")
    Message.objects.filter(pk=reply.pk).update(parent=escalated)
    with zipfile.ZipFile(io.BytesIO(evidence.build_pack(escalated))) as pack:
        thread = json.loads(pack.read("thread.json"))
    assert [m["text"] for m in thread] == ["calm down everyone"]


def test_only_moderators_download_evidence(escalated: Message, officer: Any) -> None:
    with pytest.raises(states.RoleRefused):
        evidence.do_export_evidence(escalated, officer)
