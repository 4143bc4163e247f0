"""Platforms misbehave: one call in five fails (a 429 rate limit, a 5xx, or an answer so slow the
desk gives up), and the Instagram account's access token has expired. A busy morning's work goes
through the real connectors to the platform simulator anyway: moderators hide, delete, block and
mute; officers reply; scheduled posts fall due. The task queue runs in this process while the
clock moves on, so retries wait their back-off and rate-limit resets as they would in production.

The promise: every action ends applied, sent or published, or as a failure a person can see with
the platform's reason; and the simulator never records the same post, reply or hide twice.

The nastiest timeout gets its own test: the platform publishes, but its answer arrives after the
desk gave up. Retrying would post twice, so the desk leaves the post "in doubt" for a person."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from civildesk.devtools.testing import at
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import Account, Message, Reply
from civildesk.inbox.services import ReplyRejected, send_reply
from civildesk.inbox.worker import run_ready_tasks
from civildesk.moderation import services as moderation
from civildesk.moderation.models import AuthorNotice, ModerationAction
from civildesk.platforms import registry
from civildesk.platforms.models import PlatformAccount
from civildesk.publishing import services as publishing
from civildesk.publishing.models import PostTarget
from civildesk.simulator.server import Fault, Simulator
from civildesk.simulator.testing import credentials_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

FAULT_RATE = 0.2
# The desk gives up on a platform after this long (10 s in production), and a "timeout" fault
# answers later than that, so the timeouts here are real client-side timeouts, only shorter.
CLIENT_TIMEOUT = 0.3
ACCOUNTS = {"facebook": "1001", "x": "4242", "instagram": "17841"}
EXPIRED = "instagram"
_ids = itertools.count(1)


class FlakySimulator(Simulator):
    """The simulator with one call in five failing at random (seeded, so a failure reproduces),
    and every call to the expired account refused with the platform's expired-token error."""

    def __init__(self, rate: float, seed: int) -> None:
        super().__init__()
        self.rate = rate
        self.rng = random.Random(seed)
        self.injected: Counter[str] = Counter()

    def _take_fault(self, platform: str, op: str) -> Fault | None:
        if op in ("unknown", "unauthenticated", "invalid"):
            return None
        if platform == EXPIRED:
            self.injected["expired_token"] += 1
            return Fault(platform, op, "expired_token")
        with self.lock:
            if self.rng.random() >= self.rate:
                return None
            kind = self.rng.choice(("rate_limit", "server_error", "timeout"))
        self.injected[kind] += 1
        return Fault(platform, op, kind, retry_after=60, delay=CLIENT_TIMEOUT * 3)


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch, settings: Any, db: Any) -> Iterator[FlakySimulator]:
    sim = FlakySimulator(FAULT_RATE, seed=20261207).start()
    original = registry.build
    monkeypatch.setattr(registry, "build", lambda *a, **kw: original(*a, **{**kw, "timeout": CLIENT_TIMEOUT}))
    settings.CIVILDESK_MODERATION_CONNECTOR = "civildesk.platforms.connector_for"
    settings.CIVILDESK_PUBLISH_CONNECTOR = ""  # the default: civildesk.platforms.connector_for
    for platform, account_id in ACCOUNTS.items():
        account = PlatformAccount(
            platform=platform, account_id=account_id, api_base_url=sim.base_url(platform)
        )
        account.set_credentials(credentials_for(platform))
        account.save()
    try:
        yield sim
    finally:
        sim.stop()


def person(username: str, role: str) -> Any:
    from civildesk.web.models import StaffProfile

    user = get_user_model().objects.create_user(username, password="correct horse battery staple")
    StaffProfile.objects.create(user=user, role=role)
    user.refresh_from_db()
    return user


class Clock:
    """Runs the task queue the way a worker would, with the desk's clock moving on between
    rounds so back-offs and rate-limit waits pass without the test waiting for them."""

    def __init__(self, capture: Any) -> None:
        self.now = timezone.now()
        self.capture = capture

    def run(self, fn: Callable[[], Any]) -> Any:
        with at(self.now), self.capture(execute=True):
            return fn()

    def settle(self, step: timedelta = timedelta(minutes=10), rounds: int = 30) -> None:
        for _ in range(rounds):
            while self.run(run_ready_tasks):
                pass
            if not self.due_today():
                return
            self.now += step
        raise AssertionError(f"tasks still queued after the clock moved on: {self.due_today()}")

    def due_today(self) -> list[str]:
        # A temporary block's end is queued for days ahead; that one is meant to wait.
        return list(
            DBTaskResult.objects.filter(
                status=TaskResultStatus.READY, run_after__lte=self.now + timedelta(days=1)
            ).values_list("task_path", flat=True)
        )


