"""Issue 8: every platform's webhook parser, fed junk, either reads it or refuses it clearly.

The worker (``platforms.services.process``) treats a ``ConnectorError`` as a failed (or retried)
delivery and ``ValueError``/``KeyError``/``TypeError`` (``InvalidInbound`` is a ``ValueError``)
as "a payload the desk cannot read": kept, marked failed, shown in the admin. Anything else
escapes the worker's task, so for the parser it is a bug.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civildesk.inbox.connectors import ConnectorError
from civildesk.inbox.inbound import InboundMessage
from civildesk.platforms.common import ConnectorBase
from civildesk.platforms.registry import build
from civildesk.platforms.windows import MemoryWindowBook
from civildesk.simulator import payloads
from civildesk.simulator.accounts import credentials_for
from tests.fuzz.strategies import HUGE_TEXT, JSON, TEXT, mutated

ACCOUNTS = {"x": "4242", "facebook": "1001", "instagram": "17841", "linkedin": "urn:li:organization:5"}
PLATFORMS = tuple(ACCOUNTS)
# What services.process catches and turns into a visible failed delivery.
READABLE_REFUSALS = (ConnectorError, ValueError, KeyError, TypeError)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUICK = settings(FUZZ, max_examples=100)


class PlatformAnswers:
    """The platform's side of the follow-up calls some parsers make (an Instagram mention, a
    LinkedIn comment): each example chooses what the "platform" answers."""

    def __init__(self) -> None:
        self.status = 200
        self.body: Any = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, json=self.body)


ANSWERS = PlatformAnswers()
PLATFORM_ANSWER = st.tuples(
    st.sampled_from([200, 200, 200, 400, 404]),
    st.one_of(
        JSON,
        st.fixed_dictionaries(
            {
                "mentioned_comment": st.fixed_dictionaries({"id": JSON, "text": JSON, "from": JSON}),
                "commentary": JSON,
                "author": JSON,
                "message": JSON,
                "actor": JSON,
                "parentComment": JSON,
            }
        ),
    ),
)


@pytest.fixture(scope="module")
def connectors() -> Iterator[dict[str, ConnectorBase]]:
    # Built as tests/platforms/conftest.py builds them, but the HTTP side is a scripted
    # transport: the parser's follow-up calls get fuzzed answers and nothing leaves the process.
    made = {
        platform: build(
            platform,
            account,
            credentials_for(platform),
            base_url=f"https://{platform}.invalid",
            transport=httpx.MockTransport(ANSWERS),
            windows=MemoryWindowBook(),
        )
        for platform, account in ACCOUNTS.items()
    }
    yield made
    for connector in made.values():
        connector.close()


def read_or_refuse(connector: ConnectorBase, raw: bytes) -> None:
    """The property: a list of InboundMessage, or one of the refusals the worker handles."""
    try:
        messages = connector.parse_events(raw)
    except READABLE_REFUSALS as exc:
        assert str(exc) or isinstance(exc, KeyError), f"{type(exc).__name__} with no message"
        return
    assert isinstance(messages, list)
    assert all(isinstance(m, InboundMessage) for m in messages)


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def valid_payloads(platform: str) -> list[dict[str, Any]]:
    """One well-formed delivery per event shape the simulator knows for ``platform``."""
    account = ACCOUNTS[platform]
    if platform == "x":
        return [
            payloads.x_post_event(account, "111", "hello", "77", "someone", edit_history=["110", "111"]),
            payloads.x_post_event(
                account, "112", "re", "77", event_type="post.reply.create", in_reply_to="9"
            ),
            payloads.x_dm_event(account, "dm1", "a private word", "77", "someone"),
        ]
    if platform == "facebook":
        return [
            payloads.facebook_comment(account, "c1", "p1", "hello", "77", "Sam"),
            payloads.facebook_comment(account, "c2", "p1", "", "77", verb="remove", parent_id="c1"),
            payloads.meta_message("page", account, "m1", "hi", "77"),
            payloads.meta_message("page", account, "m1", "hi again", "77", edit=True),
        ]
    if platform == "instagram":
        return [
            payloads.instagram_comment(account, "c1", "media1", "hello", "77", parent_id="c0"),
            payloads.instagram_mention(account, "media1", "c9"),
            payloads.meta_message("instagram", account, "m1", "hi", "77", deleted=True),
        ]
    org = ACCOUNTS["linkedin"]
    comment = "urn:li:comment:(urn:li:activity:1,2)"
    return [
        payloads.linkedin_delivery(
            [
                payloads.linkedin_notification(org, "COMMENT", comment, "urn:li:share:1"),
                payloads.linkedin_notification(org, "SHARE_MENTION", "urn:li:share:3", ""),
                payloads.linkedin_notification(org, "COMMENT_DELETE", comment, "urn:li:share:1"),
            ]
        )
    ]


@pytest.mark.parametrize("platform", PLATFORMS)
@QUICK
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_are_read_or_refused(
    connectors: dict[str, ConnectorBase], platform: str, raw: bytes
) -> None:
    read_or_refuse(connectors[platform], raw)


@pytest.mark.parametrize("platform", PLATFORMS)
@QUICK
@given(value=JSON)
def test_arbitrary_json_is_read_or_refused(
    connectors: dict[str, ConnectorBase], platform: str, value: Any
) -> None:
    read_or_refuse(connectors[platform], dumps(value))


@pytest.mark.parametrize("platform", PLATFORMS)
@FUZZ
@given(data=st.data(), answer=PLATFORM_ANSWER)
def test_mangled_platform_payloads_are_read_or_refused(
    connectors: dict[str, ConnectorBase], platform: str, data: st.DataObject, answer: tuple[int, Any]
) -> None:
    ANSWERS.status, ANSWERS.body = answer
    original = data.draw(st.sampled_from(valid_payloads(platform)))
    changed = data.draw(mutated(original, st.one_of(JSON, HUGE_TEXT, TEXT)))
    read_or_refuse(connectors[platform], dumps(changed))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_unmangled_payloads_are_read(connectors: dict[str, ConnectorBase], platform: str) -> None:
    # The baseline the mutations start from: each shipped shape parses to at least one message
    # (otherwise the fuzzing above would only ever exercise the "ignore it" branch).
    ANSWERS.status = 200
    ANSWERS.body = {
        "mentioned_comment": {"id": "c9", "text": "hi", "from": {"id": "77"}, "username": "u"},
        "commentary": "hi",
        "author": "urn:li:person:7",
        "message": {"text": "hi"},
        "actor": "urn:li:person:7",
    }
    for payload in valid_payloads(platform):
        assert connectors[platform].parse_events(dumps(payload)), payload


# --- the bugs the fuzzing found, one minimal delivery each (fixed; regression tests) ---------------------------------------

NON_OBJECT = "parsers call .get() on any JSON value where they expect an object (AttributeError)"


@pytest.mark.parametrize(
    ("platform", "body"),
    [
        ("x", {"data": [None]}),
        ("facebook", {"object": "page", "entry": [0]}),
        ("instagram", {"object": "instagram", "entry": [0]}),
        ("linkedin", {"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "notifications": [0]}),
    ],
)
def test_an_event_that_is_not_an_object_is_refused_clearly(
    connectors: dict[str, ConnectorBase], platform: str, body: Any
) -> None:
    read_or_refuse_strictly(connectors[platform], dumps(body))


def test_a_linkedin_comment_whose_message_is_not_an_object_is_refused_clearly(
    connectors: dict[str, ConnectorBase],
) -> None:
    # The follow-up GET answers {"message": "hi"}: the parser reads message.text with .get().
    ANSWERS.status, ANSWERS.body = 200, {"message": "hi", "actor": "urn:li:person:7"}
    body = valid_payloads("linkedin")[0]
    read_or_refuse_strictly(connectors["linkedin"], dumps(body))


@pytest.mark.parametrize("timestamp", [1e30, "inf"])
def test_a_messenger_timestamp_out_of_range_is_refused_clearly(
    connectors: dict[str, ConnectorBase], timestamp: Any
) -> None:
    body = payloads.meta_message("page", ACCOUNTS["facebook"], "m1", "hi", "77")
    body["entry"][0]["messaging"][0]["timestamp"] = timestamp
    read_or_refuse_strictly(connectors["facebook"], dumps(body))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_body_nested_too_deeply_is_refused_clearly(
    connectors: dict[str, ConnectorBase], platform: str
) -> None:
    read_or_refuse_strictly(connectors[platform], b'{"data": ' + b"[" * 100_000)


def read_or_refuse_strictly(connector: ConnectorBase, raw: bytes) -> None:
    """The same property for one fixed example (no message-text check: KeyError may be bare)."""
    try:
        messages = connector.parse_events(raw)
    except READABLE_REFUSALS:
        return
    assert all(isinstance(m, InboundMessage) for m in messages)
