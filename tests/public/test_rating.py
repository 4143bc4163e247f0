"""A member of the public reads the house rules without logging in and says whether the page
helped; robots, floods and forged forms are turned away; staff read the figures."""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from civildesk.devtools.testing import at
from civildesk.inbox import desk
from civildesk.public import services
from civildesk.public.models import PageRating
from civildesk.web.models import StaffProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
VISITOR = "203.0.113.7"


def form_from(html: str) -> dict[str, str]:
    token = re.search(r'name="form_token" value="([^"]+)"', html)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token and csrf, "the rating form is missing its tokens"
    return {"form_token": token.group(1), "csrfmiddlewaretoken": csrf.group(1)}


def visitor(address: str = VISITOR) -> Client:
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=address)


def read_then_rate(client: Client, *, seconds_reading: float = 30, **fields: str) -> Any:
    """Open the page at NOON, read for a while, then send the form."""
    with at(NOON):
        page = client.get(reverse("house-rules"))
    assert page.status_code == 200
    data = {**form_from(page.content.decode()), "rating": "4", "comment": "", "website": "", **fields}
    with at(NOON + timedelta(seconds=seconds_reading)):
        return client.post(reverse("house-rules-rate"), data)


class TestThePage:
    def test_anyone_can_read_it_without_logging_in(self, client: Client) -> None:
        response = client.get(reverse("house-rules"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Social media house rules" in html
        for clause in desk.policy().clauses.values():  # the engine's own words, every one
            assert escape(clause.text) in html
        assert 'href="tel:08000288000"' in html
        assert "https://www.swlstg.nhs.uk/contact-us/complaints" in html
        assert "https://www.swlstg.nhs.uk/contact-us/pals" in html
        assert "mailto:communications@swlstg.nhs.uk" in html

    def test_the_crisis_line_comes_before_the_rules(self, client: Client) -> None:
        html = client.get(reverse("house-rules")).content.decode()
        assert html.index('data-testid="crisis"') < html.index('data-testid="section"')
        assert "nhsuk-card--care--urgent" in html

    def test_nothing_on_it_is_loaded_from_another_site(self, client: Client) -> None:
        html = client.get(reverse("house-rules")).content.decode()
        for src in re.findall(r'(?:src|href)="([^"]+\.(?:css|js|svg))"', html):
            assert src.startswith("/static/"), src

    def test_the_page_is_served_with_the_strict_content_security_policy(self, client: Client) -> None:
        response = client.get(reverse("house-rules"))
        assert "script-src 'self'" in response["Content-Security-Policy"]


class TestRating:
    def test_a_rating_is_stored_with_a_hash_of_the_address_never_the_address(self) -> None:
        response = read_then_rate(visitor(), rating="5", comment="Clear and kind, thank you")
        assert response.status_code == 302 and response["Location"].endswith("?rated=1#rating")
        row = PageRating.objects.get()
        assert (row.rating, row.comment, row.page) == (5, "Clear and kind, thank you", "house-rules")
        assert row.client == services.client_key(VISITOR)
        stored = " ".join(str(v) for v in PageRating.objects.values_list().get())
        assert VISITOR not in stored and "203.0.113" not in stored
        assert row.policy_version.startswith("2026.11+")

    def test_the_thanks_is_shown_after_rating(self, client: Client) -> None:
        html = client.get(reverse("house-rules") + "?rated=1").content.decode()
        assert "Thank you for your feedback" in html and 'data-testid="rating-form"' not in html

    def test_a_post_without_the_csrf_token_is_refused(self) -> None:
        client = visitor()
        with at(NOON):
            token = services.issue_form_token()
        with at(NOON + timedelta(seconds=30)):
            response = client.post(reverse("house-rules-rate"), {"form_token": token, "rating": "3"})
        assert response.status_code == 403
        assert not PageRating.objects.exists()

    def test_a_robot_filling_the_hidden_field_is_thanked_and_ignored(self) -> None:
        response = read_then_rate(visitor(), website="http://cheap-pills.example")
        assert response.status_code == 302  # the same answer a person gets
        assert not PageRating.objects.exists()

    def test_a_form_sent_a_second_after_loading_is_thanked_and_ignored(self) -> None:
        response = read_then_rate(visitor(), seconds_reading=1)
        assert response.status_code == 302
        assert not PageRating.objects.exists()

    def test_a_forged_form_token_is_sent_back_as_expired(self) -> None:
        response = read_then_rate(visitor(), form_token="1700000000.0")
        assert response.status_code == 400 and "The form had expired" in response.content.decode()
        assert not PageRating.objects.exists()

    def test_no_rating_chosen_is_shown_as_an_error_and_the_comment_kept(self) -> None:
        response = read_then_rate(visitor(), rating="", comment="I could not find the PALS number")
        html = response.content.decode()
        assert response.status_code == 400
        assert "There is a problem" in html and "Choose a rating from 1 to 5" in html
        assert "I could not find the PALS number" in html
        assert not PageRating.objects.exists()

    def test_a_comment_is_escaped_wherever_it_is_shown_again(self) -> None:
        response = read_then_rate(visitor(), rating="", comment="<script>alert(1)</script>")
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html

    def test_one_client_is_limited_per_hour_and_others_are_not(self, settings: Any) -> None:
        settings.CIVILDESK_RATINGS_PER_HOUR = 2
        flood = visitor()
        assert read_then_rate(flood).status_code == 302
        assert read_then_rate(flood).status_code == 302
        third = read_then_rate(flood)
        assert third.status_code == 429 and "try again later" in third.content.decode()
        assert PageRating.objects.count() == 2
        assert read_then_rate(visitor("198.51.100.20")).status_code == 302  # someone else
        assert PageRating.objects.count() == 3

    def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(self, settings: Any) -> None:
        settings.CIVILDESK_RATINGS_PER_HOUR = 1
        settings.CIVILDESK_TRUSTED_PROXIES = (ipaddress.ip_network("127.0.0.1"),)

        def through_proxy(forwarded_for: str) -> Client:
            return Client(
                enforce_csrf_checks=True, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for
            )

        assert read_then_rate(through_proxy(VISITOR)).status_code == 302
        assert read_then_rate(through_proxy("198.51.100.20")).status_code == 302  # not the same person
        # The first visitor again, pretending to be someone else: nginx appends the real peer.
        assert read_then_rate(through_proxy(f"192.0.2.99, {VISITOR}")).status_code == 429
        assert PageRating.objects.count() == 2
        assert set(PageRating.objects.values_list("client", flat=True)) == {
            services.client_key(VISITOR),
            services.client_key("198.51.100.20"),
        }

    def test_a_forwarded_for_header_from_an_untrusted_peer_is_ignored(self, settings: Any) -> None:
        settings.CIVILDESK_RATINGS_PER_HOUR = 1
        settings.CIVILDESK_TRUSTED_PROXIES = (ipaddress.ip_network("127.0.0.1"),)

        def direct(forwarded_for: str) -> Client:
            return Client(enforce_csrf_checks=True, REMOTE_ADDR=VISITOR, HTTP_X_FORWARDED_FOR=forwarded_for)

        assert read_then_rate(direct("198.51.100.1")).status_code == 302
        assert read_then_rate(direct("198.51.100.2")).status_code == 429  # a new header, the same client
        assert PageRating.objects.get().client == services.client_key(VISITOR)

    def test_the_limit_lifts_after_an_hour(self, settings: Any) -> None:
        settings.CIVILDESK_RATINGS_PER_HOUR = 1
        client = visitor()
        assert read_then_rate(client).status_code == 302
        with at(NOON + timedelta(hours=1, minutes=1)):
            page = client.get(reverse("house-rules"))
        data = {**form_from(page.content.decode()), "rating": "2", "website": ""}
        with at(NOON + timedelta(hours=1, minutes=2)):
            assert client.post(reverse("house-rules-rate"), data).status_code == 302
        assert PageRating.objects.count() == 2

    def test_only_post_sends_a_rating(self, client: Client) -> None:
        assert client.get(reverse("house-rules-rate")).status_code == 405


class TestTheFigures:
    def test_the_summary_for_reports_counts_a_period(self) -> None:
        for days_ago, stars, comment in ((1, 5, "great"), (2, 4, ""), (40, 1, "old news")):
            PageRating.objects.create(
                rating=stars, comment=comment, client="x", created_at=NOON - timedelta(days=days_ago)
            )
        recent = services.rating_summary(since=NOON - timedelta(days=30))
        assert (recent.count, recent.mean, recent.helpful_share, recent.comments) == (2, 4.5, 1.0, 1)
        everything = services.rating_summary()
        assert everything.count == 3 and everything.mean == 3.33
        assert services.rating_summary(until=NOON - timedelta(days=30)).count == 1

    def test_staff_read_the_ratings_and_the_public_cannot(self, client: Client) -> None:
        PageRating.objects.create(rating=2, comment="<b>too long</b>", client="x")
        anonymous = client.get(reverse("house-rules-ratings"))
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
        viewer = get_user_model().objects.create_user("viewer-1", password="a long passphrase here")
        StaffProfile.objects.create(user=viewer, role="viewer")
        client.force_login(viewer)
        html = client.get(reverse("house-rules-ratings")).content.decode()
        assert "1 rating, average 2.0 out of 5" in html
        assert "&lt;b&gt;too long&lt;/b&gt;" in html and "<b>too long</b>" not in html
