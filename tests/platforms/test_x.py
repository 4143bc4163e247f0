"""X contract: CRC check, signatures, every event kind, every action's request, every error."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from civildesk.inbox.connectors import ReplyTarget
from civildesk.platforms import base
from civildesk.platforms.errors import (
    AuthExpired,
    InvalidRequest,
    NotSupported,
    PermissionDenied,
    RateLimited,
    Transient,
)
from civildesk.simulator import payloads
from civildesk.simulator.signing import signature_headers
from civildesk.simulator.testing import SECRETS

ME = "4242"


def reply_to(message_id: str = "1790", author: str = "77", kind: str = "reply") -> ReplyTarget:
    return ReplyTarget("x", ME, message_id, kind, author, thread_id="1700")


def test_the_crc_check_answers_with_the_base64_hmac_of_the_token(connect):
    status, content_type, body = connect("x").handshake({"crc_token": "challenge-123"})
    expected = base64.b64encode(
        hmac.new(SECRETS["x"].encode(), b"challenge-123", hashlib.sha256).digest()
    ).decode()
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body) == {"response_token": f"sha256={expected}"}


def test_a_crc_check_without_a_token_is_refused(connect):
    assert connect("x").handshake({})[0] == 400


def test_a_signed_delivery_is_accepted_and_a_forged_or_unsigned_one_is_not(connect):
    x = connect("x")
    body = json.dumps(payloads.x_dm_event(ME, "9", "hello", "77")).encode()
    assert x.verify_signature(signature_headers("x", SECRETS["x"], body), body)
    assert not x.verify_signature(signature_headers("x", "someone-else", body), body)
    assert not x.verify_signature(signature_headers("x", SECRETS["x"], body), body + b" ")  # tampered
    assert not x.verify_signature({}, body)


def test_a_mention_becomes_a_mention_with_its_author(connect):
    body = json.dumps(payloads.x_post_event(ME, "1790", "@council the bins", "77", "sam_r")).encode()
    [message] = connect("x").parse_events(body)
    assert (message.platform, message.account_id, message.platform_id, message.kind) == (
        "x",
        ME,
        "1790",
        "mention",
    )
    assert (message.text, message.author_id, message.author_handle, message.event) == (
        "@council the bins",
        "77",
        "sam_r",
        "create",
    )
    assert message.created_at is not None and message.created_at.tzinfo is not None


def test_a_reply_names_the_post_it_answers(connect):
    event = payloads.x_post_event(
        ME, "1791", "no they were not", "78", event_type="post.reply.create", in_reply_to="1700"
    )
    [message] = connect("x").parse_events(json.dumps(event).encode())
    assert (message.kind, message.parent_id, message.thread_id) == ("reply", "1700", "1700")


def test_an_edited_post_is_an_edit_of_the_original_id(connect):
    event = payloads.x_post_event(ME, "1800", "corrected text", "77", edit_history=["1790", "1800"])
    [message] = connect("x").parse_events(json.dumps(event).encode())
    assert (message.platform_id, message.event, message.text) == ("1790", "edit", "corrected text")


def test_a_dm_becomes_a_dm_and_our_own_echo_is_ignored(connect):
    x = connect("x")
    [message] = x.parse_events(json.dumps(payloads.x_dm_event(ME, "555", "can you help", "77")).encode())
    assert (message.kind, message.platform_id, message.author_id, message.text) == (
        "dm",
        "555",
        "77",
        "can you help",
    )
    assert x.parse_events(json.dumps(payloads.x_dm_event(ME, "556", "our answer", ME)).encode()) == []


def test_events_that_are_not_messages_are_skipped(connect):
    event = payloads.x_post_event(ME, "1", "x", "77", event_type="follow.create")
    assert connect("x").parse_events(json.dumps(event).encode()) == []


def test_a_public_reply_posts_a_tweet_in_reply(connect, platform_simulator):
    sent = connect("x").reply_public(reply_to(), "Thanks, we have passed this on")
    [call] = platform_simulator.done("x", "reply")
    assert (call.method, call.path) == ("POST", "/2/tweets")
    assert call.body == {"text": "Thanks, we have passed this on", "reply": {"in_reply_to_tweet_id": "1790"}}
    assert call.headers["authorization"] == "Bearer sim-token-x"
    assert sent.platform_reply_id


def test_a_private_reply_is_a_dm_to_the_author(connect, platform_simulator):
    connect("x").reply_private(reply_to(), "We have messaged you")
    [call] = platform_simulator.done("x", "dm")
    assert (call.method, call.path, call.body) == (
        "POST",
        "/2/dm_conversations/with/77/messages",
        {"text": "We have messaged you"},
    )


def test_hide_and_unhide_set_the_reply_hidden_flag(connect, platform_simulator):
    x = connect("x")
    x.hide(reply_to())
    x.unhide(reply_to())
    [hide] = platform_simulator.done("x", "hide")
    [unhide] = platform_simulator.done("x", "unhide")
    assert (hide.method, hide.path, hide.body) == ("PUT", "/2/tweets/1790/hidden", {"hidden": True})
    assert unhide.body == {"hidden": False}


def test_mute_unmute_and_the_dm_block_x_allows(connect, platform_simulator):
    x = connect("x")
    x.mute("77")
    x.unmute("77")
    x.block("77")
    x.unblock("77")
    [mute] = platform_simulator.done("x", "mute")
    assert (mute.path, mute.body) == (f"/2/users/{ME}/muting", {"target_user_id": "77"})
    assert platform_simulator.done("x", "unmute")[0].path == f"/2/users/{ME}/muting/77"
    assert platform_simulator.done("x", "block")[0].path == "/2/users/77/dm/block"
    assert platform_simulator.done("x", "unblock")[0].path == "/2/users/77/dm/unblock"


def test_only_the_accounts_own_posts_can_be_deleted(connect, platform_simulator):
    x = connect("x")
    with pytest.raises(NotSupported):
        x.delete(reply_to(author="77"))
    x.delete(ReplyTarget("x", ME, "1700", "reply", ME))
    assert [a.path for a in platform_simulator.done("x", "delete")] == ["/2/tweets/1700"]


def test_publish_returns_the_new_post_id_and_comments_cannot_be_switched_off(connect, platform_simulator):
    x = connect("x")
    post_id = x.publish(ME, "Bin collections are running as normal")
    [call] = platform_simulator.done("x", "publish")
    assert call.body == {"text": "Bin collections are running as normal"} and post_id.isdigit()
    with pytest.raises(NotSupported):
        x.set_comments("1700", False)


def test_polling_mentions_moves_the_cursor_on(connect, platform_simulator):
    platform_simulator.x_mentions = [
        {"id": "2001", "text": "@council one", "author_id": "77", "created_at": "2026-12-01T10:00:00.000Z"},
        {"id": "2002", "text": "@council two", "author_id": "78", "created_at": "2026-12-01T10:01:00.000Z"},
    ]
    x = connect("x")
    page = x.poll_events("")
    assert [m.platform_id for m in page.messages] == ["2001", "2002"] and page.cursor == "2002"
    again = x.poll_events(page.cursor)
    assert again.messages == [] and again.cursor == "2002"
    assert platform_simulator.recorded("x", "poll")[-1].query["since_id"] == "2002"


def test_rate_headers_are_read_into_the_rate_state(connect):
    x = connect("x")
    assert x.rate_state() == base.RateState()
    x.hide(reply_to())
    state = x.rate_state()
    assert (state.limit, state.remaining) == (50, 49) and state.resets_at is not None


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("rate_limit", RateLimited),
        ("server_error", Transient),
        ("expired_token", AuthExpired),
        ("permission", PermissionDenied),
        ("invalid", InvalidRequest),
    ],
)
def test_each_x_error_maps_to_its_typed_error(connect, platform_simulator, fault, error):
    platform_simulator.inject("x", fault, op="hide")
    with pytest.raises(error):
        connect("x").hide(reply_to())


def test_a_429_carries_the_reset_time_and_the_next_call_waits_without_calling(connect, platform_simulator):
    platform_simulator.inject("x", "rate_limit", op="hide", retry_after=120)
    x = connect("x")
    with pytest.raises(RateLimited) as first:
        x.hide(reply_to())
    calls = len(platform_simulator.recorded("x"))
    with pytest.raises(RateLimited) as second:
        x.hide(reply_to())
    assert len(platform_simulator.recorded("x")) == calls  # no request spent
    assert second.value.retry_at == first.value.retry_at
    assert first.value.retryable


def test_a_platform_that_answers_too_late_is_a_transient_error(connect, platform_simulator):
    platform_simulator.inject("x", "timeout", op="hide", delay=1.0)
    with pytest.raises(Transient):
        connect("x", timeout=0.2).hide(reply_to())


def test_an_unreachable_platform_is_a_transient_error():
    from civildesk.platforms.x import XConnector
    from civildesk.simulator.testing import credentials_for

    x = XConnector(ME, credentials_for("x"), base_url="http://127.0.0.1:9", timeout=0.5)
    with pytest.raises(Transient):
        x.hide(reply_to())


def test_x_declares_what_it_can_do():
    from civildesk.platforms.x import XConnector

    assert base.HIDE in XConnector.capabilities and base.MUTE in XConnector.capabilities
    assert base.DELETE not in XConnector.capabilities and base.REPORT not in XConnector.capabilities
    assert base.COMMENTS_TOGGLE not in XConnector.capabilities
