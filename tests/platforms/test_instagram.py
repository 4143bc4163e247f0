"""Instagram contract: comments, replies, mentions (fetched back), DMs with edits and unsends;
hide, delete, comments off, block in a conversation, private replies, image posts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from civildesk.inbox.connectors import ReplyTarget
from civildesk.platforms import base
from civildesk.platforms.errors import (
    AuthExpired,
    InvalidRequest,
    NotSupported,
    PolicyWindowClosed,
    RateLimited,
)
from civildesk.simulator import payloads
from civildesk.simulator.signing import signature_headers
from civildesk.simulator.testing import SECRETS, VERIFY_TOKEN

IG = "17841"


def comment(message_id: str = "c1", kind: str = "comment") -> ReplyTarget:
    return ReplyTarget("instagram", IG, message_id, kind, "u5", thread_id="media1")


def test_verification_and_signatures_follow_facebooks(connect):
    ig = connect("instagram")
    assert ig.handshake({"hub.mode": "subscribe", "hub.challenge": "77", "hub.verify_token": VERIFY_TOKEN})[
        :2
    ] == (200, "text/plain")
    body = json.dumps(payloads.instagram_comment(IG, "c1", "media1", "hi", "u5")).encode()
    assert ig.verify_signature(signature_headers("instagram", SECRETS["instagram"], body), body)
    assert not ig.verify_signature(signature_headers("instagram", "forged", body), body)


def test_comments_and_replies(connect):
    ig = connect("instagram")
    [top] = ig.parse_events(
        json.dumps(payloads.instagram_comment(IG, "c1", "media1", "When is the fair?", "u5", "jo.b")).encode()
    )
    assert (top.kind, top.platform_id, top.thread_id, top.author_id, top.author_handle) == (
        "comment",
        "c1",
        "media1",
        "u5",
        "jo.b",
    )
    [reply] = ig.parse_events(
        json.dumps(payloads.instagram_comment(IG, "c2", "media1", "Saturday", "u6", parent_id="c1")).encode()
    )
    assert (reply.kind, reply.parent_id) == ("reply", "c1")


def test_a_mention_is_fetched_back_for_its_text_and_author(connect, platform_simulator):
    platform_simulator.instagram_mentions["c9"] = {
        "id": "c9",
        "text": "@council look at this",
        "username": "ann",
        "from": {"id": "u9", "username": "ann"},
    }
    [message] = connect("instagram").parse_events(
        json.dumps(payloads.instagram_mention(IG, "media7", "c9")).encode()
    )
    assert (message.kind, message.platform_id, message.text, message.author_id, message.thread_id) == (
        "mention",
        "c9",
        "@council look at this",
        "u9",
        "media7",
    )
    [lookup] = platform_simulator.done("instagram", "mention_lookup")
    assert lookup.path == f"/{IG}" and "mentioned_comment.comment_id(c9)" in lookup.query["fields"]


def test_a_mention_that_cannot_be_read_is_an_error_not_a_blank_message(connect):
    with pytest.raises(InvalidRequest):
        connect("instagram").parse_events(
            json.dumps(payloads.instagram_mention(IG, "media7", "missing")).encode()
        )


def test_dms_their_edits_and_unsends(connect):
    ig = connect("instagram")
    [dm] = ig.parse_events(json.dumps(payloads.meta_message("instagram", IG, "m1", "hello", "u5")).encode())
    [edit] = ig.parse_events(
        json.dumps(payloads.meta_message("instagram", IG, "m1", "hello there", "u5", edit=True)).encode()
    )
    [gone] = ig.parse_events(
        json.dumps(payloads.meta_message("instagram", IG, "m1", "", "u5", deleted=True)).encode()
    )
    assert [(m.kind, m.event) for m in (dm, edit, gone)] == [
        ("dm", "create"),
        ("dm", "edit"),
        ("dm", "delete"),
    ]


def test_reply_hide_delete_comments_off_and_block_requests(connect, platform_simulator):
    ig = connect("instagram")
    ig.reply_public(comment(), "Saturday 10-4")
    ig.hide(comment())
    ig.unhide(comment())
    ig.delete(comment())
    ig.set_comments("media1", False)
    ig.set_comments("media1", True)
    ig.block("u5")
    ig.unblock("u5")
    sim = platform_simulator
    assert (sim.done("instagram", "reply")[0].path, sim.done("instagram", "reply")[0].body) == (
        "/c1/replies",
        {"message": "Saturday 10-4"},
    )
    assert sim.done("instagram", "hide")[0].query == {"hide": "true"} and sim.done("instagram", "unhide")[
        0
    ].query == {"hide": "false"}
    assert sim.done("instagram", "delete")[0].path == "/c1"
    assert (
        sim.done("instagram", "comments_off")[0].path,
        sim.done("instagram", "comments_off")[0].query,
    ) == ("/media1", {"comment_enabled": "false"})
    assert sim.done("instagram", "comments_on")
    assert sim.done("instagram", "block")[0].body == {"user_ids": ["u5"], "actions": ["BLOCK_USER"]}
    assert sim.done("instagram", "unblock")[0].body == {"user_ids": ["u5"], "actions": ["UNBLOCK_USER"]}


def test_a_private_reply_to_a_comment_inside_the_window(connect, platform_simulator, windows, clock):
    windows.times[("instagram", IG, "c1")] = clock.now - timedelta(hours=1)
    connect("instagram", clock=clock).reply_private(comment(), "Sent you the link")
    [call] = platform_simulator.done("instagram", "private_reply")
    assert (call.path, call.body["recipient"]) == (f"/{IG}/messages", {"comment_id": "c1"})
    with pytest.raises(PolicyWindowClosed):
        connect("instagram", clock=clock).reply_private(comment(), "again")


def test_an_image_post_creates_a_container_waits_for_it_and_publishes(connect, platform_simulator):
    ig = connect("instagram")
    ig.sleep = lambda seconds: None  # type: ignore[method-assign]
    platform_simulator.container_status = {}
    media_id = ig.publish(IG, "Summer fair on Saturday #community", media_url="https://example.org/fair.jpg")
    [container] = platform_simulator.done("instagram", "media_container")
    [publish] = platform_simulator.done("instagram", "publish")
    assert container.body == {
        "image_url": "https://example.org/fair.jpg",
        "caption": "Summer fair on Saturday #community",
    }
    assert (
        publish.body == {"creation_id": "container-" + publish.body["creation_id"].split("-")[1]} and media_id
    )


def test_a_container_still_in_progress_is_checked_again(connect, platform_simulator):
    ig = connect("instagram")
    waits: list[float] = []
    ig.sleep = waits.append  # type: ignore[method-assign,assignment]
    original = platform_simulator.handle

    def handle(method, raw_path, headers, raw_body):  # type: ignore[no-untyped-def]
        reply, delay = original(method, raw_path, headers, raw_body)
        if (
            isinstance(reply.body, dict)
            and str(reply.body.get("id", "")).startswith("container-")
            and method == "POST"
        ):
            platform_simulator.container_status[reply.body["id"]] = ["IN_PROGRESS", "IN_PROGRESS"]
        return reply, delay

    platform_simulator.handle = handle  # type: ignore[method-assign]
    ig.publish(IG, "caption", media_url="https://example.org/a.jpg")
    assert waits == [1.0, 2.0] and len(platform_simulator.done("instagram", "media_status")) == 3


def test_instagram_limits_are_checked_before_calling(connect, platform_simulator):
    ig = connect("instagram")
    with pytest.raises(InvalidRequest, match="image"):
        ig.publish(IG, "text only")
    with pytest.raises(InvalidRequest, match="2200"):
        ig.publish(IG, "x" * 2201, media_url="https://example.org/a.jpg")
    with pytest.raises(InvalidRequest, match="hashtags"):
        ig.publish(IG, " ".join(f"#tag{i}" for i in range(31)), media_url="https://example.org/a.jpg")
    assert platform_simulator.recorded("instagram") == []


def test_expired_tokens_and_throttling(connect, platform_simulator):
    platform_simulator.inject("instagram", "expired_token", op="hide")
    platform_simulator.inject("instagram", "rate_limit", op="delete")
    ig = connect("instagram")
    with pytest.raises(AuthExpired):
        ig.hide(comment())
    with pytest.raises(RateLimited):
        ig.delete(comment())


def test_instagram_cannot_mute(connect):
    with pytest.raises(NotSupported):
        connect("instagram").mute("u5")
    assert base.COMMENTS_TOGGLE in connect("instagram").capabilities
