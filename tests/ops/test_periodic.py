"""A periodic chain is started once however often it is started, queues its next run as each run
ends, and lets one worker at a time run its body under a lease that runs out if the holder dies."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks_db.models import DBTaskResult

from civildesk.inbox.worker import run_ready_tasks
from civildesk.ops import periodic
from civildesk.ops.models import PeriodicChain

pytestmark = pytest.mark.django_db
TICK = "tests.ops.test_periodic.tick"
EVERY = timedelta(seconds=60)


def every_minute(now: datetime, first: bool) -> datetime | None:
    return now if first else now + EVERY


@task(takes_context=True)
def tick(context: TaskContext) -> str:
    me = str(context.task_result.id)
    try:
        with periodic.leased(CHAIN, me) as mine:
            return "ran" if mine else "busy"
    finally:
        periodic.schedule_next(CHAIN, current=me)


CHAIN = periodic.Chain("tests.tick", tick, every_minute)


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=TICK, status="READY"))


def test_starting_the_chain_twice_queues_one_run() -> None:
    first = periodic.ensure(CHAIN)
    again = periodic.ensure(CHAIN)
    assert first is not None and first.started
    assert again == periodic.Queued(first.task_id, started=False)
    assert [str(r.id) for r in queued()] == [first.task_id]
    assert periodic.is_scheduled(CHAIN.name)


def test_a_chain_that_is_off_queues_nothing() -> None:
    off = periodic.Chain("tests.off", tick, lambda now, first: None)
    assert periodic.ensure(off) is None and queued() == []
    assert not periodic.is_scheduled(off.name)


def test_each_run_queues_the_next_one_after_the_interval() -> None:
    periodic.ensure(CHAIN)
    assert run_ready_tasks() == 1
    assert DBTaskResult.objects.get(task_path=TICK, status="SUCCESSFUL").return_value == "ran"
    (nxt,) = queued()
    assert PeriodicChain.objects.get(name=CHAIN.name).next_task_id == str(nxt.id)
    assert nxt.run_after is not None and nxt.run_after > timezone.now()
    assert run_ready_tasks() == 0  # not due yet


def test_the_next_run_is_due_the_interval_after_the_current_one() -> None:
    start = periodic.ensure(CHAIN)
    assert start is not None
    now = timezone.now()
    nxt = periodic.schedule_next(CHAIN, current=start.task_id, now=now)
    assert nxt is not None and nxt.started
    assert DBTaskResult.objects.get(id=nxt.task_id).run_after == now + EVERY


def test_a_run_that_is_not_the_next_link_queues_nothing() -> None:
    chain = periodic.ensure(CHAIN)
    assert chain is not None
    DBTaskResult.objects.filter(id=chain.task_id).update(run_after=timezone.now() + timedelta(minutes=5))
    tick.enqueue()  # a second chain, as two workers starting together could have made
    assert run_ready_tasks() == 1
    assert [str(r.id) for r in queued()] == [chain.task_id]


def test_ensure_all_starts_every_registered_chain(monkeypatch: Any) -> None:
    monkeypatch.setattr(periodic, "_chains", {})
    periodic.register(CHAIN)
    started = periodic.ensure_all()
    assert list(started) == [CHAIN.name] and len(queued()) == 1
    assert periodic.ensure_all()[CHAIN.name] == periodic.Queued(str(queued()[0].id), started=False)


def test_the_lease_is_refused_while_another_worker_holds_it() -> None:
    assert periodic.acquire_lease(CHAIN.name, "worker-a")
    assert not periodic.acquire_lease(CHAIN.name, "worker-b")
    assert periodic.acquire_lease(CHAIN.name, "worker-a")  # the holder may renew it
    periodic.release_lease(CHAIN.name, "worker-b")  # not the holder's: changes nothing
    assert not periodic.acquire_lease(CHAIN.name, "worker-b")
    periodic.release_lease(CHAIN.name, "worker-a")
    assert periodic.acquire_lease(CHAIN.name, "worker-b")


def test_a_run_finding_the_lease_held_skips_the_body_but_keeps_the_chain() -> None:
    periodic.ensure(CHAIN)
    assert periodic.acquire_lease(CHAIN.name, "another-worker")
    assert run_ready_tasks() == 1
    assert DBTaskResult.objects.get(task_path=TICK, status="SUCCESSFUL").return_value == "busy"
    assert len(queued()) == 1
    assert PeriodicChain.objects.get(name=CHAIN.name).lease_holder == "another-worker"


def test_the_lease_of_a_worker_that_died_is_taken_over_once_it_runs_out() -> None:
    now = timezone.now()
    ttl = timedelta(minutes=10)
    assert periodic.acquire_lease(CHAIN.name, "worker-that-died", ttl=ttl, now=now)
    assert not periodic.acquire_lease(CHAIN.name, "worker-b", ttl=ttl, now=now + ttl - timedelta(seconds=1))
    assert periodic.acquire_lease(CHAIN.name, "worker-b", ttl=ttl, now=now + ttl)
    assert PeriodicChain.objects.get(name=CHAIN.name).lease_holder == "worker-b"
