"""The evidence pack for the police or lawyers: one zip a person can hand over.

Inside: the original content and every revision, the raw platform payload, the author, the
thread around it, the actions taken, the notices sent, the audit rows about all of these, an
HTML summary a person can read without tools, and ``manifest.json`` with the SHA-256 of every
other file, so whoever receives it can check nothing was changed on the way.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from civildesk.inbox.models import Message
from civildesk.moderation import audit
from civildesk.moderation.models import AuditEntry, AuthorNotice, ModerationAction

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Fixed timestamp inside the zip so the same evidence gives the same bytes apart from the
# manifest's "generated_at" (zip entries otherwise carry the local clock).
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _message_dict(msg: Message) -> dict[str, Any]:
    return {
        "desk_id": msg.pk,
        "platform": msg.platform,
        "platform_id": msg.platform_id,
        "kind": msg.kind,
        "text": msg.text,
        "thread_id": msg.thread_id,
        "parent_platform_id": msg.parent_platform_id,
        "posted_at": _iso(msg.posted_at),
        "received_at": _iso(msg.received_at),
        "edited_at": _iso(msg.edited_at),
        "deleted_at": _iso(msg.deleted_at),
        "author": msg.author.platform_user_id,
    }


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def collect(message: Message) -> dict[str, Any]:
    """Everything the pack holds, as plain data."""
    msg = Message.objects.select_related("author", "account", "decision").get(pk=message.pk)
    author = msg.author
    thread = (
        Message.objects.filter(account=msg.account)
        .filter(
            Q(pk=msg.parent_id)
            | Q(parent=msg)
            | (Q(thread_id=msg.thread_id) & ~Q(thread_id=""))
            | Q(platform_id=msg.parent_platform_id)
        )
        .exclude(pk=msg.pk)
        .select_related("author")
        .order_by("posted_at", "pk")
    )
    actions = list(ModerationAction.objects.filter(message=msg).order_by("proposed_at", "pk"))
    notices = list(AuthorNotice.objects.filter(action__in=actions).order_by("created_at", "pk"))
    targets = (
        Q(target_type="message", target_id=str(msg.pk))
        | Q(target_type="moderation_action", target_id__in=[str(a.pk) for a in actions])
        | Q(target_type="author_notice", target_id__in=[str(n.pk) for n in notices])
    )
    audit_rows = AuditEntry.objects.filter(targets).order_by("seq")
    decision = msg.decision
    return {
        "message": {
            **_message_dict(msg),
            "revisions": [
                {"revision": r.revision, "event": r.event, "text": r.text, "at": _iso(r.at)}
                for r in msg.revisions.all()
            ],
            "decision": decision.payload if decision is not None else None,
        },
        "raw": {"message": msg.raw, "revisions": [r.raw for r in msg.revisions.all()]},
        "author": {
            "platform": author.platform,
            "platform_user_id": author.platform_user_id,
            "handle": author.handle,
            "display_name": author.display_name,
            "first_seen_at": _iso(author.first_seen_at),
            "last_seen_at": _iso(author.last_seen_at),
            "blocked": author.blocked,
            "history": [
                {"kind": e.kind, "at": _iso(e.at), "message": e.message_id, "detail": e.detail}
                for e in author.events.all()
            ],
        },
        "thread": [_message_dict(m) for m in thread],
        "actions": [
            {
                "id": a.pk,
                "kind": a.kind,
                "state": a.state,
                "reason": a.reason,
                "override_reason": a.override_reason,
                "proposed_by": a.proposed_by.get_username() if a.proposed_by else None,
                "proposed_at": _iso(a.proposed_at),
                "first_approver": a.first_approver.get_username() if a.first_approver else None,
                "approved_by": a.approved_by.get_username() if a.approved_by else None,
                "approved_at": _iso(a.approved_at),
                "applied_at": _iso(a.applied_at),
                "error": a.error,
                "policy_version": a.policy_version,
            }
            for a in actions
        ],
        "notices": [
            {
                "reference": n.reference,
                "status": n.status,
                "channel": n.channel,
                "text": n.text,
                "reason": n.reason,
            }
            for n in notices
        ],
        "audit": [
            {
                "seq": r.seq,
                "at": _iso(r.at),
                "actor": r.actor_name,
                "event": r.event,
                "target": f"{r.target_type}:{r.target_id}",
                "before": r.before,
                "after": r.after,
                "reason": r.reason,
                "policy_version": r.policy_version,
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            }
            for r in audit_rows
        ],
    }


def build_pack(message: Message, *, now: datetime | None = None) -> bytes:
    data = collect(message)
    files: dict[str, bytes] = {
        "message.json": _json(data["message"]),
        "raw_payload.json": _json(data["raw"]),
        "author.json": _json(data["author"]),
        "thread.json": _json(data["thread"]),
        "actions.json": _json(data["actions"]),
        "notices.json": _json(data["notices"]),
        "audit.json": _json(data["audit"]),
    }
    # Rendered with Django's auto-escaping: the message text is attacker-controlled.
    files["summary.html"] = render_to_string(
        "moderation/evidence_summary.html", {**data, "generated_at": now or timezone.now()}
    ).encode("utf-8")
    manifest = {
        "generated_at": _iso(now or timezone.now()),
        "message": message.pk,
        "algorithm": "sha256",
        "files": {name: hashlib.sha256(body).hexdigest() for name, body in sorted(files.items())},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        for name, body in [*sorted(files.items()), ("manifest.json", _json(manifest))]:
            pack.writestr(
                zipfile.ZipInfo(name, date_time=_ZIP_TIME), body, compress_type=zipfile.ZIP_DEFLATED
            )
    return buffer.getvalue()


def do_export_evidence(message: Message, user: User | None) -> tuple[str, bytes]:
    """Build the pack and record in the audit log who took it and its digest."""
    from civildesk.moderation.services import actor_of
    from civildesk.moderation.states import RoleRefused, at_least

    role = actor_of(user).role
    if user is not None and not at_least(role, "moderator"):
        raise RoleRefused(role, "moderator", "download an evidence pack")
    body = build_pack(message)
    digest = hashlib.sha256(body).hexdigest()
    with transaction.atomic():
        audit.record(
            "evidence.exported",
            user,
            target_type="message",
            target_id=message.pk,
            after={"sha256": digest, "bytes": len(body)},
        )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return f"civildesk-evidence-{message.pk}-{stamp}.zip", body


def check_pack(body: bytes) -> list[str]:
    """The files whose hash does not match the manifest (empty: the pack is intact)."""
    with zipfile.ZipFile(io.BytesIO(body)) as pack:
        manifest = json.loads(pack.read("manifest.json"))
        bad = [
            name
            for name, digest in manifest["files"].items()
            if hashlib.sha256(pack.read(name)).hexdigest() != digest
        ]
        extra = set(pack.namelist()) - set(manifest["files"]) - {"manifest.json"}
    return sorted([*bad, *extra])