@pytest.fixture
def clock(django_capture_on_commit_callbacks: Any) -> Clock:
    return Clock(django_capture_on_commit_callbacks)


def arrive(clock: Clock, platform: str, text: str, kind: str = "comment") -> Message:
    n = next(_ids)
    result = clock.run(
        lambda: ingest(
            InboundMessage(
                platform=platform,
                account_id=ACCOUNTS[platform],
                platform_id=f"{platform}-m{n}",
                kind=kind,
                text=text,
                author_id=f"{platform}-author-{n}",
                author_handle=f"writer{n}",
                created_at=clock.now - timedelta(minutes=5),
            ),
            now=clock.now,
        )
    )
    return Message.objects.select_related("account", "author").get(pk=result.message_id)


def reloaded(messages: list[Message]) -> list[Message]:
    return [Message.objects.select_related("account", "author", "decision").get(pk=m.pk) for m in messages]


def explained(error: str) -> bool:
    # The platform's own reason, typed: "RateLimited: ...", "AuthExpired: ...", "Transient: ...".
    return bool(error.strip()) and ":" in error


def test_a_busy_morning_against_flaky_platforms_loses_nothing_and_sends_nothing_twice(
    flaky: FlakySimulator, clock: Clock, engine: Any
) -> None:
    officer, moderator = person("olu.officer", "officer"), person("mina.moderator", "moderator")

    # Abuse arrives on every account; each moderation action is proposed and approved.
    abusive = {
        p: [arrive(clock, p, f"you are all idiots at that clinic ({i})") for i in range(8)] for p in ACCOUNTS
    }
    clock.settle()  # classified: each carries an abuse label, so removal is allowed
    actions: list[ModerationAction] = []
    for platform, messages in abusive.items():
        for i, msg in enumerate(reloaded(messages)):
            if i < 5:
                actions.append(clock.run(lambda m=msg: moderation.do_hide(m, officer, reason="abusive")))
            elif i == 5 and platform != "x":  # X deletes only the account's own posts
                actions.append(clock.run(lambda m=msg: moderation.do_delete(m, officer, reason="abusive")))
            elif i == 6:
                actions.append(
                    clock.run(
                        lambda m=msg: moderation.do_block(m.author, officer, message=m, reason="abusive")
                    )
                )
            else:
                actions.append(
                    clock.run(
                        lambda m=msg: moderation.do_mute(m.author, officer, message=m, reason="abusive")
                    )
                )
    for action in actions:
        clock.run(lambda a=action: moderation.do_approve(a, moderator))

    # Officers answer questions while that is going on.
    questions = [
        arrive(clock, p, f"when does the clinic open on Saturday {i}?") for p in ACCOUNTS for i in range(4)
    ]
    clock.settle()
    for msg in reloaded(questions):
        clock.run(lambda m=msg: send_reply(m, officer, "We open at 9am on Saturdays.", visibility="public"))

    # Posts scheduled for later this morning, on every account.
    accounts = list(Account.objects.filter(platform__in=["x", "facebook"]))
    posts = [
        clock.run(
            lambda i=i: publishing.create_post(
                officer,
                publishing.Draft(
                    text=f"Flu clinics run all week at the main hospital (update {i})",
                    account_ids=tuple(a.pk for a in accounts),
                    scheduled_at=clock.now + timedelta(minutes=15 + i),
                ),
                now=clock.now,
            )
        )
        for i in range(5)
    ]

    clock.now += timedelta(minutes=20)
    clock.settle()

    # The faults really happened, of every kind.
    assert set(flaky.injected) == {"rate_limit", "server_error", "timeout", "expired_token"}, flaky.injected

    # Moderation: applied, or failed with the platform's reason on the action, or a human task
    # that says why (a platform without that API); nothing left half-way.
    by_state: Counter[str] = Counter()
    for action in ModerationAction.objects.select_related("message"):
        by_state[action.state] += 1
        assert action.state in {"applied", "failed", "human_task"}, (action.pk, action.state, action.error)
        if action.state == "failed":
            assert explained(action.error), action.error
        if action.state == "human_task":
            assert action.human_task.strip()
        platform = action.message.platform if action.message else action.author.platform
        if platform == EXPIRED and action.state == "failed":
            assert "AuthExpired" in action.error  # the person sees the token needs renewing
    expired_actions = ModerationAction.objects.filter(message__platform=EXPIRED, kind__in=["hide", "delete"])
    assert set(expired_actions.values_list("state", flat=True)) == {"failed"}
    assert by_state["applied"] >= 10  # the healthy accounts' actions went through despite the faults

    # Notices to the authors of hidden messages: sent, or not sent with the reason recorded.
    for notice in AuthorNotice.objects.all():
        assert notice.status in {"sent", "not_sent"}, (notice.pk, notice.status, notice.reason)
        if notice.status == "not_sent":
            assert notice.reason.strip()

    # Replies: sent, or recorded as failed with the reason, or, when the platform's answer was
    # lost (it may have posted), unconfirmed for a person to check; the message still waiting.
    for reply in Reply.objects.select_related("message"):
        assert reply.status in {"sent", "failed", "unconfirmed"}
        if reply.status in {"failed", "unconfirmed"}:
            assert explained(reply.error), reply.error
            assert reply.message.answered_at is None or reply.message.replies.filter(status="sent").exists()
    assert Reply.objects.filter(status="sent").count() >= 4
    assert set(Reply.objects.filter(message__platform=EXPIRED).values_list("status", flat=True)) == {"failed"}

    # Scheduled posts: each target published once, or failed with the reason shown to its author,
    # or, when the platform's answer was lost (it may have posted), left for a person to check.
    targets = PostTarget.objects.filter(post__in=posts)
    assert targets.count() == len(posts) * len(accounts)
    for target in targets:
        assert target.state in {"published", "failed", "unknown"}, (
            target.pk,
            target.state,
            target.last_error,
        )
        if target.state == "failed":
            assert explained(target.last_error)
        if target.state == "unknown":
            assert "check the platform" in target.last_error
    assert targets.filter(state="published").count() >= len(posts)

    # The platforms' side: nothing done twice. A request is identified by what it acts on:
    # path, query and body (a Facebook block names the user in the body, a private reply the
    # comment, a reply the post it answers).
    for platform in ACCOUNTS:
        for op in ("hide", "delete", "block", "mute", "private_reply", "dm", "reply", "publish"):
            done = [(a.path, sorted(a.query.items()), repr(a.body)) for a in flaky.done(platform, op)]
            twice = [what for what, n in Counter(map(repr, done)).items() if n > 1]
            assert not twice, (platform, op, twice)
        published = flaky.done(platform, "publish")
        assert len(published) == targets.filter(account__platform=platform, state="published").count()
    assert flaky.done(EXPIRED) == []  # the expired token let nothing through
    applied_hides = ModerationAction.objects.filter(kind="hide", state="applied").count()
    assert applied_hides == sum(len(flaky.done(p, "hide")) for p in ACCOUNTS)


