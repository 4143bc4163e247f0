"""Refused webhook deliveries are counted in shared state and shown to Prometheus as
``civildesk_webhook_rejections_total{platform,reason}``, and logged without the body."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.urls import reverse

from civildesk.ops import metrics
from civildesk.platforms import services
from civildesk.platforms.models import PlatformAccount, WebhookDelivery, WebhookRejection
from civildesk.simulator import payloads
from civildesk.simulator.signing import signature_headers
from civildesk.simulator.testing import SECRETS

pytestmark = pytest.mark.django_db


def send(client: Any, account: PlatformAccount, body: bytes, secret: str | None, **extra: Any) -> Any:
    headers = signature_headers(account.platform, secret, body) if secret else {}
    return client.post(
        reverse("platform-webhook", args=[account.webhook_key]),
        data=body,
        content_type="application/json",
        headers=headers,
        **extra,
    )


def scrape(client: Any) -> list[str]:
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    return [line for line in body.splitlines() if line.startswith("civildesk_webhook_rejections_total")]


@pytest.fixture
def page(simulated_account: Any) -> PlatformAccount:
    return simulated_account("facebook", "1001")


def test_a_forged_delivery_is_counted_logged_and_shown_on_metrics(
    client: Any, page: PlatformAccount, settings: Any, caplog: Any
) -> None:
    settings.CIVILDESK_METRICS_TOKEN = ""
    assert scrape(client) == []  # nothing refused yet: no series at all

    forged = json.dumps(payloads.facebook_comment("1001", "p1_c1", "p1", "secret plan", "u1")).encode()
    with caplog.at_level(logging.WARNING, logger="civildesk.platforms"):
        assert send(client, page, forged, "an-attackers-guess").status_code == 403
        assert send(client, page, forged, "an-attackers-guess").status_code == 403

    assert scrape(client) == [
        'civildesk_webhook_rejections_total{platform="facebook",reason="signature_invalid"} 2'
    ]
    assert WebhookDelivery.objects.count() == 0
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refusals == [f"webhook delivery refused: signature_invalid (facebook account {page.pk})"] * 2
    assert "secret plan" not in caplog.text  # the attacker's body is never written to the log


def test_unsigned_and_malformed_deliveries_are_counted_under_their_own_reasons(
    client: Any, simulated_account: Any
) -> None:
    x = simulated_account("x", "4242")
    linkedin = simulated_account("linkedin", "urn:li:organization:5")
    assert send(client, x, b'{"data": {}}', None).status_code == 401
    # Signed with the right secret but not a JSON object: no platform sends that, refused at once.
    assert send(client, linkedin, b'{"notifications": [', SECRETS["linkedin"]).status_code == 400
    assert send(client, linkedin, b"[1, 2, 3]", SECRETS["linkedin"]).status_code == 400
    assert send(client, linkedin, b"\xff\xfe not utf-8", SECRETS["linkedin"]).status_code == 400

    totals = {
        (m.labels[0][1], m.labels[1][1]): m.value
        for metric in metrics.collect()
        if metric.name == "civildesk_webhook_rejections_total"
        for m in metric.samples
    }
    assert totals == {("x", "signature_missing"): 1, ("linkedin", "malformed"): 3}
    assert WebhookDelivery.objects.count() == 0


def test_a_valid_delivery_is_not_counted(client: Any, page: PlatformAccount) -> None:
    body = json.dumps(payloads.facebook_comment("1001", "p1_c1", "p1", "Thanks", "u1")).encode()
    assert send(client, page, body, SECRETS["facebook"]).status_code == 200
    assert not WebhookRejection.objects.exists()


def test_every_process_adds_to_the_one_shared_row(page: PlatformAccount) -> None:
    """Another web process already counted five refusals: this one adds to the same row (an
    UPDATE count = count + 1 in the database), it does not start its own count."""
    WebhookRejection.objects.create(platform="facebook", reason="signature_invalid", count=5)
    services.do_count_rejection(page, WebhookRejection.Reason.SIGNATURE_INVALID)
    services.do_count_rejection(page, WebhookRejection.Reason.SIGNATURE_INVALID)
    assert list(WebhookRejection.objects.values_list("count", flat=True)) == [7]
