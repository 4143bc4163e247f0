"""Meta's reply windows, checked before calling (the platform would refuse anyway, but later,
after spending a request and with an error a person has to decode).

- A *private reply* to a comment: once per comment, within 7 days of the comment.
- An ordinary DM: within 24 hours of the person's last message to the account.

What the desk knows about those times lives behind ``WindowBook``; the Django implementation
reads the stored messages, ``MemoryWindowBook`` serves the pure tests and the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Protocol

from civildesk.platforms.errors import PolicyWindowClosed

PRIVATE_REPLY_WINDOW: Final = timedelta(days=7)
DM_WINDOW: Final = timedelta(hours=24)


class WindowBook(Protocol):
    def message_time(self, platform: str, account_id: str, message_id: str) -> datetime | None: ...

    def last_inbound_dm(self, platform: str, account_id: str, author_id: str) -> datetime | None: ...

    def private_reply_sent(self, platform: str, account_id: str, comment_id: str) -> bool: ...

    def record_private_reply(self, platform: str, account_id: str, comment_id: str, at: datetime) -> None: ...


def check_private_reply(now: datetime, comment_at: datetime | None, already_sent: bool) -> None:
    if already_sent:
        raise PolicyWindowClosed("this comment already has its one private reply")
    if comment_at is None:
        raise PolicyWindowClosed(
            "the desk does not know when this comment was posted, so cannot check the 7-day window"
        )
    if now - comment_at > PRIVATE_REPLY_WINDOW:
        raise PolicyWindowClosed("private replies are allowed only within 7 days of the comment")


def check_dm(now: datetime, last_inbound: datetime | None) -> None:
    if last_inbound is None:
        raise PolicyWindowClosed("this person has not messaged the account, so a DM is not allowed")
    if now - last_inbound > DM_WINDOW:
        raise PolicyWindowClosed("a DM is allowed only within 24 hours of the person's last message")


@dataclass
class MemoryWindowBook:
    times: dict[tuple[str, str, str], datetime] = field(default_factory=dict)
    dms: dict[tuple[str, str, str], datetime] = field(default_factory=dict)
    private_replies: dict[tuple[str, str, str], datetime] = field(default_factory=dict)

    def message_time(self, platform: str, account_id: str, message_id: str) -> datetime | None:
        return self.times.get((platform, account_id, message_id))

    def last_inbound_dm(self, platform: str, account_id: str, author_id: str) -> datetime | None:
        return self.dms.get((platform, account_id, author_id))

    def private_reply_sent(self, platform: str, account_id: str, comment_id: str) -> bool:
        return (platform, account_id, comment_id) in self.private_replies

    def record_private_reply(self, platform: str, account_id: str, comment_id: str, at: datetime) -> None:
        self.private_replies[(platform, account_id, comment_id)] = at
