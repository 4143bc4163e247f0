"""LinkedIn contract: challengeCode, X-LI-Signature, notifications (comments, replies, mentions,
edits, deletions) fetched back, polling, reply/delete/comments off/publish, version headers,
errors and the back-off LinkedIn needs because it sends no rate headers."""

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
    RateLimited,
    Transient,
)
from civildesk.simulator import payloads
from civildesk.simulator.scenario import build_event
from civildesk.simulator.signing import signature_headers
from civildesk.simulator.testing import SECRETS

ORG = "urn:li:organization:5"
POST = "urn:li:activity:700"
COMMENT = f"urn:li:comment:({POST},9)"


def target(message_id: str = COMMENT, kind: str = "comment") -> ReplyTarget:
    return ReplyTarget("linkedin", ORG, message_id, kind, "urn:li:person:p1", thread_id=POST)


def test_the_challenge_is_answered_with_the_hex_hmac(connect):
    status, content_type, body = connect("linkedin").handshake({"challengeCode": "890e4f2a"})
    expected = hmac.new(SECRETS["linkedin"].encode(), b"890e4f2a", hashlib.sha256).hexdigest()
    assert (status, content_type, json.loads(body)) == (
        200,
        "application/json",
        {"challengeCode": "890e4f2a", "challengeResponse": expected},
    )
    assert connect("linkedin").handshake({})[0] == 400


def test_the_signature_covers_the_prefix_and_the_raw_body(connect):
    li = connect("linkedin")
    body = json.dumps(payloads.linkedin_delivery([])).encode()
    by_hand = hmac.new(SECRETS["linkedin"].encode(), b"hmacsha256=" + body, hashlib.sha256).hexdigest()
    assert li.verify_signature({"X-LI-Signature": by_hand}, body)
    assert not li.verify_signature(
        {"X-LI-Signature": hmac.new(SECRETS["linkedin"].encode(), body, hashlib.sha256).hexdigest()}, body
    )
    assert not li.verify_signature(signature_headers("linkedin", "forged", body), body)
    assert not li.verify_signature({}, body)


def deliver(li, sim, **step):  # type: ignore[no-untyped-def]
    return li.parse_events(json.dumps(build_event(sim, "linkedin", ORG, step)).encode())


def test_a_comment_is_fetched_back_for_its_text_and_author(connect, platform_simulator):
    li = connect("linkedin")
    [message] = deliver(
        li,
        platform_simulator,
        event="comment",
        id="9",
        post="700",
        text="Great news for the town",
        author="p1",
    )
    assert (message.kind, message.platform_id, message.thread_id, message.event) == (
        "comment",
        COMMENT,
        POST,
        "create",
    )
    assert (message.text, message.author_id) == ("Great news for the town", "urn:li:person:p1")
    [fetch] = platform_simulator.done("linkedin", "fetch_comment")
    assert fetch.path == f"/rest/socialActions/{POST}/comments/9"
    assert fetch.headers["linkedin-version"] and fetch.headers["x-restli-protocol-version"] == "2.0.0"


def test_replies_mentions_edits_and_deletions(connect, platform_simulator):
    li = connect("linkedin")
    [reply] = deliver(
        li, platform_simulator, event="reply", id="10", post="700", parent="9", text="Agreed", author="p2"
    )
    assert (reply.kind, reply.parent_id) == ("reply", COMMENT)
    [mention] = deliver(li, platform_simulator, event="mention", id="88", text="Thanks @Council", author="p3")
    assert (mention.kind, mention.platform_id, mention.text, mention.author_id) == (
        "mention",
        "urn:li:share:88",
        "Thanks @Council",
        "urn:li:person:p3",
    )
    [edit] = deliver(
        li, platform_simulator, event="comment_edit", id="9", post="700", text="Great news!", author="p1"
    )
    assert (edit.event, edit.text, edit.platform_id) == ("edit", "Great news!", COMMENT)
    [gone] = deliver(li, platform_simulator, event="comment_delete", id="9", post="700")
    assert (gone.event, gone.platform_id, gone.author_id) == ("delete", COMMENT, "unknown")


def test_likes_and_other_notifications_are_not_messages(connect):
    note = payloads.linkedin_notification(ORG, "LIKE", "urn:li:like:1", POST)
    assert connect("linkedin").parse_events(json.dumps(payloads.linkedin_delivery([note])).encode()) == []


