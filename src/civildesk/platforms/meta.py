"""What Facebook Pages and Instagram share: Graph API verification, signatures, usage headers,
error codes, Messenger-style DMs and the reply windows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from civildesk.inbox.connectors import ConnectorError, ReplyTarget, SentReply
from civildesk.inbox.inbound import InboundMessage
from civildesk.platforms.base import PollPage, RateState
from civildesk.platforms.common import ConnectorBase, from_epoch, header, hex_hmac, refuses_malformed, same
from civildesk.platforms.errors import (
    AuthExpired,
    InvalidRequest,
    PermissionDenied,
    PolicyWindowClosed,
    RateLimited,
    Transient,
)
from civildesk.platforms.http import body_json
from civildesk.platforms.windows import check_dm, check_private_reply

SIGNATURE_HEADER = "X-Hub-Signature-256"
GRAPH = "https://graph.facebook.com/v23.0"
# Graph error codes that mean "slow down" (app, user, page and custom-level throttling).
THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006, 80008})
# Messaging outside the allowed window, or a second private reply to one comment.
WINDOW_SUBCODES = frozenset({2018278, 2018108, 2018001, 2534022})
DEFAULT_THROTTLE_WAIT = timedelta(minutes=5)


class MetaConnector(ConnectorBase):
    """Facebook and Instagram: credentials ``app_secret``, ``verify_token``, ``access_token``."""

    default_base_url = GRAPH
    required_credentials = ("app_secret", "verify_token", "access_token")
    webhook_object = ""

    def default_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials['access_token']}"}

    # --- webhooks ------------------------------------------------------------------------------

    def handshake(self, query: Mapping[str, str]) -> tuple[int, str, str]:
        mode, token, challenge = (
            query.get("hub.mode", ""),
            query.get("hub.verify_token", ""),
            query.get("hub.challenge", ""),
        )
        if mode == "subscribe" and challenge and same(self.credentials["verify_token"], token):
            return 200, "text/plain", challenge
        return 403, "text/plain", "verification failed"

    def verify_signature(self, headers: Mapping[str, str], raw_body: bytes) -> bool:
        given = header(headers, SIGNATURE_HEADER)
        if not given:
            return False
        return same("sha256=" + hex_hmac(self.credentials["app_secret"], raw_body), given)

    @refuses_malformed
    def parse_events(self, raw_body: bytes) -> list[InboundMessage]:
        body = json.loads(raw_body)
        if not isinstance(body, dict) or body.get("object") != self.webhook_object:
            return []
        out: list[InboundMessage] = []
        for entry in body.get("entry") or []:
            # One Meta app serves every Page it is subscribed to, so a delivery may be for
            # another of the organisation's accounts: each entry names the account it is for.
            owner = str(entry.get("id") or self.account_id)
            for change in entry.get("changes") or []:
                out.extend(self.parse_change(change.get("field", ""), change.get("value") or {}, owner))
            for event in entry.get("messaging") or []:
                message = self.parse_messaging(event, owner)
                if message is not None:
                    out.append(message)
        return out

    def parse_change(
        self, field: str, value: dict[str, Any], owner: str
    ) -> list[InboundMessage]:  # pragma: no cover
        raise NotImplementedError

    def parse_messaging(self, event: dict[str, Any], owner: str) -> InboundMessage | None:
        """A DM, an edited DM (``message_edit``) or an unsent one (``is_deleted``)."""
        sender = str((event.get("sender") or {}).get("id", ""))
        if not sender or sender == owner:
            return None
        when = from_epoch(event.get("timestamp"))
        if "message_edit" in event:
            edit = event["message_edit"]
            return self._dm(
                owner, sender, str(edit.get("mid", "")), str(edit.get("text", "")), when, "edit", event
            )
        message = event.get("message")
        if not isinstance(message, dict) or message.get("is_echo"):
            return None  # our own message echoed back, or a read receipt / reaction
        event_type = "delete" if message.get("is_deleted") else "create"
        return self._dm(
            owner, sender, str(message.get("mid", "")), str(message.get("text", "")), when, event_type, event
        )

    def _dm(
        self,
        owner: str,
        sender: str,
        mid: str,
        text: str,
        when: datetime | None,
        event: str,
        raw: dict[str, Any],
    ) -> InboundMessage:
        return InboundMessage(
            platform=self.platform,
            account_id=owner,
            platform_id=mid,
            kind="dm",
            text=text,
            author_id=sender,
            created_at=when,
            thread_id=f"dm:{sender}",
            event=event,  # type: ignore[arg-type]
            raw=raw,
        )

    def poll_events(self, cursor: str) -> PollPage:
        # Meta has no "what is new" endpoint for a Page or an Instagram account: webhooks are the
        # only source, and a missed delivery is retried by Meta itself for up to 36 hours.
        self.unsupported("poll for new comments (webhooks only)")

    # --- replies -------------------------------------------------------------------------------

    def messages_path(self) -> str:
        return f"/{self.account_id}/messages"

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply:
        now = self.clock()
        if target.kind == "dm":
            check_dm(now, self.windows.last_inbound_dm(self.platform, self.account_id, target.author_id))
            body: dict[str, Any] = {
                "recipient": {"id": target.author_id},
                "messaging_type": "RESPONSE",
                "message": {"text": text},
            }
        else:
            check_private_reply(
                now,
                self.windows.message_time(self.platform, self.account_id, target.message_id),
                self.windows.private_reply_sent(self.platform, self.account_id, target.message_id),
            )
            body = {"recipient": {"comment_id": target.message_id}, "message": {"text": text}}
        data = body_json(self.http.request("POST", self.messages_path(), bucket="app", json_body=body))
        if target.kind != "dm":
            self.windows.record_private_reply(self.platform, self.account_id, target.message_id, now)
        return SentReply(platform_reply_id=str(data.get("message_id", "")))

    def delete(self, target: ReplyTarget) -> None:
        self.http.request("DELETE", f"/{target.message_id}", bucket="app")

    def check(self) -> str:
        data = body_json(self.http.request("GET", "/me", bucket="app", params={"fields": "id,name"}))
        return f"signed in as {data.get('name') or data.get('username') or '?'} (id {data.get('id', '?')})"

    # --- limits and errors ---------------------------------------------------------------------

    def parse_rate(self, headers: httpx.Headers, now: datetime) -> RateState | None:
        used: list[float] = []
        wait_minutes = 0.0
        app = _json_header(headers.get("x-app-usage"))
        if isinstance(app, dict):
            used.extend(float(v) for v in app.values() if isinstance(v, int | float))
        buc = _json_header(headers.get("x-business-use-case-usage"))
        if isinstance(buc, dict):
            for entries in buc.values():
                for entry in entries if isinstance(entries, list) else []:
                    for key in ("call_count", "total_cputime", "total_time"):
                        if isinstance(entry.get(key), int | float):
                            used.append(float(entry[key]))
                    wait = entry.get("estimated_time_to_regain_access")
                    if isinstance(wait, int | float):
                        wait_minutes = max(wait_minutes, float(wait))
        if not used and not wait_minutes:
            return None
        peak = max(used, default=0.0)
        remaining = max(0, int(100 - peak))
        resets_at = now + timedelta(minutes=wait_minutes) if wait_minutes else None
        if remaining == 0 and resets_at is None:
            resets_at = now + DEFAULT_THROTTLE_WAIT
        return RateState(
            limit=100,
            remaining=remaining,
            resets_at=resets_at,
            detail=f"{peak:.0f}% of the app's hourly budget used",
        )

    def map_error(self, response: httpx.Response, now: datetime) -> ConnectorError:
        error = body_json(response).get("error") or {}
        code = error.get("code")
        subcode = error.get("error_subcode")
        message = f"{self.platform} said {response.status_code}: {error.get('message') or response.reason_phrase} (code {code})"
        if code in THROTTLE_CODES or response.status_code == 429:
            state = self.parse_rate(response.headers, now)
            retry_at = (
                state.resets_at
                if state and state.resets_at and state.resets_at > now
                else now + DEFAULT_THROTTLE_WAIT
            )
            return RateLimited(message, retry_at=retry_at)
        if code == 190 or code == 102 or response.status_code == 401:
            return AuthExpired(message)
        if subcode in WINDOW_SUBCODES or (code == 10 and "window" in str(error.get("message", "")).lower()):
            return PolicyWindowClosed(message)
        if (
            code in (10, 200, 3)
            or (isinstance(code, int) and 200 <= code < 300)
            or response.status_code == 403
        ):
            return PermissionDenied(message)
        if error.get("is_transient") or code in (1, 2) or response.status_code >= 500:
            return Transient(message)
        return InvalidRequest(message)


def _json_header(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return None
