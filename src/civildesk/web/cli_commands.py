"""The desk's commands for the ``civildesk`` console script: serve, worker, demo, import, manage.

Importing this module is cheap (Django starts only when a command runs), so ``civildesk
classify`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

DEMO_ADMIN = "demo-admin"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civildesk.web.settings")
    import django

    django.setup()


def add_subcommands(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the web desk (development server; see README for production)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--with-worker", action="store_true", help="also start one background worker")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run a background worker (classification, replies, alerts)")
    p.add_argument("--interval", type=float, default=0.2, help="seconds between polls when idle")
    p.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    p.add_argument("--max-tasks", type=int, default=None)
    p.add_argument("--verbosity", type=int, default=1)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("demo", help="set up a demo desk: migrate, demo admin, demo inbox (--serve to run it)")
    p.add_argument("--serve", action="store_true", help="then start web + one worker and print the URL")
    p.add_argument(
        "--no-live",
        dest="live",
        action="store_false",
        help="with --serve: do not start the platform simulator that sends new messages to the desk",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", help="ingest messages from a JSON Lines or CSV file")
    p.add_argument("file", help="a .jsonl or .csv file ('-' for JSON Lines on stdin)")
    p.add_argument("--format", choices=("auto", "jsonl", "csv"), default="auto")
    p.add_argument("--account", default="import", help="organisation account id when a row has none")
    p.add_argument(
        "--classify-now", action="store_true", help="classify in this process instead of the worker"
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("manage", help="Django's manage.py (migrate, createsuperuser, ...)", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)


def cmd_manage(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["civildesk manage", *args.rest])
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _django()
    _limit_encoder_threads()
    from django.core.management import call_command

    options: dict[str, Any] = {
        "queue_name": "*",
        "interval": args.interval,
        "batch": args.batch,
        "reload": False,
        "startup_delay": not args.batch,
        "verbosity": args.verbosity,
    }
    if args.max_tasks:
        options["max_tasks"] = args.max_tasks
    from civildesk.ops import periodic, recovery

    # Beat while alive and give back what dead workers left RUNNING (civildesk.ops.recovery).
    worker_id = recovery.new_worker_id()
    recovery.register(worker_id)
    recovery.requeue_orphans()
    if not args.batch:
        # The periodic chains belong to long-running workers, not to a batch run that drains
        # the queue and exits: the appeals mailbox poll and the webhook fallback for X and
        # LinkedIn, each started only if it stopped (civildesk.ops.periodic).
        periodic.ensure_all()
    heartbeat = recovery.Heartbeat(worker_id)
    heartbeat.start()
    try:
        call_command("db_worker", worker_id=worker_id, **options)
    finally:
        heartbeat.stop()
        recovery.stopped(worker_id)
    return 0


def _die_with_parent() -> None:
    """In the worker child: get SIGTERM if the web process dies, even by SIGKILL (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _limit_encoder_threads() -> None:
    """One worker = one core for the sentence encoder (CIVILDESK_WORKER_THREADS, default 1).

    onnxruntime would otherwise start a spinning thread per core in every worker, so two
    workers plus the web process and the database fight over the same cores. Scale out with more
    worker processes, not more threads per worker."""
    threads = int(os.environ.get("CIVILDESK_WORKER_THREADS", "1") or 1)
    try:
        from civildesk.ml import encoder as encoder_module
    except ImportError:
        return
    if getattr(encoder_module, "_shared", None) is None and hasattr(encoder_module, "Encoder"):
        encoder_module._shared = encoder_module.Encoder(threads=threads)


def _start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "civildesk.cli", "worker", "--verbosity", "0"],
        preexec_fn=_die_with_parent,  # safe: no threads have started yet in this process
    )


