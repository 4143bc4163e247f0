"""Every connector keeps the one contract: all of ``base.Connector``, a capability set that
matches what it does (an action outside the set raises NotSupported without calling; one inside
it reaches the platform), and nobody offers ``report``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from civildesk.inbox.connectors import ReplyTarget
from civildesk.platforms import base
from civildesk.platforms.errors import NotSupported
from civildesk.platforms.registry import CLASSES
from tests.platforms.conftest import ACCOUNTS

PROTOCOL_MEMBERS = [
    name
    for name, _ in inspect.getmembers(base.Connector, predicate=inspect.isfunction)
    if not name.startswith("_")
]


def target(platform: str) -> ReplyTarget:
    if platform == "linkedin":
        return ReplyTarget(
            platform,
            ACCOUNTS[platform],
            "urn:li:comment:(urn:li:activity:7,9)",
            "comment",
            "p1",
            "urn:li:activity:7",
        )
    return ReplyTarget(platform, ACCOUNTS[platform], "c1", "comment", "u1", "post1")


ACTIONS: dict[str, Callable[[Any, ReplyTarget], Any]] = {
    base.REPLY_PUBLIC: lambda c, t: c.reply_public(t, "thanks"),
    base.REPLY_PRIVATE: lambda c, t: c.reply_private(t, "we have messaged you"),
    base.HIDE: lambda c, t: c.hide(t),
    base.DELETE: lambda c, t: c.delete(t),
    base.BLOCK: lambda c, t: c.block(t.author_id),
    base.MUTE: lambda c, t: c.mute(t.author_id),
    base.COMMENTS_TOGGLE: lambda c, t: c.set_comments(t.thread_id, False),
    base.PUBLISH: lambda c, t: c.publish(t.account_id, "news"),
}


@pytest.mark.parametrize("platform", sorted(CLASSES))
def test_each_connector_has_every_member_of_the_contract(platform):
    cls = CLASSES[platform]
    missing = [name for name in PROTOCOL_MEMBERS if not callable(getattr(cls, name, None))]
    assert missing == []
    assert cls.capabilities <= base.ALL_CAPABILITIES and base.REPORT not in cls.capabilities


@pytest.mark.parametrize(("platform", "capability"), [(p, c) for p in sorted(CLASSES) for c in ACTIONS])
def test_the_capability_set_tells_the_truth(
    platform, capability, connect, platform_simulator, windows, clock
):
    connector = connect(platform, clock=clock)
    if hasattr(connector, "sleep"):
        connector.sleep = lambda seconds: None
    t = target(platform)
    windows.times[(platform, t.account_id, t.message_id)] = clock.now
    if capability in connector.capabilities:
        if platform == "instagram" and capability == base.PUBLISH:
            connector.publish(t.account_id, "news", media_url="https://example.org/a.jpg")
        else:
            ACTIONS[capability](connector, t)
        assert platform_simulator.done(platform), f"{platform} {capability} reached nothing"
    else:
        with pytest.raises(NotSupported):
            ACTIONS[capability](connector, t)
        assert platform_simulator.recorded(platform) == []