def test_an_expired_token_is_told_apart_from_a_platform_outage(
    flaky: FlakySimulator, clock: Clock, engine: Any
) -> None:
    """The expired account's action fails at once (retrying cannot renew a token) with a reason
    that names the problem; it is not retried in a loop."""
    officer, moderator = person("olu.officer", "officer"), person("mina.moderator", "moderator")
    arrived = arrive(clock, EXPIRED, "you are all idiots at that clinic")
    clock.settle()
    (msg,) = reloaded([arrived])
    action = clock.run(lambda: moderation.do_hide(msg, officer, reason="abusive"))
    clock.run(lambda: moderation.do_approve(action, moderator))
    clock.settle()
    action.refresh_from_db()
    assert action.state == "failed" and action.attempts == 1
    assert action.error.startswith("AuthExpired") and "expired" in action.error.lower()
    assert flaky.recorded(EXPIRED, "hide") and not flaky.done(EXPIRED, "hide")


class LostAnswerSimulator(Simulator):
    """The worst timeout: the platform carries the request out, but its answer arrives after the
    desk stopped waiting. Only the desk's caution can prevent a second post."""

    def __init__(self, ops: set[str]) -> None:
        super().__init__()
        self.ops = ops

    def handle(self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes) -> Any:
        reply, delay = super().handle(method, raw_path, headers, raw_body)
        with self.lock:
            op = self.actions[-1].op
            lose = op in self.ops
            if lose:
                self.ops.discard(op)  # once per operation
        return reply, (CLIENT_TIMEOUT * 3 if lose else delay)


