"""Publishing through the task queue: exactly once at the due time, retries, failures, crashes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from civildesk.devtools.testing import at
from civildesk.inbox.connectors import sends_nowhere
from civildesk.inbox.worker import run_ready_tasks
from civildesk.publishing import services, tasks
from civildesk.publishing.models import PostTarget, ScheduledPost
from tests.publishing.conftest import SATURDAY_10AM, WEDNESDAY_9AM, person
from tests.publishing.fakes import RecordingPublisher, WorkerKilled, platform_errors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

Transient, RateLimited, PermissionDenied = platform_errors()


def schedule(
    author: Any, accounts: list[Any], *, text: str = "Our wards are open this weekend", **kw: Any
) -> ScheduledPost:
    draft = services.Draft(
        text=text,
        account_ids=tuple(a.pk for a in accounts),
        scheduled_at=kw.pop("when", SATURDAY_10AM),
        media_url=kw.pop("media_url", ""),
        needs_approval=kw.pop("needs_approval", False),
    )
    return services.create_post(author, draft, now=WEDNESDAY_9AM)


def run_at(moment: Any) -> int:
    with at(moment):
        return run_ready_tasks()


def states(post: ScheduledPost) -> dict[str, str]:
    return {t.account.platform: t.state for t in post.targets.select_related("account")}


def test_published_once_at_the_due_time_and_not_before(publisher: RecordingPublisher, accounts: Any) -> None:
    officer = person("officer")
    post = schedule(officer, [accounts["x"], accounts["linkedin"]])
    assert run_at(SATURDAY_10AM - timedelta(minutes=1)) == 0  # nothing is due yet
    assert publisher.published == []
    assert run_at(SATURDAY_10AM) == 2
    assert sorted(a for a, _, _ in publisher.published) == ["trust-linkedin", "trust-x"]
    assert states(post) == {"x": "published", "linkedin": "published"}
    post.refresh_from_db()
    assert post.outcome == "published"
    # The idempotency key each target was claimed with went to the platform.
    keys = {str(t.idempotency_key) for t in post.targets.all()}
    assert {k for _, _, k in publisher.published} == keys
    # Later runs, reconciliations, duplicate tasks: still one post per account.
    for target in post.targets.all():
        with at(SATURDAY_10AM):
            tasks.enqueue(target, SATURDAY_10AM)
    run_at(SATURDAY_10AM + timedelta(hours=1))
    assert len(publisher.published) == 2


def test_a_duplicate_task_cannot_post_twice(publisher: RecordingPublisher, accounts: Any) -> None:
    post = schedule(person("officer"), [accounts["x"]])
    target = post.targets.get()
    with at(WEDNESDAY_9AM):
        tasks.enqueue(target, SATURDAY_10AM)  # the same target queued a second time
    assert DBTaskResult.objects.count() == 2
    assert run_at(SATURDAY_10AM) == 2
    assert len(publisher.published) == 1


def test_worker_killed_after_the_claim_does_not_post_and_leaves_it_for_a_person(
    publisher: RecordingPublisher, accounts: Any, client: Client
) -> None:
    officer = person("officer")
    post = schedule(officer, [accounts["x"]])
    publisher.fail_next = [WorkerKilled("SIGKILL before the platform was reached")]
    run_at(SATURDAY_10AM)  # the worker dies inside the task
    target = post.targets.get()
    assert target.state == "sending" and publisher.published == []
    # Anything that runs the task again (a redelivery, a duplicate) finds the claim and stops.
    with at(SATURDAY_10AM + timedelta(minutes=1)):
        assert tasks.publish_now(target.pk, post.version) == "skipped (sending)"
    assert publisher.published == []
    # After the lease the claim is declared "unknown": not retried blindly.
    with at(SATURDAY_10AM + tasks.SENDING_LEASE + timedelta(minutes=1)):
        assert tasks.reconcile() == {"unknown": 1, "requeued": 0}
        run_ready_tasks()
    target.refresh_from_db()
    assert target.state == "unknown" and publisher.published == []
    # The author sees it on every page; a person checks the platform and says it is not there.
    client.force_login(officer)
    page = client.get(reverse("inbox")).content.decode()
    assert "Your posts that did not publish" in page and "check the platform" in page
    later = SATURDAY_10AM + timedelta(minutes=30)
    with at(later):
        services.resolve_unknown(target, officer, outcome="not_published")
    run_at(later)
    target.refresh_from_db()
    assert target.state == "published" and len(publisher.published) == 1
    assert "Your posts that did not publish" not in client.get(reverse("inbox")).content.decode()


def test_worker_killed_after_the_platform_accepted_does_not_post_again(
    publisher: RecordingPublisher, accounts: Any
) -> None:
    officer = person("officer")
    post = schedule(officer, [accounts["facebook"]])
    publisher.die_after_publish = True
    run_at(SATURDAY_10AM)
    target = post.targets.get()
    assert len(publisher.published) == 1 and target.state == "sending"  # out there, not recorded
    # Every later run leaves it alone, however many times the task is queued again.
    with at(SATURDAY_10AM + timedelta(minutes=2)):
        tasks.enqueue(target, SATURDAY_10AM)
        run_ready_tasks()
    with at(SATURDAY_10AM + timedelta(hours=2)):
        tasks.reconcile()
        run_ready_tasks()
    target.refresh_from_db()
    assert target.state == "unknown" and len(publisher.published) == 1
    assert "check the platform" in target.last_error
    # The person finds it on the page and records its id: no second post.
    services.resolve_unknown(target, officer, outcome="published", platform_post_id="fb-123")
    target.refresh_from_db()
    assert target.state == "published" and target.platform_post_id == "fb-123"
    run_at(SATURDAY_10AM + timedelta(hours=3))
    assert len(publisher.published) == 1
    assert set(target.events.values_list("event", flat=True)) >= {"claimed", "unknown", "resolved_published"}


def test_transient_errors_are_retried_with_back_off(publisher: RecordingPublisher, accounts: Any) -> None:
    post = schedule(person("officer"), [accounts["x"]])
    publisher.fail_next = [Transient("503"), Transient("503")]
    run_at(SATURDAY_10AM)
    target = post.targets.get()
    assert target.state == "pending" and target.attempts == 1
    assert target.next_attempt_at == SATURDAY_10AM + tasks.backoff(1)
    assert run_at(SATURDAY_10AM + timedelta(seconds=10)) == 0  # the back-off holds the retry
    run_at(SATURDAY_10AM + tasks.backoff(1))
    run_at(SATURDAY_10AM + tasks.backoff(1) + tasks.backoff(2))
    target.refresh_from_db()
    assert target.state == "published" and target.attempts == 3
    assert len(publisher.published) == 1 and publisher.calls == 3


def test_rate_limited_waits_until_the_platform_says(publisher: RecordingPublisher, accounts: Any) -> None:
    post = schedule(person("officer"), [accounts["linkedin"]])
    reset = SATURDAY_10AM + timedelta(minutes=15)
    publisher.fail_next = [RateLimited(retry_at=reset)]
    run_at(SATURDAY_10AM)
    target = post.targets.get()
    assert target.state == "pending" and target.next_attempt_at == reset
    assert run_at(reset - timedelta(minutes=1)) == 0
    run_at(reset)
    target.refresh_from_db()
    assert target.state == "published" and len(publisher.published) == 1


def test_a_refusal_fails_and_is_shown_to_the_author_and_on_the_dashboard(
    publisher: RecordingPublisher, accounts: Any, client: Client
) -> None:
    author = person("officer", "alice")
    post = schedule(author, [accounts["x"], accounts["linkedin"]])
    publisher.fail_next = [PermissionDenied("the app lost the permission to post <b>now</b>")]
    run_at(SATURDAY_10AM)
    assert sorted(states(post).values()) == ["failed", "published"]
    failed = post.targets.get(state="failed")
    assert failed.attempts == 1 and "lost the permission" in failed.last_error

    client.force_login(author)
    page = client.get(reverse("inbox")).content.decode()
    assert "Your posts that did not publish" in page
    assert "&lt;b&gt;now&lt;/b&gt;" in page and "<b>now</b>" not in page  # platform text is escaped
    colleague = person("viewer", "bob")
    client.force_login(colleague)
    assert "Your posts that did not publish" not in client.get(reverse("inbox")).content.decode()
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="posts-attention"' in dashboard and "alice" in dashboard

    # The author fixes the cause and tries again: published, once.
    with at(SATURDAY_10AM + timedelta(minutes=5)):
        services.retry_target(failed, author)
    run_at(SATURDAY_10AM + timedelta(minutes=5))
    failed.refresh_from_db()
    assert failed.state == "published" and len(publisher.published) == 2


def test_retries_stop_after_the_last_attempt(publisher: RecordingPublisher, accounts: Any) -> None:
    post = schedule(person("officer"), [accounts["x"]])
    publisher.fail_next = [Transient() for _ in range(tasks.MAX_ATTEMPTS)]
    moment = SATURDAY_10AM
    for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
        run_at(moment)
        moment += tasks.backoff(attempt)
    target = post.targets.get()
    assert target.state == "failed" and target.attempts == tasks.MAX_ATTEMPTS
    assert publisher.published == []


def test_an_unexpected_error_is_in_doubt_not_retried(publisher: RecordingPublisher, accounts: Any) -> None:
    post = schedule(person("officer"), [accounts["x"]])
    publisher.fail_next = [TimeoutError("read timed out after the request was sent")]
    run_at(SATURDAY_10AM)
    target = post.targets.get()
    assert target.state == "unknown" and "TimeoutError" in target.last_error
    run_at(SATURDAY_10AM + timedelta(hours=1))
    assert publisher.calls == 1


def test_an_edit_replaces_the_queued_task(publisher: RecordingPublisher, accounts: Any) -> None:
    officer = person("officer")
    post = schedule(officer, [accounts["x"]])
    sunday = SATURDAY_10AM + timedelta(days=1)
    draft = services.Draft(text="Changed words", account_ids=(accounts["x"].pk,), scheduled_at=sunday)
    services.update_post(post, officer, draft, now=WEDNESDAY_9AM)
    run_at(SATURDAY_10AM)  # the old task runs and finds a newer version
    assert publisher.published == []
    run_at(sunday)
    assert [t for _, t, _ in publisher.published] == ["Changed words"]


def test_a_cancelled_post_is_not_published(publisher: RecordingPublisher, accounts: Any) -> None:
    officer = person("officer")
    post = schedule(officer, [accounts["x"], accounts["facebook"]])
    services.cancel(post, officer)
    run_at(SATURDAY_10AM)
    assert publisher.published == [] and set(states(post).values()) == {"cancelled"}


def test_approval_comes_before_publishing(
    publisher: RecordingPublisher, accounts: Any, client: Client
) -> None:
    author = person("officer", "author")
    post = schedule(author, [accounts["x"]], needs_approval=True)
    assert post.state == "awaiting_approval"
    run_at(SATURDAY_10AM - timedelta(days=1))
    assert publisher.published == []
    with pytest.raises(services.NotAllowed):
        services.approve(post, author)  # nobody approves their own post
    # An officer may not approve; a moderator may (through the page, as people do).
    client.force_login(author)
    assert client.post(reverse("post-approve", args=[post.pk])).status_code == 403
    moderator = person("moderator", "lead")
    client.force_login(moderator)
    with at(WEDNESDAY_9AM + timedelta(hours=1)):
        client.post(reverse("post-approve", args=[post.pk]), {"decision": "approve"})
    post.refresh_from_db()
    assert post.state == "scheduled" and post.approved_by == moderator
    run_at(SATURDAY_10AM)
    assert len(publisher.published) == 1


def test_a_returned_post_is_not_published_and_an_edit_asks_again(
    publisher: RecordingPublisher, accounts: Any
) -> None:
    author = person("officer", "author")
    moderator = person("moderator", "lead")
    post = schedule(author, [accounts["x"]], needs_approval=True)
    services.reject(post, moderator, "Please add the crisis line number")
    run_at(SATURDAY_10AM)
    assert publisher.published == []
    draft = services.Draft(
        text="Open this weekend. Crisis line 0800 028 8000",
        account_ids=(accounts["x"].pk,),
        scheduled_at=SATURDAY_10AM + timedelta(days=7),
        needs_approval=True,
    )
    post = services.update_post(post, author, draft, now=WEDNESDAY_9AM)
    assert post.state == "awaiting_approval"


def test_a_post_found_hours_late_is_not_published_unasked(
    publisher: RecordingPublisher, accounts: Any
) -> None:
    post = schedule(person("officer"), [accounts["x"]])
    run_at(SATURDAY_10AM + tasks.TOO_LATE + timedelta(minutes=1))  # the worker was down all morning
    target = post.targets.get()
    assert target.state == "failed" and "after its time" in target.last_error
    assert publisher.published == []


def test_a_person_can_still_publish_a_late_post(publisher: RecordingPublisher, accounts: Any) -> None:
    officer = person("officer")
    post = schedule(officer, [accounts["x"]])
    late = SATURDAY_10AM + tasks.TOO_LATE + timedelta(hours=1)
    run_at(late)
    target = post.targets.get()
    assert target.state == "failed"
    with at(late):
        services.retry_target(target, officer)  # "publish it anyway"
    run_at(late)
    target.refresh_from_db()
    assert target.state == "published" and len(publisher.published) == 1


def test_a_lost_task_is_queued_again(publisher: RecordingPublisher, accounts: Any) -> None:
    post = schedule(person("officer"), [accounts["x"]])
    DBTaskResult.objects.all().delete()  # the worker died before it could claim the task
    later = SATURDAY_10AM + tasks.LOST_TASK_AFTER + timedelta(minutes=1)
    with at(later):
        assert tasks.reconcile() == {"unknown": 0, "requeued": 1}
        run_ready_tasks()
    assert post.targets.get().state == "published" and len(publisher.published) == 1


def test_facebook_posts_must_be_scheduled_ten_minutes_ahead(accounts: Any) -> None:
    with pytest.raises(services.PostInvalid) as raised:
        services.create_post(
            person("officer"),
            services.Draft(
                text="Hello",
                account_ids=(accounts["facebook"].pk,),
                scheduled_at=WEDNESDAY_9AM + timedelta(minutes=5),
            ),
            now=WEDNESDAY_9AM,
        )
    assert [(p.platform, p.field) for p in raised.value.problems] == [("facebook", "scheduled_at")]
    assert not ScheduledPost.objects.exists() and not PostTarget.objects.exists()


def test_an_account_without_credentials_publishes_nowhere_and_says_so(accounts: Any) -> None:
    from civildesk.publishing import publisher

    connector = publisher.platform_connector("x", "trust-x")
    assert sends_nowhere(connector), connector  # no PlatformAccount with credentials
    post = schedule(person("officer"), [accounts["x"]])
    run_at(SATURDAY_10AM)
    target = post.targets.get()
    assert target.state == "published" and target.platform_post_id.startswith("outbox-")
    assert "not sent to any platform" in target.connector
