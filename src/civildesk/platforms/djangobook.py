"""The reply windows' facts, read from what the desk stored (``windows.WindowBook``)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max

from civildesk.inbox.models import Message
from civildesk.platforms.models import PrivateReply


class DjangoWindowBook:
    def message_time(self, platform: str, account_id: str, message_id: str) -> datetime | None:
        return (
            Message.objects.filter(
                account__platform=platform, account__platform_account_id=account_id, platform_id=message_id
            )
            .values_list("posted_at", flat=True)
            .first()
        )

    def last_inbound_dm(self, platform: str, account_id: str, author_id: str) -> datetime | None:
        latest: datetime | None = Message.objects.filter(
            account__platform=platform,
            account__platform_account_id=account_id,
            author__platform_user_id=author_id,
            kind="dm",
        ).aggregate(latest=Max("posted_at"))["latest"]
        return latest

    def private_reply_sent(self, platform: str, account_id: str, comment_id: str) -> bool:
        return PrivateReply.objects.filter(
            platform=platform, account_id=account_id, comment_id=comment_id
        ).exists()

    def record_private_reply(self, platform: str, account_id: str, comment_id: str, at: datetime) -> None:
        try:
            with transaction.atomic():
                PrivateReply.objects.create(
                    platform=platform, account_id=account_id, comment_id=comment_id, sent_at=at
                )
        except IntegrityError:
            pass  # recorded by a concurrent send; the platform refuses the second one anyway