def test_a_post_whose_answer_was_lost_is_not_posted_again_but_left_for_a_person(
    monkeypatch: pytest.MonkeyPatch, settings: Any, clock: Clock, engine: Any
) -> None:
    sim = LostAnswerSimulator({"publish"}).start()
    try:
        original = registry.build
        monkeypatch.setattr(
            registry, "build", lambda *a, **kw: original(*a, **{**kw, "timeout": CLIENT_TIMEOUT})
        )
        settings.CIVILDESK_PUBLISH_CONNECTOR = ""
        account = PlatformAccount(platform="x", account_id="4242", api_base_url=sim.base_url("x"))
        account.set_credentials(credentials_for("x"))
        account.save()
        arrive(clock, "x", "hello")  # the desk knows the account
        officer = person("olu.officer", "officer")
        post = clock.run(
            lambda: publishing.create_post(
                officer,
                publishing.Draft(
                    text="Flu clinics run all week",
                    account_ids=tuple(Account.objects.filter(platform="x").values_list("pk", flat=True)),
                    scheduled_at=clock.now + timedelta(minutes=5),
                ),
                now=clock.now,
            )
        )
        clock.now += timedelta(minutes=5)
        clock.settle()
        target = post.targets.get()
        assert len(sim.done("x", "publish")) == 1  # the platform has it once...
        # ...and the desk does not claim to know: a person checks before anything is re-sent.
        assert target.state == "unknown", (target.state, target.last_error)
        assert "answer" in target.last_error and "check the platform" in target.last_error
    finally:
        sim.stop()


def test_a_reply_whose_answer_was_lost_is_not_sent_again_but_left_for_a_person(
    monkeypatch: pytest.MonkeyPatch, settings: Any, clock: Clock, engine: Any
) -> None:
    sim = LostAnswerSimulator({"reply"}).start()
    try:
        original = registry.build
        monkeypatch.setattr(
            registry, "build", lambda *a, **kw: original(*a, **{**kw, "timeout": CLIENT_TIMEOUT})
        )
        account = PlatformAccount(platform="x", account_id="4242", api_base_url=sim.base_url("x"))
        account.set_credentials(credentials_for("x"))
        account.save()
        msg = arrive(clock, "x", "when does the clinic open on Saturday?", kind="mention")
        clock.settle()
        officer = person("olu.officer", "officer")
        reply = clock.run(
            lambda: send_reply(msg, officer, "We open at 9am on Saturdays.", visibility="public")
        )
        assert len(sim.done("x", "reply")) == 1  # the platform has it once...
        # ...and the desk does not claim to know: a person checks before it is sent again.
        assert reply.status == "unconfirmed" and "did not answer" in reply.error, reply.error
        msg.refresh_from_db()
        assert msg.status == "open" and msg.answered_at is None
        with pytest.raises(ReplyRejected, match="check X before sending again"):
            clock.run(lambda: send_reply(msg, officer, "We open at 9am on Saturdays.", visibility="public"))
        clock.settle()
        assert len(sim.done("x", "reply")) == 1
    finally:
        sim.stop()


def test_a_lost_answer_is_told_apart_from_a_request_that_never_left() -> None:
    """Only a request that went out can have been carried out: a read timeout or a dropped
    answer is AnswerLost (in doubt), a refused or timed-out connection plain Transient."""
    import httpx

    from civildesk.platforms.errors import AnswerLost, Transient
    from civildesk.platforms.http import PlatformClient

    def client(exc: Exception) -> PlatformClient:
        def fail(request: httpx.Request) -> httpx.Response:
            raise exc

        return PlatformClient(
            "https://platform.invalid",
            parse_rate=lambda headers, now: None,
            map_error=lambda response, now: Transient("unused"),
            transport=httpx.MockTransport(fail),
        )

    for lost in (httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")):
        with pytest.raises(AnswerLost) as raised:
            client(lost).request("POST", "/2/tweets")
        assert raised.value.retryable and getattr(raised.value, "in_doubt", False)
    for never_sent in (httpx.ConnectTimeout("no route"), httpx.ConnectError("refused")):
        with pytest.raises(Transient) as raised:
            client(never_sent).request("POST", "/2/tweets")
        assert not isinstance(raised.value, AnswerLost)


def test_an_id_that_cannot_be_put_in_a_url_is_a_refused_request_not_a_crash() -> None:
    """Found by the webhook fuzzer: an Instagram entry id of "\x1f" made httpx raise InvalidURL,
    which no caller expects; it is the malformed delivery it looks like."""
    import httpx

    from civildesk.platforms.errors import InvalidRequest
    from civildesk.platforms.http import PlatformClient

    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    client = PlatformClient(
        "https://platform.invalid",
        parse_rate=lambda headers, now: None,
        map_error=lambda response, now: InvalidRequest("unused"),
        transport=httpx.MockTransport(record),
    )
    with pytest.raises(InvalidRequest, match="not a valid URL"):
        client.request("GET", "/\x1f", bucket="app")
    assert sent == []
