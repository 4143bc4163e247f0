"""The public house-rules page (no login), its rating form, and the staff view of the ratings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from civildesk.inbox import desk
from civildesk.public import services
from civildesk.public.guard import MAX_COMMENT
from civildesk.public.models import PageRating
from civildesk.public.page import build_page
from civildesk.web.access import require
from civildesk.web.client import client_address

RATING_LABELS = (
    (1, "1 – not at all helpful"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 – very helpful"),
)


def _render(
    request: HttpRequest,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: str = "",
) -> HttpResponse:
    policy = desk.policy()
    context: dict[str, Any] = {
        "page": build_page(policy),
        "form_token": services.issue_form_token(),
        "errors": errors or {},
        "values": values or {},
        "notice": notice,
        "rated": request.GET.get("rated") == "1" and not errors,
        "rating_labels": RATING_LABELS,
        "max_comment": MAX_COMMENT,
    }
    return render(request, "public/house_rules.html", context, status=status)


@require_safe
def house_rules(request: HttpRequest) -> HttpResponse:
    return _render(request)


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    values = {
        "rating": request.POST.get("rating", "")[:2],
        "comment": request.POST.get("comment", "")[: MAX_COMMENT * 2],
    }
    outcome = services.do_rate_page(
        rating=values["rating"],
        comment=values["comment"],
        honeypot=request.POST.get("website", "")[:200],
        token=request.POST.get("form_token", "")[:500],
        client_address=client_address(request),
    )
    if outcome.result in ("stored", "spam"):
        # A robot gets the same thanks as a person: it must not learn what gave it away.
        return redirect(f"{reverse('house-rules')}?rated=1#rating", permanent=False)
    if outcome.result == "invalid":
        return _render(request, status=400, errors=outcome.errors, values=values)
    if outcome.result == "expired":
        return _render(
            request,
            status=400,
            errors={"form": "The form had expired. Please choose your rating and send it again."},
            values=values,
        )
    return _render(
        request,
        status=429,
        notice="Thank you, we have already had several ratings from you in the last hour. Please try again later.",
        values=values,
    )


@require("view_dashboard")
def ratings_report(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    periods = [
        ("Last 7 days", services.rating_summary(since=now - timedelta(days=7))),
        ("Last 30 days", services.rating_summary(since=now - timedelta(days=30))),
        ("All time", services.rating_summary()),
    ]
    recent = PageRating.objects.exclude(comment="").order_by("-created_at")[:50]
    return render(
        request,
        "public/ratings.html",
        {"periods": periods, "recent": recent, "policy_version": desk.policy().version},
    )
