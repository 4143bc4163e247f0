"""Ratings of the public house-rules page. No raw IP address is stored: only a keyed hash of it,
enough to rate-limit one client and useless for finding out who they are."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PageRating(models.Model):
    page = models.CharField(max_length=40, default="house-rules")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    # HMAC of the client address under the desk's secret key: counts one client's submissions
    # for the rate limit; without the key it cannot be turned back into an address.
    client = models.CharField(max_length=64, db_index=True)
    policy_version = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(rating__gte=1) & models.Q(rating__lte=5), name="rating_one_to_five"
            ),
        )

    def __str__(self) -> str:
        return f"{self.page}: {self.rating}/5 on {self.created_at:%Y-%m-%d}"
