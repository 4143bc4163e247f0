"""Scenario files: what the simulated platforms send to the desk, step by step (JSON or YAML).

    accounts:
      page: {platform: facebook, account_id: "1001", webhook: "http://127.0.0.1:8000/platforms/webhooks/KEY/",
             secret: sim-meta-app-secret}
    steps:
      - {send: page, event: comment, id: c1, post: p1, text: "Bins not collected again", author: u1, name: Sam}
      - {send: page, event: comment_edit, id: c1, post: p1, text: "Bins STILL not collected", author: u1}
      - {redeliver: 1}                       # step 1 again, byte for byte (a platform retry)
      - {forge: page, event: comment, id: c9, post: p1, text: "fake", author: u9}   # wrong signature
      - {fault: {platform: facebook, kind: rate_limit, op: hide, times: 2, retry_after: 60}}
      - {stream: page, file: corpus.jsonl, post: p1, limit: 20}   # one event per line of this platform
        # (event: the row's kind unless given; author: author / author_handle)
      - {wait: 0.5}

Events: x: mention, reply, dm, edit (``original`` names the first id) · facebook: comment, reply,
comment_edit, comment_delete, dm, dm_edit · instagram: comment, reply, mention, dm, dm_edit,
dm_delete · linkedin: comment, reply, comment_edit, comment_delete, mention.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from civildesk.simulator import payloads
from civildesk.simulator.server import Simulator


class ScenarioError(ValueError):
    """The scenario file is unusable (it names the step and the field)."""


@dataclass
class StepResult:
    step: int
    what: str
    status: int


def load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise ScenarioError(f"{path}: expected a mapping with 'accounts' and a list of 'steps'")
    return data


def build_event(sim: Simulator, platform: str, account_id: str, step: dict[str, Any]) -> dict[str, Any]:
    """The platform's payload for one step; registers what the connector will fetch back."""
    event = str(step.get("event", ""))
    mid = str(step.get("id") or sim.next_id())
    text = str(step.get("text", ""))
    author = str(step.get("author", "u1"))
    name = str(step.get("name", ""))
    post = str(step.get("post", "p1"))
    parent = str(step.get("parent", ""))
    if platform == "x":
        if event == "dm":
            return payloads.x_dm_event(account_id, mid, text, author, name)
        if event in ("mention", "reply", "edit"):
            kind = "post.reply.create" if event == "reply" else "post.mention.create"
            history = [str(step["original"]), mid] if event == "edit" else None
            return payloads.x_post_event(
                account_id,
                mid,
                text,
                author,
                name,
                event_type=kind,
                in_reply_to=parent or (post if event == "reply" else ""),
                edit_history=history,
            )
    if platform == "facebook":
        if event in ("comment", "reply", "comment_edit", "comment_delete"):
            verb = {"comment_edit": "edited", "comment_delete": "remove"}.get(event, "add")
            return payloads.facebook_comment(
                account_id, mid, post, text, author, name, verb=verb, parent_id=parent
            )
        if event in ("dm", "dm_edit"):
            return payloads.meta_message("page", account_id, mid, text, author, edit=event == "dm_edit")
    if platform == "instagram":
        if event in ("comment", "reply"):
            return payloads.instagram_comment(account_id, mid, post, text, author, name, parent_id=parent)
        if event == "mention":
            sim.instagram_mentions[mid] = {
                "id": mid,
                "text": text,
                "username": name or f"user{author}",
                "from": {"id": author, "username": name or f"user{author}"},
                "timestamp": "2026-12-01T10:00:00+0000",
            }
            return payloads.instagram_mention(account_id, post, mid)
        if event in ("dm", "dm_edit", "dm_delete"):
            return payloads.meta_message(
                "instagram",
                account_id,
                mid,
                text,
                author,
                edit=event == "dm_edit",
                deleted=event == "dm_delete",
            )
    if platform == "linkedin":
        post_urn = post if post.startswith("urn:") else f"urn:li:activity:{post}"
        if event == "mention":
            urn = mid if mid.startswith("urn:") else f"urn:li:share:{mid}"
            sim.linkedin_posts[urn] = {
                "id": urn,
                "author": f"urn:li:person:{author}",
                "commentary": text,
                "createdAt": int(time.time() * 1000),
            }
            note = payloads.linkedin_notification(
                account_id, "SHARE_MENTION", urn, urn, notification_id=step.get("notification")
            )
        elif event in ("comment", "reply", "comment_edit", "comment_delete"):
            urn = f"urn:li:comment:({post_urn},{mid})"
            action = {"comment_edit": "COMMENT_EDIT", "comment_delete": "COMMENT_DELETE"}.get(
                event, "COMMENT"
            )
            if event != "comment_delete":
                comment: dict[str, Any] = {
                    "id": mid,
                    "actor": f"urn:li:person:{author}",
                    "object": post_urn,
                    "message": {"text": text},
                    "created": {"time": int(time.time() * 1000)},
                }
                if event == "reply" or parent:
                    comment["parentComment"] = f"urn:li:comment:({post_urn},{parent or '1'})"
                sim.linkedin_comments[mid] = comment
            note = payloads.linkedin_notification(
                account_id, action, urn, post_urn, notification_id=step.get("notification")
            )
        else:
            raise ScenarioError(f"linkedin has no event {event!r}")
        sim.linkedin_notifications.append(note)
        return payloads.linkedin_delivery([note])
    raise ScenarioError(f"{platform} has no event {event!r}")


