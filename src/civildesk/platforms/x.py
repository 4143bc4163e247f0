"""X (API v2): the X Activity API webhooks, mentions and DMs, hide replies, mute, DM-block.

Credentials: ``consumer_secret`` (signs CRC checks and deliveries), ``access_token`` (OAuth 2.0
user context of the organisation's account). The account id is the organisation's user id.

What X does not offer: full blocking (Enterprise only, so ``block`` is the DM-block X allows to
every app), deleting another person's post (``delete`` works only on the account's own posts),
switching replies off after posting, and reporting.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from civildesk.inbox.connectors import ConnectorError, ReplyTarget, SentReply
from civildesk.inbox.inbound import InboundMessage
from civildesk.platforms import base
from civildesk.platforms.base import PollPage, RateState
from civildesk.platforms.common import (
    ConnectorBase,
    b64_hmac,
    from_epoch,
    from_iso,
    header,
    refuses_malformed,
    same,
)
from civildesk.platforms.errors import (
    AuthExpired,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
    Transient,
)
from civildesk.platforms.http import body_json

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
POST_FIELDS = (
    "author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets,edit_history_tweet_ids"
)


def crc_response(consumer_secret: str, crc_token: str) -> str:
    return "sha256=" + b64_hmac(consumer_secret, crc_token.encode("utf-8"))


class XConnector(ConnectorBase):
    platform = "x"
    default_base_url = "https://api.x.com"
    capabilities = frozenset(
        {base.REPLY_PUBLIC, base.REPLY_PRIVATE, base.HIDE, base.MUTE, base.BLOCK, base.PUBLISH}
    )
    required_credentials = ("consumer_secret", "access_token")

    def default_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials['access_token']}"}

    # --- webhooks ------------------------------------------------------------------------------

    def handshake(self, query: Mapping[str, str]) -> tuple[int, str, str]:
        token = query.get("crc_token", "")
        if not token:
            return 400, "text/plain", "crc_token missing"
        body = json.dumps({"response_token": crc_response(self.credentials["consumer_secret"], token)})
        return 200, "application/json", body

    def verify_signature(self, headers: Mapping[str, str], raw_body: bytes) -> bool:
        given = header(headers, SIGNATURE_HEADER)
        if not given:
            return False
        expected = "sha256=" + b64_hmac(self.credentials["consumer_secret"], raw_body)
        return same(expected, given)

    @refuses_malformed
    def parse_events(self, raw_body: bytes) -> list[InboundMessage]:
        envelope = json.loads(raw_body)
        data = envelope.get("data") if isinstance(envelope, dict) else None
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        out: list[InboundMessage] = []
        for item in items:
            event_type = item.get("event_type", "")
            payload = item.get("payload") or {}
            users = _users(item.get("includes") or {})
            # One app's subscription may cover several of the organisation's accounts.
            owner = str((item.get("filter") or {}).get("user_id") or self.account_id)
            if event_type == "post.mention.create":
                out.append(self._post(payload, users, "mention", owner))
            elif event_type == "post.reply.create":
                out.append(self._post(payload, users, "reply", owner))
            elif event_type == "dm.received":
                out.extend(self._dms(payload, users, owner))
            # Other event types (follows, likes, our own posts) are not messages for the desk.
        return out

    def _post(
        self, post: dict[str, Any], users: dict[str, dict[str, Any]], kind: str, owner: str = ""
    ) -> InboundMessage:
        history = post.get("edit_history_tweet_ids") or []
        # An edited post is a new post whose history starts with the original: the desk keeps
        # one message per original and a revision per edit.
        original = str(history[0]) if history else str(post["id"])
        edited = len(history) > 1
        parent = ""
        for ref in post.get("referenced_tweets") or []:
            if ref.get("type") == "replied_to":
                parent = str(ref.get("id", ""))
        if kind == "mention" and parent:
            kind = "reply"
        author = str(post.get("author_id", ""))
        user = users.get(author, {})
        return InboundMessage(
            platform="x",
            account_id=owner or self.account_id,
            platform_id=original,
            kind=kind,
            text=str(post.get("text", "")),
            author_id=author,
            author_handle=str(user.get("username", "")),
            author_name=str(user.get("name", "")),
            created_at=from_iso(post.get("created_at")),
            thread_id=str(post.get("conversation_id", "")),
            parent_id=parent,
            event="edit" if edited else "create",
            raw=post,
        )

    def _dms(
        self, payload: dict[str, Any], users: dict[str, dict[str, Any]], owner: str
    ) -> list[InboundMessage]:
        out = []
        for event in payload.get("direct_message_events") or []:
            if event.get("type") != "message_create":
                continue
            create = event.get("message_create") or {}
            sender = str(create.get("sender_id", ""))
            if sender == owner:
                continue  # our own message, echoed back
            user = users.get(sender, {})
            out.append(
                InboundMessage(
                    platform="x",
                    account_id=owner,
                    platform_id=str(event["id"]),
                    kind="dm",
                    text=str((create.get("message_data") or {}).get("text", "")),
                    author_id=sender,
                    author_handle=str(user.get("username", "")),
                    author_name=str(user.get("name", "")),
                    created_at=from_epoch(event.get("created_timestamp")),
                    thread_id=f"dm:{sender}",
                    raw=event,
                )
            )
        return out

    def poll_events(self, cursor: str) -> PollPage:
        """Mentions newer than ``cursor`` (a post id); the webhook's fallback."""
        params: dict[str, Any] = {"tweet.fields": POST_FIELDS, "expansions": "author_id", "max_results": 100}
        if cursor:
            params["since_id"] = cursor
        response = self.http.request(
            "GET", f"/2/users/{self.account_id}/mentions", bucket="mentions", params=params
        )
        body = body_json(response)
        users = _users(body.get("includes") or {})
        messages = [self._post(p, users, "mention") for p in body.get("data") or []]
        newest = str((body.get("meta") or {}).get("newest_id", "")) or cursor
        return PollPage(messages=messages, cursor=newest)

    # --- actions -------------------------------------------------------------------------------

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply:
        body = {"text": text, "reply": {"in_reply_to_tweet_id": target.message_id}}
        data = (
            body_json(self.http.request("POST", "/2/tweets", bucket="tweets", json_body=body)).get("data")
            or {}
        )
        return SentReply(platform_reply_id=str(data.get("id", "")))

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply:
        path = f"/2/dm_conversations/with/{target.author_id}/messages"
        data = (
            body_json(self.http.request("POST", path, bucket="dm", json_body={"text": text})).get("data")
            or {}
        )
        return SentReply(platform_reply_id=str(data.get("dm_event_id", "")))

    def _hidden(self, target: ReplyTarget, hidden: bool) -> None:
        path = f"/2/tweets/{target.message_id}/hidden"
        self.http.request("PUT", path, bucket="hide", json_body={"hidden": hidden})

    def hide(self, target: ReplyTarget) -> None:
        self._hidden(target, True)

    def unhide(self, target: ReplyTarget) -> None:
        self._hidden(target, False)

    def delete(self, target: ReplyTarget) -> None:
        if target.author_id != self.account_id:
            self.unsupported("delete another person's post (hide the reply instead)")
        self.http.request("DELETE", f"/2/tweets/{target.message_id}", bucket="tweets")

    def block(self, author_id: str) -> None:
        self.http.request("POST", f"/2/users/{author_id}/dm/block", bucket="dm_block")

    def unblock(self, author_id: str) -> None:
        self.http.request("POST", f"/2/users/{author_id}/dm/unblock", bucket="dm_block")

    def mute(self, author_id: str) -> None:
        path = f"/2/users/{self.account_id}/muting"
        self.http.request("POST", path, bucket="muting", json_body={"target_user_id": author_id})

    def unmute(self, author_id: str) -> None:
        self.http.request("DELETE", f"/2/users/{self.account_id}/muting/{author_id}", bucket="muting")

    def set_comments(self, post_id: str, enabled: bool) -> None:
        self.unsupported("switch replies off after posting")

    # Key and image kept for the shared contract: X takes no idempotency key; this posts text only.
    def publish(self, account_id: str, text: str, *, idempotency_key: str = "", media_url: str = "") -> str:
        data = (
            body_json(self.http.request("POST", "/2/tweets", bucket="tweets", json_body={"text": text})).get(
                "data"
            )
            or {}
        )
        return str(data.get("id", ""))

    def check(self) -> str:
        data = body_json(self.http.request("GET", "/2/users/me", bucket="users")).get("data") or {}
        return f"signed in as @{data.get('username', '?')} (id {data.get('id', '?')})"

    # --- limits and errors ---------------------------------------------------------------------

    def parse_rate(self, headers: httpx.Headers, now: datetime) -> RateState | None:
        limit, remaining, reset = (
            headers.get("x-rate-limit-limit"),
            headers.get("x-rate-limit-remaining"),
            headers.get("x-rate-limit-reset"),
        )
        if limit is None and remaining is None and reset is None:
            return None
        return RateState(
            limit=_int(limit),
            remaining=_int(remaining),
            resets_at=from_epoch(reset),
            detail=f"{remaining}/{limit} left in this 15-minute window",
        )

    def map_error(self, response: httpx.Response, now: datetime) -> ConnectorError:
        body = body_json(response)
        errors = body.get("errors") or []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        detail = str(
            first.get("detail")
            or body.get("detail")
            or first.get("title")
            or body.get("title")
            or response.reason_phrase
        )
        status = response.status_code
        message = f"X said {status}: {detail}"
        if status == 429:
            reset = from_epoch(response.headers.get("x-rate-limit-reset"))
            return RateLimited(
                message, retry_at=reset if reset and reset > now else now + timedelta(minutes=15)
            )
        if status == 401:
            return AuthExpired(message)
        if status == 403:
            return PermissionDenied(message)
        if status >= 500:
            return Transient(message)
        return InvalidRequest(message)


def _users(includes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(u.get("id")): u for u in includes.get("users") or [] if isinstance(u, dict)}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
