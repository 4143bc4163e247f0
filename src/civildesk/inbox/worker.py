"""Run queued tasks in this process: for tests, the benchmark and `civildesk demo` (which loads the
demo inbox before the web server starts). The long-running worker is django-tasks-db's
``db_worker`` (``civildesk worker``); this uses the same claim-then-run steps, one task at a time.
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def run_ready_tasks(*, limit: int | None = None, worker_id: str = "inline") -> int:
    """Run every task that is ready now (deferred retries stay queued); return how many ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    ran = 0
    while limit is None or ran < limit:
        with exclusive_transaction(DBTaskResult.objects.db):
            result = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if result is None:
                break
            result.claim(worker_id)
        worker.run_task(result)
        ran += 1
    return ran
