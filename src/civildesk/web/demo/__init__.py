"""The demo inbox: 212 messages written for civildesk (none copied from real people), across X,
Facebook, Instagram and LinkedIn, with replies in threads, an edit and a deletion.

Times are relative (``age_minutes`` before now), so the SLA clocks look alive whenever the demo
is loaded. Loading goes through the ingestion service like any other source, so loading twice
adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from django.utils import timezone

from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest

ACCOUNTS: dict[str, tuple[str, str, str]] = {
    # platform: (account id, handle, name)
    "x": ("demo-x-1001", "@LondonMHTrust", "South West London and St George's MH NHS Trust"),
    "facebook": (
        "demo-fb-page-2002",
        "swlstgNHS",
        "South West London and St George's Mental Health NHS Trust",
    ),
    "instagram": ("demo-ig-3003", "@swlstg", "SWLSTG NHS"),
    "linkedin": ("urn:li:organization:4004", "swlstg", "South West London and St George's MH NHS Trust"),
}


@dataclass(frozen=True, slots=True)
class Loaded:
    created: int
    total: int


def demo_rows() -> list[dict[str, Any]]:
    text = resources.files("civildesk.web.demo").joinpath("inbox.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def to_inbound(row: dict[str, Any], now: datetime) -> InboundMessage:
    account_id = ACCOUNTS[row["platform"]][0]
    handle = row["author_handle"]
    return InboundMessage(
        platform=row["platform"],
        account_id=account_id,
        platform_id=row["id"],
        kind=row["kind"],
        text=row["text"],
        author_id=f"{row['platform']}:{handle}",
        author_handle=handle if row["platform"] in {"x", "instagram"} else "",
        author_name=row["author_name"],
        created_at=now - timedelta(minutes=int(row["age_minutes"])),
        thread_id=row.get("parent", row["id"]),
        parent_id=row.get("parent", ""),
        event=row.get("event", "create"),
        raw={"demo": True, **row},
    )


def ensure_accounts() -> None:
    from civildesk.inbox.models import Account

    for platform, (account_id, handle, name) in ACCOUNTS.items():
        Account.objects.update_or_create(
            platform=platform, platform_account_id=account_id, defaults={"handle": handle, "name": name}
        )


def load_demo_inbox(*, classify_now: bool = True, now: datetime | None = None) -> Loaded:
    """Ingest the demo messages; with ``classify_now`` run the classification here too."""
    from civildesk.inbox.worker import run_ready_tasks

    now = now or timezone.now()
    ensure_accounts()
    rows = demo_rows()
    created = 0
    for row in rows:
        if ingest(to_inbound(row, now), now=now).outcome == "created":
            created += 1
    if classify_now:
        run_ready_tasks()
    return Loaded(created=created, total=len(rows))
