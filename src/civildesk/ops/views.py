"""Liveness, readiness and metrics endpoints for load balancers, systemd and Prometheus.

- ``/healthz``: the process is up and answering (no database call: a slow database must not get
  healthy processes killed).
- ``/readyz``: this process can do its job: the database answers, every migration is applied,
  the policy loads. 503 with the failing checks otherwise, so a load balancer stops sending
  traffic to a process started against a database that was not migrated.
- ``/metrics``: Prometheus text. Counts only, no message text or personal data; still, it is
  served only with the bearer token in CIVILDESK_METRICS_TOKEN, or, when none is set, only to a
  scraper on the same machine (loopback).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civildesk.inbox import desk
from civildesk.ops.metrics import collect, exposition

_migrations_checked = False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


def _check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_migrations() -> str:
    # Once applied they stay applied for this process's life: check until the first success.
    global _migrations_checked
    if _migrations_checked:
        return "ok"
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        raise RuntimeError(f"{len(pending)} migration(s) not applied: {names}")
    _migrations_checked = True
    return "ok"


def _check_policy() -> str:
    return desk.policy().version


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    ready = True
    for name, check in (
        ("database", _check_database),
        ("migrations", _check_migrations),
        ("policy", _check_policy),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # a readiness probe reports any failure, it never raises
            ready = False
            checks[name] = f"failed: {type(exc).__name__}: {exc}"
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "CIVILDESK_METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    # Through the reverse proxy every request arrives from loopback: a forwarded request proves
    # nothing about where it came from, so only a direct scrape gets in without the token.
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_X_FORWARDED_PROTO" in request.META:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("metrics need the bearer token\n", status=403, content_type="text/plain")
    return HttpResponse(exposition(collect()), content_type="text/plain; version=0.0.4; charset=utf-8")
