"""An operator's view: the load balancer's probes and the Prometheus scrape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.tasks import classify_message
from civildesk.ops import metrics, views
from civildesk.ops.metrics import Metric, exposition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

WEDNESDAY_4PM = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def arrive(pid: str, text: str, when: datetime) -> None:
    ingest(
        InboundMessage(
            platform="x",
            account_id="trust",
            platform_id=pid,
            kind="mention",
            text=text,
            author_id="u1",
            created_at=when,
        ),
        now=when,
    )


def test_liveness_needs_no_database(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_ready_when_the_database_is_migrated_and_the_policy_loads(client: Client) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["ready"] is True
    assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"
    assert body["checks"]["policy"].startswith("20")  # the policy version


def test_not_ready_names_the_failing_check(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def unmigrated() -> str:
        raise RuntimeError("2 migration(s) not applied: inbox.0009_x, inbox.0010_y")

    monkeypatch.setattr(views, "_check_migrations", unmigrated)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"].startswith("failed: RuntimeError: 2 migration(s)")


def test_metrics_from_another_machine_need_the_token(client: Client, settings: Any) -> None:
    settings.CIVILDESK_METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    settings.CIVILDESK_METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain; version=0.0.4")


def test_queue_depth_unclassified_and_sla_figures(engine: Any, client: Client) -> None:
    """Two messages wait to be classified at 16:00 on a Wednesday: both are due at 17:00 today
    (arrived before the 16:00 cut-off) so both are at risk; the queue holds their two tasks."""
    arrive("1", "when does the cafe open?", WEDNESDAY_4PM - timedelta(hours=3))
    arrive("2", "my appointment letter never came", WEDNESDAY_4PM - timedelta(hours=2))
    figures = {m.name: m for m in metrics.collect(WEDNESDAY_4PM + timedelta(minutes=1))}
    queued = {dict(s.labels)["status"]: s.value for s in figures["civildesk_tasks"].samples}
    assert queued == {"ready": 2}
    assert figures["civildesk_messages_unclassified"].samples[0].value == 2
    assert figures["civildesk_sla_at_risk"].samples[0].value == 2
    assert figures["civildesk_sla_breached"].samples[0].value == 0
    # tasks are stamped with the real clock: five minutes from now the oldest has waited >= 5 min
    later = {m.name: m for m in metrics.collect(timezone.now() + timedelta(minutes=5))}
    assert later["civildesk_task_oldest_ready_age_seconds"].samples[0].value >= 299

    # The worker runs the tasks: nothing is queued or unclassified any more; latency is measured.
    for result in DBTaskResult.objects.all():
        classify_message.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    after = {m.name: m for m in metrics.collect(WEDNESDAY_4PM + timedelta(hours=2))}
    assert after["civildesk_messages_unclassified"].samples[0].value == 0
    assert after["civildesk_sla_breached"].samples[0].value == 2  # 18:00, nobody replied


def test_exposition_format_escapes_label_values() -> None:
    text = exposition([Metric("civildesk_x", "Help.", "gauge").add(3, queue='a"b\\c\nd')])
    assert text == (
        '# HELP civildesk_x Help.\n# TYPE civildesk_x gauge\ncivildesk_x{queue="a\\"b\\\\c\\nd"} 3\n'
    )


def test_a_scrape_carries_no_message_text(engine: Any, client: Client) -> None:
    arrive("1", "my NHS number is 943 476 5919 please help", WEDNESDAY_4PM)
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert "civildesk_messages_unclassified 1" in body
    assert "943" not in body and "NHS" not in body
