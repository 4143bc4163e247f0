"""One door for ratings of the public page: the form's time token, the per-client limit and the
figures for reports. Views parse the request and call these."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from civildesk.inbox import desk
from civildesk.public import guard
from civildesk.public.models import PageRating

log = logging.getLogger("civildesk.public")

PAGE = "house-rules"
_TOKEN_SALT = "civildesk.public.rating-form"
_CLIENT_SALT = "civildesk.public.rating-client"
DEFAULT_RATINGS_PER_HOUR = 5

Result = Literal["stored", "invalid", "spam", "expired", "limited"]


@dataclass(frozen=True, slots=True)
class RateOutcome:
    result: Result
    errors: dict[str, str] = field(default_factory=dict)
    rating: PageRating | None = None


def ratings_per_hour() -> int:
    return int(getattr(settings, "CIVILDESK_RATINGS_PER_HOUR", DEFAULT_RATINGS_PER_HOUR))


def min_fill_seconds() -> float:
    return float(getattr(settings, "CIVILDESK_RATING_MIN_SECONDS", guard.MIN_FILL_SECONDS))


def client_key(address: str) -> str:
    """A keyed hash of the client's address: stable for the rate limit, not reversible without
    the secret key, and never the address itself."""
    return salted_hmac(_CLIENT_SALT, address or "unknown", algorithm="sha256").hexdigest()[:40]


def issue_form_token(now: datetime | None = None) -> str:
    moment = now or timezone.now()
    return signing.dumps({"issued": moment.timestamp()}, salt=_TOKEN_SALT, compress=False)


def read_form_token(token: str) -> float | None:
    """The verified time the form was served, or None for a missing or tampered token."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT)
    except signing.BadSignature:
        return None
    issued = data.get("issued") if isinstance(data, dict) else None
    return float(issued) if isinstance(issued, int | float) else None


def do_rate_page(
    *,
    rating: str,
    comment: str,
    honeypot: str,
    token: str,
    client_address: str,
    now: datetime | None = None,
) -> RateOutcome:
    now = now or timezone.now()
    verdict = guard.judge(
        rating=rating,
        comment=comment,
        honeypot=honeypot,
        issued_at=read_form_token(token),
        now=now.timestamp(),
        min_seconds=min_fill_seconds(),
    )
    if verdict.outcome == "spam":
        log.info("house-rules rating dropped as spam: %s", verdict.reason)
        return RateOutcome("spam")
    if verdict.outcome == "expired":
        return RateOutcome("expired")
    if verdict.outcome == "invalid":
        return RateOutcome("invalid", errors=verdict.errors)
    client = client_key(client_address)
    with transaction.atomic():
        recent = PageRating.objects.filter(client=client, created_at__gte=now - timedelta(hours=1)).count()
        if recent >= ratings_per_hour():
            return RateOutcome("limited")
        row = PageRating.objects.create(
            page=PAGE,
            rating=verdict.rating,
            comment=verdict.comment,
            client=client,
            policy_version=desk.policy().version,
            created_at=now,
        )
    return RateOutcome("stored", rating=row)


def rating_summary(
    *, since: datetime | None = None, until: datetime | None = None, page: str = PAGE
) -> guard.RatingSummary:
    """The figures for reports and the staff view, over [since, until)."""
    rows = PageRating.objects.filter(page=page)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    return guard.summarise(rows.values_list("rating", "comment"))