def test_polling_returns_notifications_after_the_cursor(connect, platform_simulator):
    li = connect("linkedin")
    build_event(
        platform_simulator,
        "linkedin",
        ORG,
        {"event": "comment", "id": "9", "post": "700", "text": "one", "author": "p1"},
    )
    page = li.poll_events("")
    assert [m.platform_id for m in page.messages] == [COMMENT] and page.cursor
    assert li.poll_events(page.cursor).messages == []
    [first, second] = platform_simulator.done("linkedin", "poll")
    assert first.query["organizationalEntity"] == ORG and first.query["q"] == "criteria"
    assert second.query["timeRange"] == f"(start:{int(page.cursor) + 1})"


def test_reply_delete_comments_off_and_publish_requests(connect, platform_simulator):
    li = connect("linkedin")
    sent = li.reply_public(target(), "Thank you")
    li.reply_public(target("urn:li:share:88", kind="mention"), "Thanks for the mention")
    li.delete(target())
    li.set_comments(POST, False)
    post_urn = li.publish(ORG, "New library opening hours")
    sim = platform_simulator
    first, second = sim.done("linkedin", "reply")
    assert first.path == f"/rest/socialActions/{COMMENT}/comments"
    assert first.body == {
        "actor": ORG,
        "message": {"text": "Thank you"},
        "object": POST,
        "parentComment": COMMENT,
    }
    assert (
        second.path == "/rest/socialActions/urn:li:share:88/comments"
        and second.body["object"] == "urn:li:share:88"
    )
    assert sent.platform_reply_id.startswith("urn:li:comment:(")
    [delete] = sim.done("linkedin", "delete")
    assert (delete.method, delete.path, delete.query) == (
        "DELETE",
        f"/rest/socialActions/{POST}/comments/9",
        {"actor": ORG},
    )
    [off] = sim.done("linkedin", "comments_off")
    assert (
        off.body == {"patch": {"$set": {"commentsState": "CLOSED"}}}
        and off.headers["x-restli-method"] == "PARTIAL_UPDATE"
    )
    [publish] = sim.done("linkedin", "publish")
    assert publish.body["author"] == ORG and publish.body["commentary"] == "New library opening hours"
    assert publish.body["lifecycleState"] == "PUBLISHED" and post_urn.startswith("urn:li:share:")


def test_linkedin_cannot_hide_block_mute_or_dm(connect):
    li = connect("linkedin")
    for call in (
        lambda: li.hide(target()),
        lambda: li.block("p1"),
        lambda: li.mute("p1"),
        lambda: li.reply_private(target(), "hi"),
    ):
        with pytest.raises(NotSupported):
            call()
    assert li.capabilities == frozenset({base.REPLY_PUBLIC, base.DELETE, base.COMMENTS_TOGGLE, base.PUBLISH})


def test_a_malformed_comment_urn_is_refused_before_calling(connect, platform_simulator):
    with pytest.raises(InvalidRequest):
        connect("linkedin").delete(target("urn:li:share:1"))
    assert platform_simulator.recorded("linkedin") == []


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("rate_limit", RateLimited),
        ("server_error", Transient),
        ("timeout", Transient),
        ("expired_token", AuthExpired),
        ("permission", PermissionDenied),
        ("invalid", InvalidRequest),
    ],
)
def test_each_linkedin_error_maps_to_its_typed_error(connect, platform_simulator, fault, error):
    platform_simulator.inject("linkedin", fault, op="delete", delay=0)
    with pytest.raises(error):
        connect("linkedin").delete(target())


def test_without_rate_headers_each_429_doubles_the_wait_and_success_resets_it(
    connect, platform_simulator, clock
):
    platform_simulator.inject("linkedin", "rate_limit", op="delete", times=3)
    li = connect("linkedin", clock=clock)
    waits = []
    for _ in range(3):
        with pytest.raises(RateLimited) as caught:
            li.delete(target())
        waits.append(caught.value.retry_at - clock.now)
        clock.now = caught.value.retry_at
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    li.delete(target())
    assert li.strikes == 0


def test_the_back_off_never_waits_past_the_daily_reset(connect, platform_simulator, clock):
    clock.now = clock.now.replace(hour=23, minute=59, second=30, microsecond=0)
    platform_simulator.inject("linkedin", "rate_limit", op="delete")
    with pytest.raises(RateLimited) as caught:
        connect("linkedin", clock=clock).delete(target())
    assert caught.value.retry_at == (clock.now + timedelta(days=1)).replace(hour=0, minute=0, second=0)
