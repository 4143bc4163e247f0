"""The pages: compose and edit with per-platform checks, the post, the calendar, the feedback."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civildesk.devtools.testing import at
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.worker import run_ready_tasks
from civildesk.publishing import services
from civildesk.publishing.models import ScheduledPost
from tests.publishing.conftest import SATURDAY_10AM, WEDNESDAY_9AM, person
from tests.publishing.fakes import RecordingPublisher

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

XSS = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def officer_client(client: Client) -> Client:
    client.force_login(person("officer"))
    return client


def form(accounts: list[Any], text: str = "Our wards are open this weekend", **extra: Any) -> dict[str, Any]:
    return {
        "text": text,
        "accounts": [a.pk for a in accounts],
        "date": "2026-11-28",
        "time": "10:00",
        "media_url": "",
        "action": "save",
        **extra,
    }


def test_compose_suggests_times_outside_working_hours(officer_client: Client, accounts: Any) -> None:
    with at(WEDNESDAY_9AM):
        page = officer_client.get(reverse("post-new")).content.decode()
    assert 'data-testid="slots"' in page
    assert "?date=2026-11-28&amp;time=10:00" in page  # Saturday 10:00 is offered
    assert "?date=2026-11-25&amp;time=12:30" not in page  # Wednesday lunchtime is working time
    with at(WEDNESDAY_9AM):
        prefilled = officer_client.get(reverse("post-new") + "?date=2026-11-28&time=10:00").content.decode()
    assert 'value="2026-11-28"' in prefilled and 'value="10:00"' in prefilled


def test_a_post_is_scheduled_from_the_form(officer_client: Client, accounts: Any) -> None:
    with at(WEDNESDAY_9AM):
        response = officer_client.post(reverse("post-new"), form([accounts["x"], accounts["linkedin"]]))
    post = ScheduledPost.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("post", args=[post.pk])
    assert post.scheduled_at == SATURDAY_10AM  # 10:00 in London in November is 10:00 UTC
    assert sorted(t.account.platform for t in post.targets.all()) == ["linkedin", "x"]


def test_british_summer_time_is_applied(officer_client: Client, accounts: Any) -> None:
    with at(WEDNESDAY_9AM - timedelta(days=220)):  # April 2026
        officer_client.post(reverse("post-new"), form([accounts["x"]], date="2026-05-02"))
    post = ScheduledPost.objects.get()
    assert post.scheduled_at.astimezone().utcoffset() is not None
    assert post.scheduled_at.isoformat().startswith("2026-05-02T09:00")  # 10:00 BST


def test_platform_problems_are_shown_and_nothing_is_saved(officer_client: Client, accounts: Any) -> None:
    with at(WEDNESDAY_9AM):
        response = officer_client.post(
            reverse("post-new"),
            form([accounts["x"], accounts["instagram"]], text="a" * 300 + XSS),
        )
    page = response.content.decode()
    assert response.status_code == 400
    assert "X: " in page and "over the limit of 280" in page
    assert "Instagram: Instagram needs an image" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert not ScheduledPost.objects.exists()


def test_check_shows_the_counts_without_saving(officer_client: Client, accounts: Any) -> None:
    with at(WEDNESDAY_9AM):
        response = officer_client.post(
            reverse("post-new"), form([accounts["x"]], text="Hi 💙 https://example.org/x", action="check")
        )
    page = response.content.decode()
    assert response.status_code == 200 and not ScheduledPost.objects.exists()
    assert "X: 29 of 280 weighted characters" in page  # "Hi " 3 + emoji 2 + space 1 + link 23


def test_a_viewer_sees_posts_but_cannot_schedule(client: Client, accounts: Any) -> None:
    client.force_login(person("viewer"))
    assert client.get(reverse("posts")).status_code == 200
    assert client.get(reverse("posts-calendar")).status_code == 200
    assert client.get(reverse("post-new")).status_code == 403
    assert client.post(reverse("post-new"), form([accounts["x"]])).status_code == 403
    assert not ScheduledPost.objects.exists()


def test_post_text_is_escaped_everywhere(officer_client: Client, accounts: Any) -> None:
    post = services.create_post(
        person("officer", "writer"),
        services.Draft(text=XSS, account_ids=(accounts["x"].pk,), scheduled_at=SATURDAY_10AM),
        now=WEDNESDAY_9AM,
    )
    with at(WEDNESDAY_9AM):
        pages = [
            officer_client.get(reverse("post", args=[post.pk])),
            officer_client.get(reverse("posts")),
            officer_client.get(reverse("posts-calendar") + "?view=week&date=2026-11-28"),
            officer_client.get(reverse("posts-calendar") + "?view=month&date=2026-11-01"),
        ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html


def test_calendar_week_and_month(officer_client: Client, accounts: Any) -> None:
    post = services.create_post(
        person("officer", "writer"),
        services.Draft(
            text="Weekend opening", account_ids=(accounts["facebook"].pk,), scheduled_at=SATURDAY_10AM
        ),
        now=WEDNESDAY_9AM,
    )
    with at(WEDNESDAY_9AM):
        week = officer_client.get(reverse("posts-calendar")).content.decode()
        month = officer_client.get(reverse("posts-calendar") + "?view=month").content.decode()
        next_week = officer_client.get(reverse("posts-calendar") + "?date=2026-12-02").content.decode()
        nonsense = officer_client.get(reverse("posts-calendar") + "?view=year&date=not-a-date")
    for page in (week, month):
        saturday = page.split('data-date="2026-11-28"')[1].split("</td>")[0]
        assert "10:00" in saturday and "Facebook" in saturday and reverse("post", args=[post.pk]) in saturday
    assert "Week of Monday 23 November 2026" in week and "November 2026" in month
    assert week.count('data-testid="calendar-entry"') == 1
    assert 'data-testid="calendar-entry"' not in next_week
    assert nonsense.status_code == 200  # falls back to this week


def test_edit_until_publishing_starts(
    officer_client: Client, accounts: Any, publisher: RecordingPublisher
) -> None:
    post = services.create_post(
        person("officer", "writer"),
        services.Draft(text="First words", account_ids=(accounts["x"].pk,), scheduled_at=SATURDAY_10AM),
        now=WEDNESDAY_9AM,
    )
    with at(WEDNESDAY_9AM):
        page = officer_client.get(reverse("post-edit", args=[post.pk])).content.decode()
        assert "First words" in page and 'value="2026-11-28"' in page
        officer_client.post(reverse("post-edit", args=[post.pk]), form([accounts["x"]], text="Second words"))
    post.refresh_from_db()
    assert post.text == "Second words" and post.version == 2
    with at(SATURDAY_10AM):
        run_ready_tasks()
        response = officer_client.get(reverse("post-edit", args=[post.pk]))
    assert response.status_code == 302  # published: no more edits
    assert [t for _, t, _ in publisher.published] == ["Second words"]


def test_what_people_said_about_a_post(
    officer_client: Client, accounts: Any, publisher: RecordingPublisher, engine: Any
) -> None:
    post = services.create_post(
        person("officer", "writer"),
        services.Draft(text="New café opens", account_ids=(accounts["x"].pk,), scheduled_at=SATURDAY_10AM),
        now=WEDNESDAY_9AM,
    )
    with at(SATURDAY_10AM):
        run_ready_tasks()
    platform_id = post.targets.get().platform_post_id
    replies = [
        ("r1", "thank you so much, lovely idea"),
        ("r2", "this is useless, fix the waiting lists"),
        ("r3", "thanks so much!"),
    ]
    for pid, text in replies:
        when = SATURDAY_10AM + timedelta(minutes=30)
        ingest(
            InboundMessage(
                platform="x",
                account_id="trust-x",
                platform_id=pid,
                kind="reply",
                text=text,
                author_id=f"u-{pid}",
                created_at=when,
                thread_id=platform_id,
                parent_id=platform_id,
            ),
            now=when,
        )
    with at(SATURDAY_10AM + timedelta(hours=1)):
        run_ready_tasks()
        page = officer_client.get(reverse("post", args=[post.pk])).content.decode()
    counts = page.split('data-testid="feedback-counts">')[1].split("</p>")[0]
    assert "3 replies: 2 praise, 1 criticism" in counts
    assert "fix the waiting lists" in page
