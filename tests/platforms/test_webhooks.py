"""The desk's webhook endpoints: one URL per account; handshake; refuse bad signatures without
storing anything; store, queue and answer 200 for good ones; de-duplicate redeliveries; the
worker parses and ingests them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from civildesk.inbox.models import Message
from civildesk.inbox.worker import run_ready_tasks
from civildesk.platforms.models import PlatformAccount, WebhookDelivery
from civildesk.simulator import payloads
from civildesk.simulator.signing import expected_challenge, expected_crc, signature_headers
from civildesk.simulator.testing import SECRETS, VERIFY_TOKEN

pytestmark = pytest.mark.django_db


def url(account: PlatformAccount) -> str:
    return reverse("platform-webhook", args=[account.webhook_key])


def post(
    client: Any, account: PlatformAccount, payload: Any, *, secret: str | None = None, signed: bool = True
) -> Any:
    body = json.dumps(payload).encode()
    headers = signature_headers(account.platform, secret or SECRETS[account.platform], body) if signed else {}
    return client.post(url(account), data=body, content_type="application/json", headers=headers)


@pytest.fixture
def page(simulated_account: Any) -> PlatformAccount:
    return simulated_account("facebook", "1001")


def test_each_platforms_subscription_check_is_answered(client, simulated_account):
    fb, x, li = (
        simulated_account("facebook", "1001"),
        simulated_account("x", "4242"),
        simulated_account("linkedin", "urn:li:organization:5"),
    )
    r = client.get(
        url(fb), {"hub.mode": "subscribe", "hub.challenge": "8675309", "hub.verify_token": VERIFY_TOKEN}
    )
    assert (r.status_code, r.content) == (200, b"8675309")
    assert (
        client.get(
            url(fb), {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "guess"}
        ).status_code
        == 403
    )
    r = client.get(url(x), {"crc_token": "abc"})
    assert r.json() == {"response_token": expected_crc(SECRETS["x"], "abc")}
    r = client.get(url(li), {"challengeCode": "c0de"})
    assert r.json()["challengeResponse"] == expected_challenge(SECRETS["linkedin"], "c0de")


def test_a_forged_delivery_is_refused_and_nothing_is_stored(client, page):
    r = post(
        client,
        page,
        payloads.facebook_comment("1001", "p1_c1", "p1", "fake", "u1"),
        secret="not-the-app-secret",
    )
    assert r.status_code == 403
    assert WebhookDelivery.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_an_unsigned_delivery_is_refused_and_nothing_is_stored(client, page):
    r = post(client, page, payloads.facebook_comment("1001", "p1_c1", "p1", "fake", "u1"), signed=False)
    assert r.status_code == 401
    assert WebhookDelivery.objects.count() == 0


def test_an_unknown_or_inactive_webhook_url_is_not_found(client, page):
    assert (
        client.post("/platforms/webhooks/not-a-key/", data=b"{}", content_type="application/json").status_code
        == 404
    )
    page.active = False
    page.save()
    assert post(client, page, {"object": "page", "entry": []}).status_code == 404


def test_a_valid_delivery_is_stored_queued_and_answered_at_once(client, page):
    r = post(
        client, page, payloads.facebook_comment("1001", "p1_c1", "p1", "The bins were missed", "u1", "Sam")
    )
    assert (r.status_code, r.content) == (200, b"ok")
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "queued" and b"The bins were missed" in bytes(delivery.body)
    assert "x-hub-signature-256" in delivery.headers and "authorization" not in delivery.headers
    assert DBTaskResult.objects.filter(task_path__endswith="process_delivery").count() == 1
    assert Message.objects.count() == 0  # parsing waits for the worker


def test_a_redelivery_is_counted_not_stored_or_queued_twice(client, page):
    payload = payloads.facebook_comment("1001", "p1_c1", "p1", "The bins were missed", "u1")
    assert post(client, page, payload).status_code == 200
    assert post(client, page, payload).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.redeliveries == 1
    assert DBTaskResult.objects.filter(task_path__endswith="process_delivery").count() == 1


def test_linkedin_redeliveries_are_recognised_by_notification_id(
    client, simulated_account, platform_simulator
):
    li = simulated_account("linkedin", "urn:li:organization:5")
    note = payloads.linkedin_notification(
        li.account_id,
        "COMMENT_DELETE",
        "urn:li:comment:(urn:li:activity:7,9)",
        "urn:li:activity:7",
        notification_id=42,
    )
    first = payloads.linkedin_delivery([note])
    retry = payloads.linkedin_delivery(
        [{**note, "lastModifiedAt": note["lastModifiedAt"] + 300_000}]
    )  # not byte-identical
    post(client, li, first)
    post(client, li, retry)
    assert WebhookDelivery.objects.get().delivery_key == "li:42"


def test_the_worker_ingests_comments_edits_and_deletions(client, page, engine):
    post(client, page, payloads.facebook_comment("1001", "p1_c1", "p1", "The bins were missed", "u1", "Sam"))
    post(
        client,
        page,
        payloads.facebook_comment(
            "1001", "p1_c1", "p1", "The bins were missed AGAIN", "u1", "Sam", verb="edited"
        ),
    )
    removal = payloads.facebook_comment("1001", "p1_c1", "p1", "", "u1", verb="remove")
    del removal["entry"][0]["changes"][0]["value"]["from"]  # Meta may leave the author out
    post(client, page, removal)
    run_ready_tasks()
    message = Message.objects.get()
    assert (message.platform_id, message.text, message.author.platform_user_id) == (
        "p1_c1",
        "The bins were missed AGAIN",
        "u1",
    )
    assert message.deleted_at is not None and message.revision >= 2
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"processed"}


def test_every_platform_reaches_the_inbox(client, simulated_account, platform_simulator, engine):
    from civildesk.simulator.scenario import build_event

    accounts = {
        "x": simulated_account("x", "4242"),
        "instagram": simulated_account("instagram", "17841"),
        "linkedin": simulated_account("linkedin", "urn:li:organization:5"),
    }
    steps = {
        "x": {"event": "dm", "id": "d1", "text": "help with council tax", "author": "77"},
        "instagram": {"event": "mention", "id": "c9", "text": "@council look", "author": "u9", "name": "ann"},
        "linkedin": {"event": "comment", "id": "9", "post": "700", "text": "Well done", "author": "p1"},
    }
    for platform, account in accounts.items():
        assert (
            post(
                client,
                account,
                build_event(platform_simulator, platform, account.account_id, steps[platform]),
            ).status_code
            == 200
        )
    run_ready_tasks()
    stored = {m.platform: (m.kind, m.text) for m in Message.objects.all()}
    assert stored == {
        "x": ("dm", "help with council tax"),
        "instagram": ("mention", "@council look"),
        "linkedin": ("comment", "Well done"),
    }


def test_an_unreadable_delivery_is_kept_and_marked_failed_not_retried(client, page, engine):
    body = b'{"object": "page", "entry": [{"changes": [{"field": "feed", "value": {"item": "comment", "verb": "add", "comment_id": ""}}]}]}'
    client.post(
        url(page),
        data=body,
        content_type="application/json",
        headers=signature_headers("facebook", SECRETS["facebook"], body),
    )
    run_ready_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "platform_id" in delivery.error
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_platform_outage_while_fetching_is_retried_later(
    client, simulated_account, platform_simulator, engine
):
    li = simulated_account("linkedin", "urn:li:organization:5")
    from civildesk.simulator.scenario import build_event

    platform_simulator.inject("linkedin", "server_error", op="fetch_comment")
    post(
        client,
        li,
        build_event(
            platform_simulator,
            "linkedin",
            li.account_id,
            {"event": "comment", "id": "9", "post": "700", "text": "hi", "author": "p1"},
        ),
    )
    run_ready_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "queued" and "500" in delivery.error
    retry = DBTaskResult.objects.get(task_path__endswith="process_delivery", status="READY")
    assert retry.run_after is not None


def test_polling_linkedin_ingests_new_notifications_once_and_moves_the_cursor(
    simulated_account, platform_simulator, engine
):
    from civildesk.platforms import services
    from civildesk.simulator.scenario import build_event

    li = simulated_account("linkedin", "urn:li:organization:5")
    build_event(
        platform_simulator,
        "linkedin",
        li.account_id,
        {"event": "comment", "id": "9", "post": "700", "text": "First", "author": "p1", "notification": 1},
    )
    assert services.do_poll(li) == 1
    li.refresh_from_db()
    assert li.poll_cursor and Message.objects.get().text == "First"
    assert services.do_poll(li) == 0  # nothing newer than the cursor
    build_event(
        platform_simulator,
        "linkedin",
        li.account_id,
        {"event": "mention", "id": "88", "text": "Thanks @Council", "author": "p3", "notification": 2},
    )
    platform_simulator.linkedin_notifications[-1]["lastModifiedAt"] = int(li.poll_cursor) + 10
    assert services.do_poll(li) == 1
    assert Message.objects.count() == 2


def test_a_delivery_whose_account_lost_its_credentials_fails_visibly(client, page, engine):
    post(client, page, payloads.facebook_comment("1001", "p1_c1", "p1", "hello", "u1"))
    page.set_credentials({})
    page.save()
    run_ready_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "missing credentials" in delivery.error
