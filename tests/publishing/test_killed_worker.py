"""A real worker process killed with SIGKILL right after the platform accepted a post: the post is
not published a second time by any later worker, and the desk marks it for a person to check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from civildesk.inbox.models import Account
from civildesk.publishing import services
from civildesk.web.models import StaffProfile
user = get_user_model().objects.create_user("writer", password="a long passphrase for the desk")
StaffProfile.objects.create(user=user, role="officer")
account = Account.objects.create(platform="x", platform_account_id="trust-x")
now = timezone.now()
draft = services.Draft(text="Open on Saturday", account_ids=(account.pk,), scheduled_at=now + timedelta(seconds=1))
services.create_post(user, draft, now=now - timedelta(seconds=1))
import time; time.sleep(1.5)
"""

REDELIVER = """
from django.utils import timezone
from civildesk.publishing import tasks
from civildesk.publishing.models import PostTarget
tasks.enqueue(PostTarget.objects.select_related("post").get(), timezone.now())
"""

STATE = """
from datetime import timedelta
from django.utils import timezone
from unittest import mock
from civildesk.publishing import tasks
from civildesk.publishing.models import PostTarget
later = timezone.now() + tasks.SENDING_LEASE + timedelta(minutes=1)
with mock.patch("django.utils.timezone.now", return_value=later):
    tasks.reconcile()
print(PostTarget.objects.get().state)
"""


def run(env: dict[str, str], *args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = (
        [sys.executable, "-c", f"import django; django.setup()\n{code}"]
        if code
        else [
            sys.executable,
            "-m",
            "civildesk.cli",
            *args,
        ]
    )
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)


@pytest.mark.slow
def test_a_worker_killed_after_publishing_does_not_publish_twice(tmp_path: Path) -> None:
    log = tmp_path / "published.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.publishing.kill_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'desk.sqlite3'}",
        "CIVILDESK_DATA_DIR": str(tmp_path),
        "CIVILDESK_USE_MODEL": "0",
        "CIVILDESK_TEST_PUBLISH_LOG": str(log),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("CIVILDESK_ENV", None)
    assert run(env, "manage", "migrate", "--verbosity", "0").returncode == 0
    setup = run(env, code=SETUP)
    assert setup.returncode == 0, setup.stderr

    killed = run({**env, "CIVILDESK_TEST_KILL": "after"}, "worker", "--batch", "--verbosity", "0")
    assert killed.returncode == -9  # SIGKILL: nothing after the platform call ran
    assert log.read_text(encoding="utf-8").splitlines() == ["trust-x\tOpen on Saturday"]

    # The task is queued again (as a redelivery would) and a healthy worker runs it.
    assert run(env, code=REDELIVER).returncode == 0
    again = run(env, "worker", "--batch", "--verbosity", "0")
    assert again.returncode == 0, again.stderr
    state = run(env, code=STATE)
    assert state.returncode == 0, state.stderr
    assert state.stdout.strip() == "unknown"  # a person checks the platform
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1
