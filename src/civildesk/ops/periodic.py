"""Self-renewing task chains: a task that, as each run ends, queues its own next run with
``run_after`` (the appeals mailbox poll, the platform polling fallback).

Each chain has one ``PeriodicChain`` row. It remembers the queued next link, so starting the chain
again (every worker start, ``migrate``, by hand) never adds a second one: the row is locked while
the next link is chosen (SELECT FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions take the
write lock up front), and the task is queued in that same transaction. A run that is not the next
link (queued by hand, or left by an older release) does its work and ends without queueing.

The row also holds a lease, taken by a conditional UPDATE (atomic on both databases), so only one
worker runs the body at a time. A worker killed mid-run leaves the lease behind, and it runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from civildesk.ops.models import PeriodicChain

DEFAULT_LEASE: Final = timedelta(minutes=10)
_PENDING: Final = (TaskResultStatus.READY, TaskResultStatus.RUNNING)

# When the next run is due: (now, first) -> a time, or None while the chain is off. ``first`` is
# True when the chain is being started rather than renewed by a run that is ending.
NextRun = Callable[[datetime, bool], datetime | None]


@dataclass(frozen=True)
class Chain:
    name: str
    task: Task[[], Any]
    next_run: NextRun
    lease: timedelta = DEFAULT_LEASE  # longer than any run, or a slow run gets a twin


@dataclass(frozen=True)
class Queued:
    task_id: str
    started: bool  # False: the chain's next run was queued already


_chains: dict[str, Chain] = {}


def register(chain: Chain) -> Chain:
    """Let ``ensure_all`` start this chain; apps register theirs when they load."""
    _chains[chain.name] = chain
    return chain


def registered() -> list[Chain]:
    return list(_chains.values())


def _row(name: str) -> None:
    # Outside the locking transaction: get_or_create survives two workers creating it at once.
    PeriodicChain.objects.get_or_create(name=name)


def is_queued(task_id: str) -> bool:
    """Whether this task is still waiting to run, or running."""
    return bool(task_id) and DBTaskResult.objects.filter(id=task_id, status__in=_PENDING).exists()


def is_scheduled(name: str) -> bool:
    """Whether the chain's next run is queued. Reads only, so a page may ask."""
    queued = PeriodicChain.objects.filter(name=name).values_list("next_task_id", flat=True).first()
    return queued is not None and is_queued(queued)


def schedule_next(chain: Chain, *, current: str | None, now: datetime | None = None) -> Queued | None:
    """Queue the chain's next run unless one is queued already; None while the chain is off.

    ``current`` is the run now ending (None when starting the chain)."""
    now = now or timezone.now()
    run_after = chain.next_run(now, current is None)
    if run_after is None:
        return None
    _row(chain.name)
    with transaction.atomic():
        row = PeriodicChain.objects.select_for_update().get(name=chain.name)
        queued = row.next_task_id
        if queued and queued != current and is_queued(queued):
            return Queued(queued, started=False)
        result = chain.task.using(run_after=run_after).enqueue()
        row.next_task_id = str(result.id)
        row.save(update_fields=["next_task_id"])
    return Queued(str(result.id), started=True)


def ensure(chain: Chain) -> Queued | None:
    """Start the chain unless its next run is queued (idempotent); None while it is off."""
    return schedule_next(chain, current=None)


def ensure_all() -> dict[str, Queued | None]:
    """Start every registered chain that is not running (a worker calls this as it starts)."""
    return {chain.name: ensure(chain) for chain in registered()}


def acquire_lease(
    name: str, holder: str, *, ttl: timedelta = DEFAULT_LEASE, now: datetime | None = None
) -> bool:
    """Take (or renew) the chain's lease for ``ttl``; False while another holder's is running."""
    now = now or timezone.now()
    _row(name)
    taken = (
        PeriodicChain.objects.filter(name=name)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now) | Q(lease_holder=holder))
        .update(lease_holder=holder, lease_until=now + ttl)
    )
    return taken == 1


def release_lease(name: str, holder: str) -> None:
    PeriodicChain.objects.filter(name=name, lease_holder=holder).update(lease_holder="", lease_until=None)


@contextmanager
def leased(chain: Chain, holder: str) -> Iterator[bool]:
    """``with leased(chain, me) as mine:`` -- run the body only if ``mine``; given back after."""
    mine = acquire_lease(chain.name, holder, ttl=chain.lease)
    try:
        yield mine
    finally:
        if mine:
            release_lease(chain.name, holder)
