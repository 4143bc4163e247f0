"""A local stand-in for the four platforms' APIs: the endpoints the connectors call, answered
the way the platforms answer (bodies, status codes, rate-limit headers, error shapes), with
every request recorded so tests and the demo can see what the desk did.

Faults are injected per platform and operation: ``rate_limit`` (each platform's own 429 or
throttling error and headers), ``server_error``, ``timeout`` (the answer comes too late),
``expired_token``, ``window_closed``, ``permission`` and ``invalid``.

    sim = Simulator().start()
    connector = XConnector("42", creds, base_url=sim.base_url("x"))
    ...
    sim.done("x", "hide")  # the successful hide requests, with their bodies
    sim.stop()
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

from civildesk.simulator.signing import expected_challenge, expected_crc, signature_headers

PLATFORMS = ("x", "facebook", "instagram", "linkedin")
FAULT_KINDS = (
    "rate_limit",
    "server_error",
    "timeout",
    "expired_token",
    "window_closed",
    "permission",
    "invalid",
)
KEPT_HEADERS = (
    "authorization",
    "content-type",
    "linkedin-version",
    "x-restli-protocol-version",
    "x-restli-method",
)


@dataclass(frozen=True)
class Action:
    platform: str
    op: str
    method: str
    path: str  # without the platform prefix, URL-decoded
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    status: int


@dataclass
class Fault:
    platform: str
    op: str  # an operation name, or "*" for every call to the platform
    kind: str
    times: int = 1
    retry_after: int = 60  # seconds until the platform lets calls through again
    delay: float = 2.0  # for "timeout": how long the answer takes


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Simulator:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        # Where rate-limit resets are counted from; a test with a fake clock sets it to match.
        self.clock: Callable[[], float] = time.time
        self.lock = threading.Lock()
        self.actions: list[Action] = []
        self.faults: list[Fault] = []
        self.counter = 1000
        self.calls: dict[tuple[str, str], int] = {}
        # What the fetch endpoints serve (filled by the scenario runner or a test).
        self.x_mentions: list[dict[str, Any]] = []
        self.instagram_mentions: dict[str, dict[str, Any]] = {}
        self.linkedin_comments: dict[str, dict[str, Any]] = {}  # by comment id
        self.linkedin_posts: dict[str, dict[str, Any]] = {}  # by URN
        self.linkedin_notifications: list[dict[str, Any]] = []
        self.container_status: dict[str, list[str]] = {}
        self.private_replied: set[str] = (
            set()
        )  # Meta comments that had their one private reply  # Instagram container -> statuses to report
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Simulator:
        sim = self

        class Handler(_Handler):
            simulator = sim

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="platform-simulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def base_url(self, platform: str) -> str:
        return f"{self.url}/{platform}"

    # --- what happened -------------------------------------------------------------------------

    def recorded(self, platform: str | None = None, op: str | None = None) -> list[Action]:
        with self.lock:
            return [
                a
                for a in self.actions
                if (platform is None or a.platform == platform) and (op is None or a.op == op)
            ]

    def done(self, platform: str | None = None, op: str | None = None) -> list[Action]:
        """The requests the platform accepted (what actually happened on it)."""
        return [a for a in self.recorded(platform, op) if a.status < 400]

    def clear(self) -> None:
        with self.lock:
            self.actions.clear()
            self.faults.clear()

    def inject(
        self,
        platform: str,
        kind: str,
        *,
        op: str = "*",
        times: int = 1,
        retry_after: int = 60,
        delay: float = 2.0,
    ) -> None:
        if platform not in PLATFORMS or kind not in FAULT_KINDS:
            raise ValueError(f"unknown platform or fault: {platform!r} {kind!r}")
        with self.lock:
            self.faults.append(Fault(platform, op, kind, times, retry_after, delay))

    def next_id(self) -> str:
        with self.lock:
            self.counter += 1
            return str(self.counter)

    # --- sending to the desk -------------------------------------------------------------------

    def deliver(
        self,
        url: str,
        platform: str,
        secret: str,
        payload: Any,
        *,
        forge: bool = False,
        timeout: float = 10.0,
    ) -> httpx.Response:
        """POST a signed delivery to the desk's webhook URL (``forge`` signs with a wrong secret)."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = signature_headers(platform, secret + ("-forged" if forge else ""), body)
        headers["Content-Type"] = "application/json"
        return httpx.post(url, content=body, headers=headers, timeout=timeout)

    def check_handshake(self, url: str, platform: str, secret: str, verify_token: str = "") -> bool:
        """Run the platform's subscription check against the desk; True when it answers right."""
        if platform == "x":
            r = httpx.get(url, params={"crc_token": "sim-crc-token"}, timeout=10)
            return r.status_code == 200 and r.json().get("response_token") == expected_crc(
                secret, "sim-crc-token"
            )
        if platform == "linkedin":
            r = httpx.get(url, params={"challengeCode": "sim-challenge"}, timeout=3)
            return r.status_code == 200 and r.json().get("challengeResponse") == expected_challenge(
                secret, "sim-challenge"
            )
        r = httpx.get(
            url,
            params={"hub.mode": "subscribe", "hub.challenge": "31415", "hub.verify_token": verify_token},
            timeout=10,
        )
        return r.status_code == 200 and r.text == "31415"

    # --- answering -----------------------------------------------------------------------------

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> tuple[Reply, float]:
        parts = urlsplit(raw_path)
        segments = parts.path.strip("/").split("/", 1)
        platform = segments[0]
        path = "/" + (segments[1] if len(segments) > 1 else "")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        try:
            body = json.loads(raw_body) if raw_body else None
        except json.JSONDecodeError:
            body = None
        if platform not in PLATFORMS:
            return Reply(404, {"message": "unknown platform"}), 0.0
        router = ROUTERS[platform]
        op, answer = router(self, method, path, query, body, headers)
        delay = 0.0
        fault = self._take_fault(platform, op)
        reply = (
            answer if fault is None else fault_reply(platform, fault, self.account_hint(path), self.clock())
        )
        if fault is not None and fault.kind == "timeout":
            delay = fault.delay
        if platform == "x" and fault is None:
            reply.headers.update(self._x_rate_headers(op))
        if platform in ("facebook", "instagram") and fault is None:
            with self.lock:
                used = self.calls.get((platform, "*"), 0) + 1
                self.calls[(platform, "*")] = used
            # One percent of the app's hourly budget per call, as a busy app would see it.
            reply.headers["X-App-Usage"] = json.dumps(
                {"call_count": min(99, used), "total_time": 1, "total_cputime": 1}
            )
        kept = {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
        with self.lock:
            self.actions.append(Action(platform, op, method, unquote(path), query, body, kept, reply.status))
        return reply, delay

    def account_hint(self, path: str) -> str:
        return unquote(path.strip("/").split("/", 1)[0]) or "sim"

    def _take_fault(self, platform: str, op: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.platform == platform and fault.op in ("*", op) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _x_rate_headers(self, op: str) -> dict[str, str]:
        with self.lock:
            used = self.calls.get(("x", op), 0) + 1
            self.calls[("x", op)] = used
        return {
            "x-rate-limit-limit": "50",
            "x-rate-limit-remaining": str(max(0, 50 - used)),
            "x-rate-limit-reset": str(int(self.clock()) + 900),
        }


def fault_reply(platform: str, fault: Fault, account: str, now: float) -> Reply:
    reset = int(now) + fault.retry_after
    kind = fault.kind
    if platform == "x":
        table = {
            "rate_limit": (429, "Too Many Requests", "Too Many Requests"),
            "server_error": (503, "Service Unavailable", "Service Unavailable"),
            "timeout": (503, "Service Unavailable", "Service Unavailable"),
            "expired_token": (401, "Unauthorized", "Unauthorized"),
            "window_closed": (403, "Forbidden", "You are not permitted to send this message."),
            "permission": (403, "Forbidden", "You are not permitted to perform this action."),
            "invalid": (400, "Invalid Request", "One or more parameters to your request was invalid."),
        }
        status, title, detail = table[kind]
        headers = (
            {"x-rate-limit-limit": "50", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
            if kind == "rate_limit"
            else {}
        )
        return Reply(
            status, {"title": title, "detail": detail, "type": "about:blank", "status": status}, headers
        )
    if platform in ("facebook", "instagram"):
        minutes = max(1, -(-fault.retry_after // 60))
        meta = {
            "rate_limit": (400, 32, None, "(#32) Page request limit reached"),
            "server_error": (
                500,
                2,
                None,
                "An unexpected error has occurred. Please retry your request later.",
            ),
            "timeout": (500, 2, None, "An unexpected error has occurred."),
            "expired_token": (400, 190, 463, "Error validating access token: Session has expired."),
            "window_closed": (400, 10, 2018278, "(#10) This message is sent outside of allowed window."),
            "permission": (400, 200, None, "(#200) Permissions error"),
            "invalid": (400, 100, None, "(#100) Invalid parameter"),
        }
        status, code, subcode, message = meta[kind]
        error: dict[str, Any] = {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "SimTrace",
        }
        if subcode:
            error["error_subcode"] = subcode
        if kind in ("server_error", "timeout"):
            error["is_transient"] = True
        headers = {}
        if kind == "rate_limit":
            usage = {
                account: [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 20,
                        "total_time": 20,
                        "estimated_time_to_regain_access": minutes,
                    }
                ]
            }
            headers = {
                "X-Business-Use-Case-Usage": json.dumps(usage),
                "X-App-Usage": json.dumps({"call_count": 100, "total_time": 20, "total_cputime": 20}),
            }
        return Reply(status, {"error": error}, headers)
    linkedin = {
        "rate_limit": (
            429,
            101,
            "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
        ),
        "server_error": (500, 0, "Internal Server Error"),
        "timeout": (504, 0, "Gateway Timeout"),
        "expired_token": (401, 65601, "The token used in the request has expired"),
        "window_closed": (403, 100, "Not enough permissions"),
        "permission": (403, 100, "Not enough permissions to access: partnerApiSocialActions.CREATE"),
        "invalid": (422, 0, "Invalid request body"),
    }
    status, service, message = linkedin[kind]
    return Reply(status, {"status": status, "serviceErrorCode": service, "message": message})


# --- the platforms' endpoints -------------------------------------------------------------------

Router = Callable[[Simulator, str, str, dict[str, str], Any, dict[str, str]], tuple[str, Reply]]


def _x(
    sim: Simulator, method: str, path: str, query: dict[str, str], body: Any, headers: dict[str, str]
) -> tuple[str, Reply]:
    if not _header(headers, "authorization").startswith("Bearer "):
        return "unauthenticated", Reply(
            401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
        )
    if method == "POST" and path == "/2/tweets":
        if not isinstance(body, dict) or not body.get("text"):
            return "invalid", Reply(
                400,
                {
                    "errors": [{"message": "text is required"}],
                    "title": "Invalid Request",
                    "detail": "text is required",
                },
            )
        op = "reply" if body.get("reply") else "publish"
        return op, Reply(201, {"data": {"id": sim.next_id(), "text": body["text"]}})
    if re.fullmatch(r"/2/tweets/[^/]+/hidden", path):
        hidden = bool((body or {}).get("hidden"))
        return ("hide" if hidden else "unhide"), Reply(200, {"data": {"hidden": hidden}})
    if method == "DELETE" and re.fullmatch(r"/2/tweets/[^/]+", path):
        return "delete", Reply(200, {"data": {"deleted": True}})
    if method == "POST" and re.fullmatch(r"/2/users/[^/]+/muting", path):
        return "mute", Reply(200, {"data": {"muting": True}})
    if method == "DELETE" and re.fullmatch(r"/2/users/[^/]+/muting/[^/]+", path):
        return "unmute", Reply(200, {"data": {"muting": False}})
    if m := re.fullmatch(r"/2/users/([^/]+)/dm/(block|unblock)", path):
        return m[2], Reply(200, {"data": {"blocked": m[2] == "block"}})
    if m := re.fullmatch(r"/2/dm_conversations/with/([^/]+)/messages", path):
        return "dm", Reply(
            201, {"data": {"dm_conversation_id": f"conv-{m[1]}", "dm_event_id": sim.next_id()}}
        )
    if method == "GET" and path == "/2/users/me":
        return "me", Reply(
            200, {"data": {"id": "4242", "username": "simulated_council", "name": "Simulated Council"}}
        )
    if method == "GET" and re.fullmatch(r"/2/users/[^/]+/mentions", path):
        since = int(query.get("since_id") or 0)
        posts = [p for p in sim.x_mentions if int(p["id"]) > since]
        users = [
            {"id": p["author_id"], "username": f"user{p['author_id']}", "name": p["author_id"]} for p in posts
        ]
        meta: dict[str, Any] = {"result_count": len(posts)}
        if posts:
            meta["newest_id"] = max((p["id"] for p in posts), key=int)
        return "poll", Reply(
            200, {"data": posts, "includes": {"users": users}, "meta": meta} if posts else {"meta": meta}
        )
    return "unknown", Reply(
        404,
        {
            "title": "Not Found Error",
            "detail": f"no route {method} {path}",
            "type": "about:blank",
            "status": 404,
        },
    )


def _meta_common(
    sim: Simulator, platform: str, method: str, path: str, query: dict[str, str], body: Any
) -> tuple[str, Reply] | None:
    if re.fullmatch(r"/([^/]+)/messages", path):
        if method != "POST" or not isinstance(body, dict):
            return "invalid", Reply(400, {"error": {"message": "(#100) Invalid parameter", "code": 100}})
        recipient = body.get("recipient") or {}
        op = "private_reply" if "comment_id" in recipient else "dm"
        if op == "private_reply":
            # Meta's own rule, enforced here too: one private reply per comment.
            with sim.lock:
                again = recipient["comment_id"] in sim.private_replied
                sim.private_replied.add(recipient["comment_id"])
            if again:
                return op, fault_reply(platform, Fault(platform, op, "window_closed"), "", sim.clock())
        return op, Reply(
            200,
            {
                "recipient_id": recipient.get("id", "psid-" + sim.next_id()),
                "message_id": "m_" + sim.next_id(),
            },
        )
    if method == "DELETE" and re.fullmatch(r"/[^/]+", path):
        return "delete", Reply(200, {"success": True})
    if method == "GET" and path == "/me":
        return "me", Reply(
            200, {"id": "1001", "name": f"Simulated {platform} account", "username": "simulated"}
        )
    return None


def _facebook(
    sim: Simulator, method: str, path: str, query: dict[str, str], body: Any, headers: dict[str, str]
) -> tuple[str, Reply]:
    if not _header(headers, "authorization").startswith("Bearer "):
        return "unauthenticated", Reply(
            400, {"error": {"message": "An active access token must be used", "code": 2500}}
        )
    common = _meta_common(sim, "facebook", method, path, query, body)
    if common:
        return common
    if method == "POST" and re.fullmatch(r"/[^/]+/comments", path):
        return "reply", Reply(200, {"id": f"{path.split('/')[1]}_{sim.next_id()}"})
    if method == "POST" and re.fullmatch(r"/[^/]+/feed", path):
        return "publish", Reply(200, {"id": f"{path.split('/')[1]}_{sim.next_id()}"})
    if re.fullmatch(r"/[^/]+/blocked", path):
        if method == "POST":
            return "block", Reply(200, {str(u): True for u in (body or {}).get("user", [])})
        return "unblock", Reply(200, {"success": True})
    if method == "POST" and re.fullmatch(r"/[^/]+", path) and "is_hidden" in query:
        return ("hide" if query["is_hidden"] == "true" else "unhide"), Reply(200, {"success": True})
    return "unknown", Reply(
        400, {"error": {"message": f"Unsupported {method} request {path}", "code": 100, "error_subcode": 33}}
    )


def _instagram(
    sim: Simulator, method: str, path: str, query: dict[str, str], body: Any, headers: dict[str, str]
) -> tuple[str, Reply]:
    if not _header(headers, "authorization").startswith("Bearer "):
        return "unauthenticated", Reply(
            400, {"error": {"message": "An active access token must be used", "code": 2500}}
        )
    common = _meta_common(sim, "instagram", method, path, query, body)
    if common:
        return common
    if method == "POST" and re.fullmatch(r"/[^/]+/replies", path):
        return "reply", Reply(200, {"id": sim.next_id()})
    if method == "POST" and re.fullmatch(r"/[^/]+/media", path):
        if not (body or {}).get("image_url"):
            return "invalid", Reply(400, {"error": {"message": "(#100) image_url is required", "code": 100}})
        container = "container-" + sim.next_id()
        return "media_container", Reply(200, {"id": container})
    if method == "POST" and re.fullmatch(r"/[^/]+/media_publish", path):
        return "publish", Reply(200, {"id": sim.next_id()})
    if method == "POST" and re.fullmatch(r"/[^/]+/moderate_conversations", path):
        actions = (body or {}).get("actions") or []
        return ("block" if "BLOCK_USER" in actions else "unblock"), Reply(200, {"success": True})
    if method == "POST" and re.fullmatch(r"/[^/]+", path):
        if "hide" in query:
            return ("hide" if query["hide"] == "true" else "unhide"), Reply(200, {"success": True})
        if "comment_enabled" in query:
            return ("comments_on" if query["comment_enabled"] == "true" else "comments_off"), Reply(
                200, {"success": True}
            )
    if method == "GET" and re.fullmatch(r"/[^/]+", path):
        fields = query.get("fields", "")
        if m := re.search(r"mentioned_comment\.comment_id\(([^)]+)\)", fields):
            comment = sim.instagram_mentions.get(m[1])
            if comment is None:
                return "mention_lookup", Reply(
                    400, {"error": {"message": "(#100) comment not found", "code": 100}}
                )
            return "mention_lookup", Reply(200, {"mentioned_comment": comment, "id": path.strip("/")})
        if fields == "status_code":
            queue = sim.container_status.get(path.strip("/"))
            status = queue.pop(0) if queue else "FINISHED"
            return "media_status", Reply(200, {"status_code": status, "id": path.strip("/")})
    return "unknown", Reply(
        400, {"error": {"message": f"Unsupported {method} request {path}", "code": 100, "error_subcode": 33}}
    )


def _linkedin(
    sim: Simulator, method: str, path: str, query: dict[str, str], body: Any, headers: dict[str, str]
) -> tuple[str, Reply]:
    if not _header(headers, "authorization").startswith("Bearer "):
        return "unauthenticated", Reply(
            401, {"status": 401, "serviceErrorCode": 65600, "message": "Invalid access token"}
        )
    if not _header(headers, "linkedin-version") or _header(headers, "x-restli-protocol-version") != "2.0.0":
        return "invalid", Reply(
            400,
            {
                "status": 400,
                "message": "Linkedin-Version and X-Restli-Protocol-Version: 2.0.0 headers are required",
            },
        )
    segs = [unquote(s) for s in path.strip("/").split("/")]
    if segs[:2] == ["rest", "socialActions"] and len(segs) >= 4 and segs[3] == "comments":
        on = segs[2]
        if method == "POST" and len(segs) == 4:
            if (
                not isinstance(body, dict)
                or not (body.get("message") or {}).get("text")
                or not body.get("actor")
            ):
                return "invalid", Reply(
                    422, {"status": 422, "message": "actor and message.text are required"}
                )
            new = f"urn:li:comment:({body.get('object') or on},{sim.next_id()})"
            return "reply", Reply(201, {"id": new.rsplit(",", 1)[1].rstrip(")")}, {"x-restli-id": new})
        if method == "DELETE" and len(segs) == 5:
            return "delete", Reply(204)
        if method == "GET" and len(segs) == 5:
            comment = sim.linkedin_comments.get(segs[4])
            if comment is None:
                return "fetch_comment", Reply(404, {"status": 404, "message": "Comment not found"})
            return "fetch_comment", Reply(200, comment)
    if segs[:2] == ["rest", "socialMetadata"] and method == "POST" and len(segs) == 3:
        state = (((body or {}).get("patch") or {}).get("$set") or {}).get("commentsState")
        return ("comments_on" if state == "OPEN" else "comments_off"), Reply(204)
    if segs == ["rest", "posts"] and method == "POST":
        new = f"urn:li:share:{sim.next_id()}"
        return "publish", Reply(201, None, {"x-restli-id": new})
    if segs[:2] == ["rest", "posts"] and method == "GET" and len(segs) == 3:
        post = sim.linkedin_posts.get(segs[2])
        return "fetch_post", Reply(200, post) if post else Reply(
            404, {"status": 404, "message": "Post not found"}
        )
    if segs == ["rest", "organizationalEntityNotifications"] and method == "GET":
        start = 0
        if m := re.search(r"start:(\d+)", query.get("timeRange", "")):
            start = int(m[1])
        elements = [n for n in sim.linkedin_notifications if int(n["lastModifiedAt"]) >= start]
        return "poll", Reply(200, {"elements": elements, "paging": {"count": len(elements), "start": 0}})
    if segs[:2] == ["rest", "organizations"] and method == "GET":
        return "me", Reply(
            200, {"id": int(segs[2]) if segs[2].isdigit() else 0, "localizedName": "Simulated Council"}
        )
    return "unknown", Reply(404, {"status": 404, "message": f"No route {method} {path}"})


ROUTERS: dict[str, Router] = {"x": _x, "facebook": _facebook, "instagram": _instagram, "linkedin": _linkedin}


def _header(headers: dict[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


class _Handler(BaseHTTPRequestHandler):
    simulator: Simulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the recorded actions are the log

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        reply, delay = self.simulator.handle(self.command, self.path, dict(self.headers.items()), raw)
        if delay:
            time.sleep(delay)
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if payload:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)  # the client may have given up waiting (a timeout fault)

    do_GET = do_POST = do_PUT = do_DELETE = _serve
