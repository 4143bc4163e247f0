"""Instagram professional accounts (Graph API): comments, mentions and DMs, hide, delete,
comments off, block (in a DM conversation), private replies, image posts.

Credentials as for Facebook. The account id is the Instagram user id.
Instagram cannot mute through the API, cannot post text alone (an image URL is needed), and
cannot report.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from civildesk.inbox.connectors import ReplyTarget, SentReply
from civildesk.inbox.inbound import InboundMessage
from civildesk.platforms import base
from civildesk.platforms.common import from_iso
from civildesk.platforms.errors import InvalidRequest, Transient
from civildesk.platforms.http import body_json
from civildesk.platforms.meta import MetaConnector

MAX_CAPTION = 2200
MAX_HASHTAGS = 30
CONTAINER_CHECKS = 10


def check_caption(text: str, media_url: str) -> None:
    """Instagram's own limits, checked before a container is created."""
    if not media_url:
        raise InvalidRequest("Instagram needs an image for every post (a public JPEG URL)")
    if len(text) > MAX_CAPTION:
        raise InvalidRequest(
            f"Instagram captions are at most {MAX_CAPTION} characters; this one is {len(text)}"
        )
    if len(re.findall(r"#\w", text)) > MAX_HASHTAGS:
        raise InvalidRequest(f"Instagram allows at most {MAX_HASHTAGS} hashtags in a caption")


class InstagramConnector(MetaConnector):
    platform = "instagram"
    webhook_object = "instagram"
    capabilities = frozenset(
        {
            base.REPLY_PUBLIC,
            base.REPLY_PRIVATE,
            base.HIDE,
            base.DELETE,
            base.BLOCK,
            base.COMMENTS_TOGGLE,
            base.PUBLISH,
        }
    )
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def parse_change(self, field: str, value: dict[str, Any], owner: str) -> list[InboundMessage]:
        if field == "comments":
            if str((value.get("from") or {}).get("id", "")) == owner:
                return []  # the account's own reply, echoed back
            return [self._comment(value, owner, kind="reply" if value.get("parent_id") else "comment")]
        if field == "mentions":
            # The mention names the comment only; its text and author are fetched.
            return [self._mention(owner, str(value.get("media_id", "")), str(value.get("comment_id", "")))]
        return []

    def _comment(self, value: dict[str, Any], owner: str, kind: str, thread: str = "") -> InboundMessage:
        author = value.get("from") or {}
        username = str(author.get("username") or value.get("username") or "")
        return InboundMessage(
            platform="instagram",
            account_id=owner,
            platform_id=str(value.get("id", "")),
            kind=kind,
            text=str(value.get("text", "")),
            author_id=str(author.get("id", "")) or f"username:{username}",
            author_handle=username,
            created_at=from_iso(value.get("timestamp")),
            thread_id=thread or str((value.get("media") or {}).get("id", "")),
            parent_id=str(value.get("parent_id", "")),
            raw=value,
        )

    def _mention(self, owner: str, media_id: str, comment_id: str) -> InboundMessage:
        fields = f"mentioned_comment.comment_id({comment_id}){{id,text,timestamp,username,from}}"
        data = body_json(self.http.request("GET", f"/{owner}", bucket="app", params={"fields": fields}))
        comment = data.get("mentioned_comment") or {}
        if not comment.get("id"):
            raise InvalidRequest(f"instagram: mentioned comment {comment_id} could not be read")
        return self._comment(comment, owner, kind="mention", thread=media_id)

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply:
        data = body_json(
            self.http.request(
                "POST", f"/{target.message_id}/replies", bucket="app", json_body={"message": text}
            )
        )
        return SentReply(platform_reply_id=str(data.get("id", "")))

    def hide(self, target: ReplyTarget) -> None:
        self.http.request("POST", f"/{target.message_id}", bucket="app", params={"hide": "true"})

    def unhide(self, target: ReplyTarget) -> None:
        self.http.request("POST", f"/{target.message_id}", bucket="app", params={"hide": "false"})

    def _moderate(self, author_id: str, action: str) -> None:
        body = {"user_ids": [author_id], "actions": [action]}
        self.http.request("POST", f"/{self.account_id}/moderate_conversations", bucket="app", json_body=body)

    def block(self, author_id: str) -> None:
        self._moderate(author_id, "BLOCK_USER")

    def unblock(self, author_id: str) -> None:
        self._moderate(author_id, "UNBLOCK_USER")

    def mute(self, author_id: str) -> None:
        self.unsupported("mute a person")

    def unmute(self, author_id: str) -> None:
        self.unsupported("mute a person")

    def set_comments(self, post_id: str, enabled: bool) -> None:
        self.http.request(
            "POST", f"/{post_id}", bucket="app", params={"comment_enabled": "true" if enabled else "false"}
        )

    # The key is accepted for the shared contract: the Graph media endpoints take no idempotency key.
    def publish(self, account_id: str, text: str, *, idempotency_key: str = "", media_url: str = "") -> str:
        check_caption(text, media_url)
        created = body_json(
            self.http.request(
                "POST",
                f"/{self.account_id}/media",
                bucket="app",
                json_body={"image_url": media_url, "caption": text},
            )
        )
        container = str(created.get("id", ""))
        for attempt in range(CONTAINER_CHECKS):
            status = body_json(
                self.http.request("GET", f"/{container}", bucket="app", params={"fields": "status_code"})
            )
            code = status.get("status_code")
            if code == "FINISHED":
                break
            if code in ("ERROR", "EXPIRED"):
                raise InvalidRequest(f"instagram could not prepare the image ({code})")
            self.sleep(min(2.0**attempt, 30.0))
        else:
            raise Transient("instagram is still preparing the image; try again later")
        published = body_json(
            self.http.request(
                "POST",
                f"/{self.account_id}/media_publish",
                bucket="app",
                json_body={"creation_id": container},
            )
        )
        return str(published.get("id", ""))
