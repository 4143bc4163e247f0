"""Webhook payloads exactly as each platform shapes them (../shared/platforms.md), built from a
few fields. The scenario runner and the contract tests both use these."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any


def _now_ms() -> int:
    return int(time.time() * 1000)


def _iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(ts if ts is not None else time.time(), UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )


# --- X ------------------------------------------------------------------------------------------


def x_post_event(
    account_id: str,
    post_id: str,
    text: str,
    author_id: str,
    username: str = "",
    *,
    event_type: str = "post.mention.create",
    in_reply_to: str = "",
    conversation_id: str = "",
    edit_history: list[str] | None = None,
    event_uuid: str = "",
) -> dict[str, Any]:
    post: dict[str, Any] = {
        "id": post_id,
        "text": text,
        "author_id": author_id,
        "conversation_id": conversation_id or in_reply_to or post_id,
        "created_at": _iso(),
        "edit_history_tweet_ids": edit_history or [post_id],
        "entities": {"mentions": [{"start": 0, "end": 9, "username": "council", "id": account_id}]},
    }
    if in_reply_to:
        post["referenced_tweets"] = [{"type": "replied_to", "id": in_reply_to}]
        post["in_reply_to_user_id"] = account_id
    return {
        "data": {
            "event_uuid": event_uuid or str(uuid.uuid4()),
            "filter": {"user_id": account_id},
            "event_type": event_type,
            "tag": "civildesk",
            "payload": post,
            "includes": {
                "users": [
                    {
                        "id": author_id,
                        "username": username or f"user{author_id}",
                        "name": username or author_id,
                    }
                ]
            },
        }
    }


def x_dm_event(
    account_id: str, event_id: str, text: str, sender_id: str, username: str = "", *, event_uuid: str = ""
) -> dict[str, Any]:
    return {
        "data": {
            "event_uuid": event_uuid or str(uuid.uuid4()),
            "filter": {"user_id": account_id},
            "event_type": "dm.received",
            "tag": "civildesk",
            "payload": {
                "direct_message_events": [
                    {
                        "type": "message_create",
                        "id": event_id,
                        "created_timestamp": str(_now_ms()),
                        "message_create": {
                            "target": {"recipient_id": account_id},
                            "sender_id": sender_id,
                            "message_data": {"text": text, "entities": {}},
                        },
                    }
                ]
            },
            "includes": {
                "users": [
                    {
                        "id": sender_id,
                        "username": username or f"user{sender_id}",
                        "name": username or sender_id,
                    }
                ]
            },
        }
    }


# --- Facebook and Instagram ---------------------------------------------------------------------


def facebook_comment(
    page_id: str,
    comment_id: str,
    post_id: str,
    text: str,
    from_id: str,
    from_name: str = "",
    *,
    verb: str = "add",
    parent_id: str = "",
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "item": "comment",
        "verb": verb,
        "comment_id": comment_id,
        "post_id": post_id,
        "parent_id": parent_id or post_id,
        "from": {"id": from_id, "name": from_name or from_id},
        "created_time": int(time.time()),
    }
    if verb != "remove":
        value["message"] = text
    return {
        "object": "page",
        "entry": [{"id": page_id, "time": int(time.time()), "changes": [{"field": "feed", "value": value}]}],
    }


def meta_message(
    obj: str,
    account_id: str,
    mid: str,
    text: str,
    sender_id: str,
    *,
    edit: bool = False,
    deleted: bool = False,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "sender": {"id": sender_id},
        "recipient": {"id": account_id},
        "timestamp": _now_ms(),
    }
    if edit:
        event["message_edit"] = {"mid": mid, "text": text, "num_edit": 1}
    elif deleted:
        event["message"] = {"mid": mid, "is_deleted": True}
    else:
        event["message"] = {"mid": mid, "text": text}
    return {"object": obj, "entry": [{"id": account_id, "time": _now_ms(), "messaging": [event]}]}


def instagram_comment(
    ig_id: str,
    comment_id: str,
    media_id: str,
    text: str,
    from_id: str,
    username: str = "",
    *,
    parent_id: str = "",
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "id": comment_id,
        "from": {"id": from_id, "username": username or f"user{from_id}"},
        "text": text,
        "media": {"id": media_id, "media_product_type": "FEED"},
        "timestamp": _iso(),
    }
    if parent_id:
        value["parent_id"] = parent_id
    return {
        "object": "instagram",
        "entry": [
            {"id": ig_id, "time": int(time.time()), "changes": [{"field": "comments", "value": value}]}
        ],
    }


def instagram_mention(ig_id: str, media_id: str, comment_id: str) -> dict[str, Any]:
    value = {"media_id": media_id, "comment_id": comment_id}
    return {
        "object": "instagram",
        "entry": [
            {"id": ig_id, "time": int(time.time()), "changes": [{"field": "mentions", "value": value}]}
        ],
    }


# --- LinkedIn -----------------------------------------------------------------------------------


def linkedin_notification(
    org_urn: str,
    action: str,
    activity: str,
    source_post: str,
    *,
    notification_id: int | None = None,
    modified_ms: int | None = None,
) -> dict[str, Any]:
    return {
        "notificationId": notification_id if notification_id is not None else int(uuid.uuid4().int % 10**9),
        "organizationalEntity": org_urn,
        "action": action,
        "sourcePost": source_post,
        "generatedActivity": activity,
        "lastModifiedAt": modified_ms or _now_ms(),
    }


def linkedin_delivery(notifications: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "notifications": notifications}
