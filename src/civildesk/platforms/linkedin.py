"""LinkedIn organisation pages (REST API): comments, mentions, edits and deletions; reply, delete,
comments off, publish. Polling fallback for accounts without an approved webhook use case.

Credentials: ``client_secret`` (signs challenges and deliveries), ``access_token`` (member token
of a page admin). The account id is the organisation URN (``urn:li:organization:N``).
LinkedIn has no API to hide a comment, block or mute a person, send a page DM, or report: those
become tasks for a person. It sends no rate-limit headers either: a 429 starts an exponential
back-off, capped at 00:00 UTC when its daily limits reset.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from civildesk.inbox.connectors import ConnectorError, ReplyTarget, SentReply
from civildesk.inbox.inbound import InboundMessage
from civildesk.platforms import base
from civildesk.platforms.base import PollPage
from civildesk.platforms.common import ConnectorBase, from_epoch, header, hex_hmac, refuses_malformed, same
from civildesk.platforms.errors import (
    AuthExpired,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
    Transient,
)
from civildesk.platforms.http import body_json

SIGNATURE_HEADER = "X-LI-Signature"
DEFAULT_VERSION = "202606"
ACTIONS = {
    "COMMENT": ("comment", "create"),
    "COMMENT_EDIT": ("comment", "edit"),
    "COMMENT_DELETE": ("comment", "delete"),
    "SHARE_MENTION": ("mention", "create"),
}
COMMENT_URN = re.compile(r"^urn:li:comment:\((?P<parent>urn:li:[A-Za-z]+:[^,]+),(?P<id>[^)]+)\)$")
FIRST_BACKOFF = timedelta(minutes=1)


def urn(value: str) -> str:
    return quote(value, safe="")


def comment_parts(comment_urn: str) -> tuple[str, str]:
    """(the post or activity it belongs to, the comment's own id) from a comment URN."""
    match = COMMENT_URN.match(comment_urn)
    if not match:
        raise InvalidRequest(f"linkedin: {comment_urn!r} is not a comment URN")
    return match["parent"], match["id"]


def challenge_response(client_secret: str, code: str) -> str:
    return hex_hmac(client_secret, code.encode("utf-8"))


class LinkedInConnector(ConnectorBase):
    platform = "linkedin"
    default_base_url = "https://api.linkedin.com"
    capabilities = frozenset({base.REPLY_PUBLIC, base.DELETE, base.COMMENTS_TOGGLE, base.PUBLISH})
    required_credentials = ("client_secret", "access_token")

    def __init__(self, account_id: str, credentials: Mapping[str, str], **kwargs: Any) -> None:
        self.strikes = 0  # consecutive 429s: the back-off doubles with each
        super().__init__(account_id, credentials, **kwargs)

    def default_headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.credentials['access_token']}",
            "Linkedin-Version": self.credentials.get("api_version") or DEFAULT_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, bucket="daily", **kwargs)
        self.strikes = 0
        return response

    # --- webhooks ------------------------------------------------------------------------------

    def handshake(self, query: Mapping[str, str]) -> tuple[int, str, str]:
        code = query.get("challengeCode", "")
        if not code:
            return 400, "text/plain", "challengeCode missing"
        body = {
            "challengeCode": code,
            "challengeResponse": challenge_response(self.credentials["client_secret"], code),
        }
        return 200, "application/json", json.dumps(body)

    def verify_signature(self, headers: Mapping[str, str], raw_body: bytes) -> bool:
        given = header(headers, SIGNATURE_HEADER)
        if not given:
            return False
        return same(hex_hmac(self.credentials["client_secret"], b"hmacsha256=" + raw_body), given)

    @refuses_malformed
    def parse_events(self, raw_body: bytes) -> list[InboundMessage]:
        body = json.loads(raw_body)
        if not isinstance(body, dict) or body.get("type") != "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS":
            return []
        return self._notifications(body.get("notifications") or [])

    def _notifications(self, notifications: list[dict[str, Any]]) -> list[InboundMessage]:
        out = []
        for note in notifications:
            known = ACTIONS.get(str(note.get("action", "")))
            if known is None:
                continue  # likes, shares and the page's own comments are not messages
            kind, event = known
            out.append(self._message(note, kind, event))
        return out

    def _message(self, note: dict[str, Any], kind: str, event: str) -> InboundMessage:
        activity = str(note.get("generatedActivity", ""))
        post = str(note.get("sourcePost", ""))
        when = from_epoch(note.get("lastModifiedAt"))
        fields: dict[str, Any] = {"text": "", "author_id": "unknown", "parent_id": ""}
        if event != "delete":
            if kind == "mention":
                data = body_json(self._call("GET", f"/rest/posts/{urn(activity)}"))
                fields.update(text=str(data.get("commentary", "")), author_id=str(data.get("author", "")))
                post = post or activity
            else:
                parent, comment_id = comment_parts(activity)
                data = body_json(
                    self._call("GET", f"/rest/socialActions/{urn(post or parent)}/comments/{comment_id}")
                )
                fields.update(
                    text=str((data.get("message") or {}).get("text", "")),
                    author_id=str(data.get("actor", "")),
                    parent_id=str(data.get("parentComment", "")),
                )
        if fields["parent_id"]:
            kind = "reply"
        return InboundMessage(
            platform="linkedin",
            # A delivery names the organisation it is about (one app may serve several pages).
            account_id=str(note.get("organizationalEntity") or self.account_id),
            platform_id=activity,
            kind=kind,
            text=fields["text"],
            author_id=fields["author_id"] or "unknown",
            created_at=when,
            thread_id=post,
            parent_id=fields["parent_id"],
            event=event,  # type: ignore[arg-type]
            raw=note,
        )

    def poll_events(self, cursor: str) -> PollPage:
        """Notifications modified after ``cursor`` (epoch milliseconds)."""
        params = {
            "q": "criteria",
            "organizationalEntity": self.account_id,
            "actions": "List(COMMENT,SHARE_MENTION,COMMENT_EDIT,COMMENT_DELETE)",
        }
        if cursor:
            params["timeRange"] = f"(start:{int(cursor) + 1})"
        data = body_json(self._call("GET", "/rest/organizationalEntityNotifications", params=params))
        elements = [e for e in data.get("elements") or [] if isinstance(e, dict)]
        newest = max((int(e.get("lastModifiedAt") or 0) for e in elements), default=0)
        return PollPage(messages=self._notifications(elements), cursor=str(newest) if newest else cursor)

    # --- actions -------------------------------------------------------------------------------

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply:
        body: dict[str, Any] = {"actor": self.account_id, "message": {"text": text}}
        if target.kind == "mention":
            body["object"] = target.message_id
            on = target.message_id
        else:
            parent, _ = comment_parts(target.message_id)
            body["object"] = target.thread_id or parent
            body["parentComment"] = target.message_id
            on = target.message_id
        response = self._call("POST", f"/rest/socialActions/{urn(on)}/comments", json_body=body)
        return SentReply(
            platform_reply_id=response.headers.get("x-restli-id") or str(body_json(response).get("id", ""))
        )

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply:
        self.unsupported("send a page DM")

    def hide(self, target: ReplyTarget) -> None:
        self.unsupported("hide a comment (delete it, or switch comments off on the post)")

    def unhide(self, target: ReplyTarget) -> None:
        self.unsupported("hide a comment")

    def delete(self, target: ReplyTarget) -> None:
        parent, comment_id = comment_parts(target.message_id)
        post = target.thread_id or parent
        self._call(
            "DELETE",
            f"/rest/socialActions/{urn(post)}/comments/{comment_id}",
            params={"actor": self.account_id},
        )

    def block(self, author_id: str) -> None:
        self.unsupported("block a person")

    def unblock(self, author_id: str) -> None:
        self.unsupported("block a person")

    def mute(self, author_id: str) -> None:
        self.unsupported("mute a person")

    def unmute(self, author_id: str) -> None:
        self.unsupported("mute a person")

    def set_comments(self, post_id: str, enabled: bool) -> None:
        body = {"patch": {"$set": {"commentsState": "OPEN" if enabled else "CLOSED"}}}
        self._call(
            "POST",
            f"/rest/socialMetadata/{urn(post_id)}",
            params={"actor": self.account_id},
            json_body=body,
            headers={"X-RestLi-Method": "PARTIAL_UPDATE"},
        )

    # Key and image kept for the shared contract: LinkedIn takes no idempotency key; text only here.
    def publish(self, account_id: str, text: str, *, idempotency_key: str = "", media_url: str = "") -> str:
        body = {
            "author": self.account_id,
            "commentary": text,
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        response = self._call("POST", "/rest/posts", json_body=body)
        return str(response.headers.get("x-restli-id", ""))

    def check(self) -> str:
        org_id = self.account_id.rsplit(":", 1)[-1]
        data = body_json(self._call("GET", f"/rest/organizations/{org_id}"))
        return f"page {data.get('localizedName', '?')} ({self.account_id})"

    # --- errors --------------------------------------------------------------------------------

    def map_error(self, response: httpx.Response, now: datetime) -> ConnectorError:
        body = body_json(response)
        status = response.status_code
        message = f"linkedin said {status}: {body.get('message') or response.reason_phrase} (serviceErrorCode {body.get('serviceErrorCode')})"
        if status == 429:
            self.strikes += 1
            midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=UTC)
            wait = FIRST_BACKOFF * 2 ** (self.strikes - 1)
            return RateLimited(message, retry_at=min(now + wait, midnight))
        if status == 401:
            return AuthExpired(message)
        if status == 403:
            return PermissionDenied(message)
        if status >= 500:
            return Transient(message)
        return InvalidRequest(message)
