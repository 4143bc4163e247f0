"""The polling fallback runs on its own: one self-renewing chain polls every pollable account,
a refusing platform never stops it, and a duplicate chain ends itself."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from civildesk.inbox.models import Message
from civildesk.inbox.worker import run_ready_tasks
from civildesk.platforms import tasks
from civildesk.simulator.scenario import build_event

pytestmark = pytest.mark.django_db


def queued_polls() -> int:
    return DBTaskResult.objects.filter(task_path=tasks.POLL_TASK_PATH, status="READY").count()


def test_the_chain_polls_linkedin_and_queues_its_next_run(
    simulated_account: Any, platform_simulator: Any, engine: Any, settings: Any
) -> None:
    settings.CIVILDESK_POLL_SECONDS = 300
    li = simulated_account("linkedin", "urn:li:organization:5")
    simulated_account("facebook", "1001")  # Meta has webhooks only: never polled
    build_event(
        platform_simulator,
        "linkedin",
        li.account_id,
        {
            "event": "comment",
            "id": "9",
            "post": "700",
            "text": "Lovely new garden",
            "author": "p1",
            "notification": 1,
        },
    )
    assert tasks.ensure_polling() is True
    assert tasks.ensure_polling() is False  # one chain only
    run_ready_tasks()  # the poll, then the classification it queued
    assert Message.objects.get().text == "Lovely new garden"
    assert [r.path for r in platform_simulator.recorded("facebook")] == []
    nxt = DBTaskResult.objects.get(task_path=tasks.POLL_TASK_PATH, status="READY")
    assert nxt.run_after is not None  # the next run waits its interval


def test_an_expired_token_is_logged_and_the_chain_goes_on(
    simulated_account: Any, platform_simulator: Any, engine: Any, settings: Any, caplog: Any
) -> None:
    settings.CIVILDESK_POLL_SECONDS = 60
    simulated_account("x", "4242")
    platform_simulator.inject("x", "expired_token", op="poll", times=1)
    tasks.ensure_polling()
    run_ready_tasks()
    result = DBTaskResult.objects.filter(task_path=tasks.POLL_TASK_PATH, status="SUCCESSFUL").get()
    assert "AuthExpired" in str(result.return_value)
    assert "polling" in caplog.text and queued_polls() == 1


def test_a_second_chain_ends_itself(simulated_account: Any, settings: Any) -> None:
    settings.CIVILDESK_POLL_SECONDS = 60
    tasks.poll_due_accounts.enqueue()
    tasks.poll_due_accounts.enqueue()  # two workers started together
    run_ready_tasks()
    assert queued_polls() == 1


def test_polling_can_be_turned_off(settings: Any) -> None:
    settings.CIVILDESK_POLL_SECONDS = 0
    assert tasks.ensure_polling() is False and queued_polls() == 0