def run(sim: Simulator, scenario: dict[str, Any], *, base_dir: Path | None = None) -> list[StepResult]:
    accounts: dict[str, dict[str, Any]] = scenario.get("accounts") or {}
    sent: dict[int, tuple[dict[str, Any], bytes]] = {}
    results: list[StepResult] = []

    def account(name: Any, number: int) -> dict[str, Any]:
        if name not in accounts:
            raise ScenarioError(f"step {number}: no account named {name!r}")
        return accounts[name]

    for number, step in enumerate(scenario["steps"], start=1):
        if not isinstance(step, dict):
            raise ScenarioError(f"step {number}: expected a mapping")
        if "wait" in step:
            time.sleep(float(step["wait"]))
            results.append(StepResult(number, "wait", 0))
        elif "fault" in step:
            f = step["fault"]
            sim.inject(
                f["platform"],
                f["kind"],
                op=f.get("op", "*"),
                times=int(f.get("times", 1)),
                retry_after=int(f.get("retry_after", 60)),
                delay=float(f.get("delay", 2.0)),
            )
            results.append(StepResult(number, f"fault {f['platform']} {f['kind']}", 0))
        elif "redeliver" in step:
            acct, body = sent[int(step["redeliver"])]
            r = sim.deliver(acct["webhook"], acct["platform"], acct["secret"], body)
            results.append(StepResult(number, f"redeliver step {step['redeliver']}", r.status_code))
        elif "send" in step or "forge" in step:
            acct = account(step.get("send") or step.get("forge"), number)
            body = json.dumps(build_event(sim, acct["platform"], str(acct["account_id"]), step)).encode()
            sent[number] = (acct, body)
            r = sim.deliver(acct["webhook"], acct["platform"], acct["secret"], body, forge="forge" in step)
            results.append(
                StepResult(
                    number,
                    f"{'forged ' if 'forge' in step else ''}{acct['platform']} {step.get('event')}",
                    r.status_code,
                )
            )
        elif "stream" in step:
            acct = account(step["stream"], number)
            path = Path(step["file"])
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            limit = int(step.get("limit", 0)) or None
            with path.open(encoding="utf-8") as handle:
                rows = [json.loads(line) for line in handle if line.strip()]
            # A mixed corpus: each account streams its own platform's rows.
            rows = [r for r in rows if r.get("platform") in (None, acct["platform"])][:limit]
            for row in rows:
                one = {
                    **step,
                    "event": step.get("event") or row.get("kind"),
                    "text": row["text"],
                    "id": None,
                    "author": str(
                        row.get("author") or str(row.get("author_handle", "")).lstrip("@") or sim.next_id()
                    ),
                    "name": str(row.get("author_name", "")),
                }
                body = json.dumps(build_event(sim, acct["platform"], str(acct["account_id"]), one)).encode()
                r = sim.deliver(acct["webhook"], acct["platform"], acct["secret"], body)
                results.append(
                    StepResult(number, f"{acct['platform']} {one['event']} (stream)", r.status_code)
                )
        else:
            raise ScenarioError(f"step {number}: expected one of send, forge, redeliver, fault, stream, wait")
    return results
