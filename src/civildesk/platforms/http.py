"""The one small HTTP helper every connector uses: call, read the rate headers, map the errors.

A connector hands in two platform-specific functions: ``parse_rate`` (headers -> RateState, or
None when the response said nothing about limits) and ``map_error`` (a failed response -> one of
the typed errors). Timeouts and dropped connections become ``Transient`` here, so no httpx
exception ever reaches a caller.

Rate state is kept per *bucket*: X limits each endpoint separately, Meta limits the whole app, so
each connector names the bucket a call spends. Before calling, a bucket known to be exhausted
raises ``RateLimited`` without touching the network: hammering a platform that already said
"wait" only extends the penalty.
"""

from __future__ import annotations

import functools
import json
import ssl
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from civildesk.inbox.connectors import ConnectorError
from civildesk.platforms.base import RateState
from civildesk.platforms.errors import AnswerLost, InvalidRequest, RateLimited, Transient

Clock = Callable[[], datetime]
RateParser = Callable[[httpx.Headers, datetime], RateState | None]
ErrorMapper = Callable[[httpx.Response, datetime], ConnectorError]

# The platforms answer within seconds; a call stuck longer is better retried than waited on
# (X's CRC and LinkedIn's challenge deadlines are 10 s and 3 s for the same reason).
DEFAULT_TIMEOUT = 10.0


@functools.cache
def _tls() -> ssl.SSLContext:
    # Building a verifying TLS context reads the whole CA bundle (~70 ms); doing it for every
    # connector made each webhook delivery that slow just to check a signature (issue 8's burst
    # measured it). One context per process, shared: SSLContext is safe to share between clients.
    return httpx.create_ssl_context()


def utcnow() -> datetime:
    return datetime.now(UTC)


def body_json(response: httpx.Response) -> dict[str, Any]:
    """The response body as a JSON object, or {} when it is empty or not an object."""
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class PlatformClient:
    def __init__(
        self,
        base_url: str,
        *,
        parse_rate: RateParser,
        map_error: ErrorMapper,
        headers: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = utcnow,
        on_rate: Callable[[RateState], None] | None = None,
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=dict(headers or {}),
            timeout=timeout,
            transport=transport,
            verify=_tls(),
        )
        self._parse_rate = parse_rate
        self._map_error = map_error
        self._clock = clock
        self._on_rate = on_rate
        self.buckets: dict[str, RateState] = {}
        self.last_bucket = ""

    def now(self) -> datetime:
        return self._clock()

    def rate_state(self) -> RateState:
        """The bucket most recently spent (the one a person looking at the account cares about)."""
        return self.buckets.get(self.last_bucket, RateState())

    def set_rate(self, bucket: str, state: RateState) -> None:
        self.buckets[bucket] = state
        self.last_bucket = bucket
        if self._on_rate is not None:
            self._on_rate(state)

    def check_budget(self, bucket: str) -> None:
        state = self.buckets.get(bucket)
        now = self._clock()
        if state and state.remaining == 0 and state.resets_at and state.resets_at > now:
            raise RateLimited(
                f"rate limit for {bucket} spent until {state.resets_at.isoformat()}",
                retry_at=state.resets_at,
            )

    def request(
        self,
        method: str,
        path: str,
        *,
        bucket: str = "default",
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        self.check_budget(bucket)
        try:
            response = self._client.request(
                method, path, params=dict(params) if params else None, json=json_body, headers=headers
            )
        except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise Transient(f"{method} {path}: the platform could not be reached in time") from exc
        except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            # Sent, but no answer: the platform may have done it (see AnswerLost).
            raise AnswerLost(
                f"{method} {path}: the platform did not answer in time; it may have carried the request out"
            ) from exc
        except httpx.TransportError as exc:
            raise Transient(f"{method} {path}: connection failed ({type(exc).__name__})") from exc
        except httpx.InvalidURL as exc:
            # The path carries ids read from a signed but attacker-shaped payload ("/\x1f"): a
            # request that cannot even be built is refused like any malformed delivery.
            raise InvalidRequest(f"{method} {path!r}: not a valid URL ({exc})"[:300]) from exc
        now = self._clock()
        state = self._parse_rate(response.headers, now)
        if state is not None:
            self.set_rate(bucket, state)
        if response.status_code >= 400:
            error = self._map_error(response, now)
            if isinstance(error, RateLimited):
                # Remember it, so the next call waits without spending a request.
                self.set_rate(bucket, RateState(remaining=0, resets_at=error.retry_at, detail=str(error)))
            raise error
        return response

    def close(self) -> None:
        self._client.close()