def _terminate_gracefully() -> None:
    """SIGTERM (from a process manager, `kill`) stops the server like Ctrl+C, so the worker we
    started is stopped too."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _runserver(host: str, port: int) -> None:
    from django.core.management import call_command

    call_command("runserver", f"{host}:{port}", use_reloader=False, skip_checks=True)


def cmd_serve(args: argparse.Namespace) -> int:
    _django()
    from civildesk.web import frontend

    frontend.ensure()
    _terminate_gracefully()
    worker = _start_worker() if args.with_worker else None
    try:
        _runserver(args.host, args.port)
    except KeyboardInterrupt:
        pass
    finally:
        if worker is not None:
            _stop(worker)
    return 0


def create_demo_admin() -> str | None:
    """Create the demo admin with a random password; return it (None if it already exists)."""
    from django.contrib.auth import get_user_model

    from civildesk.web.models import StaffProfile

    users = get_user_model().objects
    if users.filter(username=DEMO_ADMIN).exists():
        return None
    password = secrets.token_urlsafe(12)
    user = users.create_user(DEMO_ADMIN, email="demo-admin@localhost", password=password, first_name="Demo")
    StaffProfile.objects.create(user=user, role="admin", job_title="Demo administrator")
    return password


def cmd_demo(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import call_command

    from civildesk.web import frontend
    from civildesk.web.demo import load_demo_inbox

    try:
        frontend.ensure()
    except frontend.FrontendMissing as exc:
        print(f"warning: {exc}; pages will be unstyled", file=sys.stderr)
    call_command("migrate", interactive=False, verbosity=0)
    password = create_demo_admin()
    loaded = load_demo_inbox(classify_now=not args.serve)
    print(f"Demo inbox: {loaded.created} new messages ({loaded.total} in the file) across 4 platforms.")
    if password:
        print()
        print(f"  Demo admin user name: {DEMO_ADMIN}")
        print(f"  Demo admin password:  {password}")
        print("  (shown once: change it with `civildesk manage changepassword demo-admin`)")
        print()
    else:
        print(f"The demo admin '{DEMO_ADMIN}' already exists (its password was shown when it was created).")
    if not args.serve:
        print("Start it with: civildesk serve --with-worker")
        return 0
    _terminate_gracefully()
    worker = _start_worker()
    url = f"http://{args.host}:{args.port}/"
    simulator = _SimulatorWhenUp(url, args.host) if args.live else None
    print(f"civildesk is running at {url}  (web + 1 worker; Ctrl+C stops both)", flush=True)
    try:
        if simulator is not None:
            simulator.start()
        _runserver(args.host, args.port)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(worker)
        if simulator is not None:
            simulator.stop()
    return 0


LIVE_SCENARIO = Path(__file__).resolve().parents[1] / "simulator" / "scenarios" / "live.yaml"


class _SimulatorWhenUp(threading.Thread):
    """Once the desk answers, start the platform simulator: it connects the demo's four accounts
    to itself and plays ``live.yaml`` at the desk's webhooks, so the demo inbox changes live and
    every hide, reply or delete on the desk reaches a (simulated) platform."""

    def __init__(self, desk_url: str, host: str) -> None:
        super().__init__(name="demo-simulator", daemon=True)
        self.desk_url, self.host = desk_url, host
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()

    def run(self) -> None:
        for _ in range(300):
            if self._stopping.wait(0.2):
                return
            try:
                urllib.request.urlopen(self.desk_url + "healthz", timeout=2).close()
                break
            except OSError:
                continue
        else:
            print("warning: the desk did not answer; the platform simulator was not started", file=sys.stderr)
            return
        with socket.socket() as s:
            s.bind((self.host, 0))
            port = s.getsockname()[1]
        command = [sys.executable, "-m", "civildesk.cli", "simulate", "--connect-desk"]
        command += ["--scenario", str(LIVE_SCENARIO), "--desk-url", self.desk_url]
        command += ["--host", self.host, "--port", str(port)]
        # only sets the parent-death signal, which is safe with threads running
        self.process = subprocess.Popen(command, preexec_fn=_die_with_parent)
        # The parent-death signal follows the thread that started the child: stay alive.
        self._stopping.wait()

    def stop(self) -> None:
        self._stopping.set()
        if self.process is not None:
            _stop(self.process)


def cmd_import(args: argparse.Namespace) -> int:
    _django()
    from civildesk.inbox.importer import ImportFailed, import_rows, read_rows
    from civildesk.inbox.worker import run_ready_tasks

    fmt = args.format
    if fmt == "auto":
        fmt = "csv" if str(args.file).lower().endswith(".csv") else "jsonl"
    try:
        if args.file == "-":
            rows = read_rows(sys.stdin, fmt)
            report = import_rows(rows, default_account=args.account)
        else:
            path = Path(args.file)
            with path.open(encoding="utf-8", newline="") as handle:
                report = import_rows(read_rows(handle, fmt), default_account=args.account)
    except (OSError, UnicodeDecodeError, ImportFailed) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    classified = run_ready_tasks() if args.classify_now else 0
    for line, problem in report.errors:
        print(f"line {line}: {problem}", file=sys.stderr)
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(report.outcomes.items())) or "nothing"
    print(f"imported: {summary}; {len(report.errors)} errors")
    if args.classify_now:
        print(f"classified {classified} in {time.perf_counter() - started:.1f}s")
    return 1 if report.errors and not report.outcomes else 0
