"""What the four connectors share: credentials, signatures, timestamps, the unsupported actions."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn, ParamSpec, TypeVar

import httpx

from civildesk.inbox.connectors import ConnectorError
from civildesk.inbox.inbound import InboundMessage
from civildesk.platforms.base import PollPage, RateState
from civildesk.platforms.errors import InvalidRequest, NotSupported
from civildesk.platforms.http import Clock, PlatformClient, utcnow
from civildesk.platforms.windows import MemoryWindowBook, WindowBook

_P = ParamSpec("_P")
_R = TypeVar("_R")


def refuses_malformed(parse: Callable[_P, _R]) -> Callable[_P, _R]:
    """A payload of the wrong shape (a number where an object belongs, nesting too deep) is a
    malformed delivery, refused with ``InvalidRequest`` like any other: platforms' payloads are
    attacker-reachable once signed, and a parser must never crash the worker."""

    @functools.wraps(parse)
    def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return parse(*args, **kwargs)
        except (AttributeError, IndexError, RecursionError, OverflowError) as exc:
            raise InvalidRequest(f"payload not understood: {type(exc).__name__}: {exc}"[:300]) from exc

    return guarded


def hmac_sha256(secret: str, data: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), data, hashlib.sha256).digest()


def hex_hmac(secret: str, data: bytes) -> str:
    return hmac_sha256(secret, data).hex()


def b64_hmac(secret: str, data: bytes) -> str:
    return base64.b64encode(hmac_sha256(secret, data)).decode("ascii")


def same(expected: str, given: str) -> bool:
    """Constant-time comparison, so a forger learns nothing from how long a refusal takes."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def header(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive header lookup (Django, httpx and the tests spell names differently)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def from_epoch(seconds: float | int | str | None) -> datetime | None:
    if seconds in (None, ""):
        return None
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return None
    if value > 10_000_000_000:  # milliseconds (Messenger, X DMs, LinkedIn)
        value /= 1000
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, ValueError, OSError):  # past year 9999, "inf", "nan"
        return None


def from_iso(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    # Graph API writes +0000, which fromisoformat reads from 3.11 on; a naive value is UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ConnectorBase:
    """Credentials, the HTTP client, the clock and the window book; platform classes add the rest."""

    platform = ""
    default_base_url = ""
    capabilities: frozenset[str] = frozenset()
    required_credentials: tuple[str, ...] = ()

    def __init__(
        self,
        account_id: str,
        credentials: Mapping[str, str],
        *,
        base_url: str = "",
        transport: httpx.BaseTransport | None = None,
        clock: Clock = utcnow,
        windows: WindowBook | None = None,
        on_rate: Any = None,
        timeout: float | None = None,
    ) -> None:
        missing = [k for k in self.required_credentials if not credentials.get(k)]
        if missing:
            raise InvalidRequest(
                f"{self.platform} account {account_id}: missing credentials {', '.join(missing)}"
            )
        self.account_id = account_id
        self.credentials = dict(credentials)
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.clock = clock
        self.windows: WindowBook = windows if windows is not None else MemoryWindowBook()
        self.name = f"{self.platform} ({self.base_url})"
        kwargs: dict[str, Any] = {}
        if timeout is not None:
            kwargs["timeout"] = timeout
        self.http = PlatformClient(
            self.base_url,
            parse_rate=self.parse_rate,
            map_error=self.map_error,
            headers=self.default_headers(),
            transport=transport,
            clock=clock,
            on_rate=on_rate,
            **kwargs,
        )

    # Platform classes override these three.
    def default_headers(self) -> dict[str, str]:
        return {}

    def parse_rate(self, headers: httpx.Headers, now: datetime) -> RateState | None:
        return None

    def map_error(self, response: httpx.Response, now: datetime) -> ConnectorError:  # pragma: no cover
        raise NotImplementedError

    # Each platform implements these (see ``base.Connector``); declared here so code holding a
    # ConnectorBase is checked against them.
    def handshake(self, query: Mapping[str, str]) -> tuple[int, str, str]:  # pragma: no cover
        raise NotImplementedError

    def verify_signature(self, headers: Mapping[str, str], raw_body: bytes) -> bool:  # pragma: no cover
        raise NotImplementedError

    def parse_events(self, raw_body: bytes) -> list[InboundMessage]:  # pragma: no cover
        raise NotImplementedError

    def poll_events(self, cursor: str) -> PollPage:  # pragma: no cover
        raise NotImplementedError

    def check(self) -> str:  # pragma: no cover
        """Call the platform's "who am I" endpoint: the admin's "test the connection"."""
        raise NotImplementedError

    def rate_state(self) -> RateState:
        return self.http.rate_state()

    def unsupported(self, what: str) -> NoReturn:
        raise NotSupported(f"{self.platform} offers no API to {what}: the desk makes it a task for a person")

    def close(self) -> None:
        self.http.close()
