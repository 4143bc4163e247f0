"""A week on the desk, built row by row so every figure in the report can be worked out by hand.

Week 48 of 2026: Monday 23 to Sunday 29 November (GMT, so London time equals UTC). The report is
read on Wednesday 2 December, 10:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from civildesk.devtools.testing import fresh_desk_settings
from civildesk.inbox import desk
from civildesk.inbox.models import Account, Author, Message
from civildesk.publishing.models import PostTarget, ScheduledPost
from civildesk.reports.period import parse_week
from civildesk.web.models import StaffProfile

__all__ = ["fresh_desk_settings"]

WEEK = "2026-W48"
READ_AT = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
PASSWORD = "a long passphrase for the desk"


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _sessions_outlive_frozen_clocks(settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600


def person(role: str, name: str | None = None) -> Any:
    user = get_user_model().objects.create_user(name or role, password=PASSWORD)
    StaffProfile.objects.create(user=user, role=role)
    user.refresh_from_db()
    return user


@dataclass
class Desk:
    accounts: dict[str, Account]
    authors: dict[str, Author]
    seq: int = 0

    def author(self, name: str, platform: str) -> Author:
        key = f"{platform}:{name}"
        if key not in self.authors:
            self.authors[key] = Author.objects.create(
                platform=platform, platform_user_id=name, handle=f"@{name}", display_name=name.capitalize()
            )
        return self.authors[key]

    def message(
        self,
        posted: datetime,
        *,
        platform: str = "x",
        author: str = "amy",
        priority: str = "P4",
        labels: tuple[str, ...] = (),
        status: str = "open",
        answered: datetime | None = None,
        auto_replied: datetime | None = None,
        text: str = "a message",
    ) -> Message:
        self.seq += 1
        msg = Message(
            account=self.accounts[platform],
            platform=platform,
            platform_id=f"m{self.seq}",
            author=self.author(author, platform),
            kind="comment",
            text=text,
            posted_at=posted,
            received_at=posted,
            priority=priority,
            status="answered" if answered and status == "open" else status,
            due_at=desk.working_hours().due_at(posted),
            answered_at=answered,
            auto_replied_at=auto_replied,
        )
        msg.set_labels(list(labels))
        msg.save()
        return msg


@pytest.fixture
def desk_db(db: None, fresh_desk_settings: None) -> Iterator[Desk]:
    accounts = {
        p: Account.objects.create(platform=p, platform_account_id=f"trust-{p}", handle=f"@trust_{p}")
        for p in ("x", "facebook", "instagram", "linkedin")
    }
    yield Desk(accounts, {})


@pytest.fixture
def week(desk_db: Desk) -> dict[str, Message]:
    """Seven messages inside week 48 and one either side of it (see tests/reports/test_build.py)."""
    d = desk_db
    msgs = {
        # Answered within the hour: met, 60 working minutes.
        "complaint": d.message(utc(23, 10), labels=("complaint",), answered=utc(23, 11)),
        # Posted after the 16:00 cut-off, due Tuesday 17:00; answered Tuesday 10:00: met, 30 + 60.
        "late_question": d.message(
            utc(23, 16, 30), platform="facebook", author="bob", labels=("question",), answered=utc(24, 10)
        ),
        # Due Tuesday 17:00, answered Wednesday noon: missed, 300 + 180 working minutes.
        "criticism": d.message(
            utc(24, 12), platform="instagram", labels=("criticism",), answered=utc(25, 12)
        ),
        # Hidden by a moderator, no reply owed.
        "abuse": d.message(
            utc(25, 14),
            platform="linkedin",
            author="carl",
            priority="P3",
            labels=("abuse", "profanity"),
            status="actioned",
        ),
        # Still open long after Thursday 17:00: missed.
        "forgotten": d.message(utc(26, 9, 30), labels=("question",)),
        # Saturday-night crisis: the automatic reply 2 minutes later, a person on Monday 09:15.
        "crisis_sat": d.message(
            utc(28, 22),
            platform="facebook",
            author="dana",
            priority="P1",
            labels=("crisis",),
            answered=utc(30, 9, 15),
            auto_replied=utc(28, 22, 2),
        ),
        # Sunday-night crisis: the automatic reply failed (so no auto_replied_at), a person got
        # through 20 minutes after posting.
        "crisis_sun": d.message(
            utc(29, 23, 30),
            platform="facebook",
            author="bob",
            priority="P1",
            labels=("crisis",),
            answered=utc(29, 23, 50),
        ),
        # Either side of the week: never counted.
        "before": d.message(utc(22, 23, 59), labels=("question",)),
        "after": d.message(utc(30, 0, 0), labels=("question",)),
    }
    return msgs


@pytest.fixture
def posts(desk_db: Desk) -> list[PostTarget]:
    user = person("officer", "poster")
    out: list[PostTarget] = []

    def post(when: datetime, states: dict[str, str], post_state: str = "scheduled") -> None:
        p = ScheduledPost.objects.create(
            author=user, text="Hub open Saturday", scheduled_at=when, state=post_state
        )
        for platform, state in states.items():
            out.append(PostTarget.objects.create(post=p, account=desk_db.accounts[platform], state=state))

    post(utc(28, 10), {"x": "published", "facebook": "failed", "linkedin": "cancelled"})
    post(utc(29, 18), {"x": "unknown", "instagram": "published"})
    post(utc(27, 12), {"x": "failed"}, post_state="cancelled")  # never meant to go out
    post(utc(30, 10), {"x": "published"})  # next week
    return out


def week_period() -> Any:
    return parse_week(WEEK)
