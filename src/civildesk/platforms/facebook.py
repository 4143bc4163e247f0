"""Facebook Pages (Graph API): feed comments and Messenger, hide, delete, ban, private replies.

Credentials: ``app_secret`` (signs deliveries), ``verify_token`` (the subscription check),
``access_token`` (a Page access token). The account id is the Page id.
Facebook cannot mute a person, switch comments off on a post through the API, or report.
"""

from __future__ import annotations

from typing import Any

from civildesk.inbox.connectors import ReplyTarget, SentReply
from civildesk.inbox.inbound import InboundMessage
from civildesk.platforms import base
from civildesk.platforms.common import from_epoch
from civildesk.platforms.http import body_json
from civildesk.platforms.meta import MetaConnector

VERBS = {"add": "create", "edited": "edit", "remove": "delete"}


class FacebookConnector(MetaConnector):
    platform = "facebook"
    webhook_object = "page"
    capabilities = frozenset(
        {base.REPLY_PUBLIC, base.REPLY_PRIVATE, base.HIDE, base.DELETE, base.BLOCK, base.PUBLISH}
    )

    def parse_change(self, field: str, value: dict[str, Any], owner: str) -> list[InboundMessage]:
        if field != "feed" or value.get("item") != "comment":
            return []  # posts, reactions and shares are not messages for the desk
        event = VERBS.get(str(value.get("verb", "")))
        if event is None:
            return []  # "hide" echoes our own action
        author = value.get("from") or {}
        if str(author.get("id", "")) == owner:
            return []  # the Page's own comment (a reply we sent)
        post_id = str(value.get("post_id", ""))
        parent = str(value.get("parent_id", ""))
        nested = bool(parent) and parent != post_id
        return [
            InboundMessage(
                platform="facebook",
                account_id=owner,
                platform_id=str(value.get("comment_id", "")),
                kind="reply" if nested else "comment",
                text=str(value.get("message", "")),
                # A removal may come without "from"; the desk keeps the stored author.
                author_id=str(author.get("id", "")) or "unknown",
                author_name=str(author.get("name", "")),
                created_at=from_epoch(value.get("created_time")),
                thread_id=post_id,
                parent_id=parent if nested else "",
                event=event,  # type: ignore[arg-type]
                raw=value,
            )
        ]

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply:
        data = body_json(
            self.http.request(
                "POST", f"/{target.message_id}/comments", bucket="app", json_body={"message": text}
            )
        )
        return SentReply(platform_reply_id=str(data.get("id", "")))

    def hide(self, target: ReplyTarget) -> None:
        self.http.request("POST", f"/{target.message_id}", bucket="app", params={"is_hidden": "true"})

    def unhide(self, target: ReplyTarget) -> None:
        self.http.request("POST", f"/{target.message_id}", bucket="app", params={"is_hidden": "false"})

    def block(self, author_id: str) -> None:
        self.http.request(
            "POST", f"/{self.account_id}/blocked", bucket="app", json_body={"user": [author_id]}
        )

    def unblock(self, author_id: str) -> None:
        self.http.request("DELETE", f"/{self.account_id}/blocked", bucket="app", params={"user": author_id})

    def mute(self, author_id: str) -> None:
        self.unsupported("mute a person on a Page")

    def unmute(self, author_id: str) -> None:
        self.unsupported("mute a person on a Page")

    def set_comments(self, post_id: str, enabled: bool) -> None:
        self.unsupported("switch comments off on a Page post")

    # Key and image kept for the shared contract: the feed takes no idempotency key; text only here.
    def publish(self, account_id: str, text: str, *, idempotency_key: str = "", media_url: str = "") -> str:
        data = body_json(
            self.http.request("POST", f"/{self.account_id}/feed", bucket="app", json_body={"message": text})
        )
        return str(data.get("id", ""))
