"""How a webhook delivery is recognised when the platform sends it again (no Django here).

X gives each event an ``event_uuid``; LinkedIn retries a delivery every 5 minutes for 8 hours
with the same ``notificationId`` values; Meta sends the same bytes again. The key is what the
desk de-duplicates deliveries on; messages are de-duplicated again by ingestion itself.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def delivery_key(platform: str, raw_body: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(raw_body).hexdigest()
    try:
        body: Any = json.loads(raw_body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return digest
    if not isinstance(body, dict):
        return digest
    if platform == "x":
        data = body.get("data")
        if isinstance(data, dict) and data.get("event_uuid"):
            return f"x:{data['event_uuid']}"[:200]
    if platform == "linkedin":
        ids = sorted(
            str(n.get("notificationId")) for n in body.get("notifications") or [] if isinstance(n, dict)
        )
        if ids and all(i != "None" for i in ids):
            joined = ",".join(ids)
            return (
                f"li:{joined}"
                if len(joined) < 190
                else "li:sha256:" + hashlib.sha256(joined.encode()).hexdigest()
            )
    return digest
