"""Facebook Pages contract: hub.challenge, X-Hub-Signature-256, feed comments and Messenger,
hide/delete/ban, private replies inside Meta's windows, usage headers and Graph error codes."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from civildesk.inbox.connectors import ReplyTarget
from civildesk.platforms import base
from civildesk.platforms.errors import (
    AuthExpired,
    InvalidRequest,
    NotSupported,
    PermissionDenied,
    PolicyWindowClosed,
    RateLimited,
    Transient,
)
from civildesk.simulator import payloads
from civildesk.simulator.signing import signature_headers
from civildesk.simulator.testing import SECRETS, VERIFY_TOKEN

PAGE = "1001"


def comment(message_id: str = "p1_c1", author: str = "u7", kind: str = "comment") -> ReplyTarget:
    return ReplyTarget("facebook", PAGE, message_id, kind, author, thread_id="p1")


def test_the_subscription_check_echoes_the_challenge_only_with_our_verify_token(connect):
    fb = connect("facebook")
    assert fb.handshake(
        {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_TOKEN}
    ) == (200, "text/plain", "1158201444")
    assert (
        fb.handshake({"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "guess"})[0]
        == 403
    )
    assert (
        fb.handshake({"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN})[0]
        == 403
    )


def test_the_signature_is_the_hex_hmac_of_the_raw_body(connect):
    fb = connect("facebook")
    body = json.dumps(payloads.facebook_comment(PAGE, "p1_c1", "p1", "hello", "u7")).encode()
    by_hand = "sha256=" + hmac.new(SECRETS["facebook"].encode(), body, hashlib.sha256).hexdigest()
    assert fb.verify_signature({"x-hub-signature-256": by_hand}, body)
    assert not fb.verify_signature(signature_headers("facebook", "wrong", body), body)
    assert not fb.verify_signature({"X-Hub-Signature-256": by_hand}, body.replace(b"hello", b"HELLO"))
    assert not fb.verify_signature({}, body)


def test_a_new_comment_an_edit_and_a_removal(connect):
    fb = connect("facebook")
    [new] = fb.parse_events(
        json.dumps(
            payloads.facebook_comment(PAGE, "p1_c1", "p1", "Potholes on Mill Lane", "u7", "Sam Reed")
        ).encode()
    )
    assert (new.kind, new.platform_id, new.thread_id, new.parent_id, new.event) == (
        "comment",
        "p1_c1",
        "p1",
        "",
        "create",
    )
    assert (new.author_id, new.author_name, new.text) == ("u7", "Sam Reed", "Potholes on Mill Lane")
    [edit] = fb.parse_events(
        json.dumps(payloads.facebook_comment(PAGE, "p1_c1", "p1", "Potholes!", "u7", verb="edited")).encode()
    )
    assert (edit.event, edit.text) == ("edit", "Potholes!")
    [gone] = fb.parse_events(
        json.dumps(payloads.facebook_comment(PAGE, "p1_c1", "p1", "", "u7", verb="remove")).encode()
    )
    assert (gone.event, gone.platform_id) == ("delete", "p1_c1")


def test_a_reply_to_a_comment_names_its_parent(connect):
    body = payloads.facebook_comment(PAGE, "p1_c2", "p1", "agreed", "u8", parent_id="p1_c1")
    [message] = connect("facebook").parse_events(json.dumps(body).encode())
    assert (message.kind, message.parent_id) == ("reply", "p1_c1")


def test_the_pages_own_comments_and_hide_echoes_are_not_messages(connect):
    fb = connect("facebook")
    assert (
        fb.parse_events(
            json.dumps(payloads.facebook_comment(PAGE, "p1_c3", "p1", "our reply", PAGE)).encode()
        )
        == []
    )
    assert (
        fb.parse_events(
            json.dumps(payloads.facebook_comment(PAGE, "p1_c1", "p1", "x", "u7", verb="hide")).encode()
        )
        == []
    )
    assert fb.parse_events(json.dumps({"object": "instagram", "entry": []}).encode()) == []


def test_messenger_messages_and_their_edits(connect):
    fb = connect("facebook")
    [dm] = fb.parse_events(
        json.dumps(payloads.meta_message("page", PAGE, "m_1", "Is the tip open?", "psid9")).encode()
    )
    assert (dm.kind, dm.platform_id, dm.author_id, dm.text, dm.event) == (
        "dm",
        "m_1",
        "psid9",
        "Is the tip open?",
        "create",
    )
    [edit] = fb.parse_events(
        json.dumps(
            payloads.meta_message("page", PAGE, "m_1", "Is the tip open today?", "psid9", edit=True)
        ).encode()
    )
    assert (edit.event, edit.text) == ("edit", "Is the tip open today?")
    echo = payloads.meta_message("page", PAGE, "m_2", "Yes", "psid9")
    echo["entry"][0]["messaging"][0]["message"]["is_echo"] = True
    assert fb.parse_events(json.dumps(echo).encode()) == []


def test_reply_hide_unhide_delete_ban_and_publish_requests(connect, platform_simulator):
    fb = connect("facebook")
    fb.reply_public(comment(), "Thanks, reported to highways")
    fb.hide(comment())
    fb.unhide(comment())
    fb.delete(comment())
    fb.block("u7")
    fb.unblock("u7")
    post_id = fb.publish(PAGE, "Road closure on Mill Lane")
    sim = platform_simulator
    assert (sim.done("facebook", "reply")[0].path, sim.done("facebook", "reply")[0].body) == (
        "/p1_c1/comments",
        {"message": "Thanks, reported to highways"},
    )
    assert (sim.done("facebook", "hide")[0].path, sim.done("facebook", "hide")[0].query) == (
        "/p1_c1",
        {"is_hidden": "true"},
    )
    assert sim.done("facebook", "unhide")[0].query == {"is_hidden": "false"}
    assert (sim.done("facebook", "delete")[0].method, sim.done("facebook", "delete")[0].path) == (
        "DELETE",
        "/p1_c1",
    )
    assert (sim.done("facebook", "block")[0].path, sim.done("facebook", "block")[0].body) == (
        f"/{PAGE}/blocked",
        {"user": ["u7"]},
    )
    assert (sim.done("facebook", "unblock")[0].method, sim.done("facebook", "unblock")[0].query) == (
        "DELETE",
        {"user": "u7"},
    )
    assert sim.done("facebook", "publish")[0].body == {
        "message": "Road closure on Mill Lane"
    } and post_id.startswith(PAGE)
    assert all(a.headers["authorization"] == "Bearer sim-token-facebook" for a in sim.recorded("facebook"))


def test_a_private_reply_goes_once_within_seven_days(connect, platform_simulator, windows, clock):
    fb = connect("facebook", clock=clock)
    windows.times[("facebook", PAGE, "p1_c1")] = clock.now - timedelta(days=6)
    fb.reply_private(comment(), "We have sent you the form")
    [call] = platform_simulator.done("facebook", "private_reply")
    assert (call.path, call.body) == (
        f"/{PAGE}/messages",
        {"recipient": {"comment_id": "p1_c1"}, "message": {"text": "We have sent you the form"}},
    )
    with pytest.raises(PolicyWindowClosed, match="already"):
        fb.reply_private(comment(), "a second one")
    assert len(platform_simulator.recorded("facebook", "private_reply")) == 1  # refused before calling


def test_a_private_reply_after_seven_days_is_refused_before_calling(
    connect, platform_simulator, windows, clock
):
    windows.times[("facebook", PAGE, "p1_c1")] = clock.now - timedelta(days=7, minutes=1)
    with pytest.raises(PolicyWindowClosed, match="7 days"):
        connect("facebook", clock=clock).reply_private(comment(), "too late")
    assert platform_simulator.recorded("facebook") == []


def test_a_dm_only_within_24_hours_of_the_persons_last_message(connect, platform_simulator, windows, clock):
    fb = connect("facebook", clock=clock)
    target = ReplyTarget("facebook", PAGE, "m_1", "dm", "psid9")
    with pytest.raises(PolicyWindowClosed, match="not messaged"):
        fb.reply_private(target, "hello")
    windows.dms[("facebook", PAGE, "psid9")] = clock.now - timedelta(hours=25)
    with pytest.raises(PolicyWindowClosed, match="24 hours"):
        fb.reply_private(target, "hello")
    windows.dms[("facebook", PAGE, "psid9")] = clock.now - timedelta(hours=23)
    fb.reply_private(target, "hello")
    [call] = platform_simulator.done("facebook", "dm")
    assert call.body == {
        "recipient": {"id": "psid9"},
        "messaging_type": "RESPONSE",
        "message": {"text": "hello"},
    }


def test_the_platforms_own_window_refusal_maps_to_policy_window_closed(
    connect, platform_simulator, windows, clock
):
    windows.dms[("facebook", PAGE, "psid9")] = clock.now
    platform_simulator.inject("facebook", "window_closed", op="dm")
    with pytest.raises(PolicyWindowClosed):
        connect("facebook", clock=clock).reply_private(
            ReplyTarget("facebook", PAGE, "m_1", "dm", "psid9"), "hello"
        )


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
def test_each_graph_error_maps_to_its_typed_error(connect, platform_simulator, fault, error):
    platform_simulator.inject("facebook", fault, op="hide")
    with pytest.raises(error):
        connect("facebook").hide(comment())


def test_throttling_reads_the_business_use_case_header_for_the_wait(connect, platform_simulator, clock):
    platform_simulator.inject("facebook", "rate_limit", op="hide", retry_after=600)
    fb = connect("facebook", clock=clock)
    with pytest.raises(RateLimited) as caught:
        fb.hide(comment())
    assert caught.value.retry_at == clock.now + timedelta(minutes=10)
    assert fb.rate_state().remaining == 0


def test_usage_headers_become_the_rate_state(connect):
    fb = connect("facebook")
    fb.hide(comment())
    assert (fb.rate_state().limit, fb.rate_state().remaining) == (100, 99)
    fb.unhide(comment())
    assert fb.rate_state().remaining == 98 and "2% of the app's hourly budget" in fb.rate_state().detail


def test_facebook_cannot_mute_or_switch_comments_off(connect):
    fb = connect("facebook")
    with pytest.raises(NotSupported):
        fb.mute("u7")
    with pytest.raises(NotSupported):
        fb.set_comments("p1", False)
    with pytest.raises(NotSupported):
        fb.poll_events("")
    assert (
        base.MUTE not in fb.capabilities
        and base.HIDE in fb.capabilities
        and base.REPORT not in fb.capabilities
    )


def test_a_delivery_for_another_of_the_apps_pages_is_filed_under_that_page(connect):
    body = payloads.facebook_comment("2002", "p9_c1", "p9", "On the other page", "u7")
    [message] = connect("facebook").parse_events(json.dumps(body).encode())
    assert message.account_id == "2002"


def test_the_platform_itself_refuses_a_second_private_reply(connect, platform_simulator, clock):
    from civildesk.platforms.windows import MemoryWindowBook

    for attempt in range(2):
        # A desk that forgot the first reply (a fresh book) still cannot send a second one.
        book = MemoryWindowBook(times={("facebook", PAGE, "p1_c1"): clock.now})
        fb = connect("facebook", clock=clock, windows=book)
        if attempt == 0:
            fb.reply_private(comment(), "first")
        else:
            with pytest.raises(PolicyWindowClosed):
                fb.reply_private(comment(), "second")
    assert len(platform_simulator.done("facebook", "private_reply")) == 1
