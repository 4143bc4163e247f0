"""Security headers on every page, and the production-only ones (HSTS, secure cookies).

Every GET route of the authorisation matrix is fetched as the admin (who may open all of them)
and its headers checked: a strict Content-Security-Policy (never an inline script; inline styles
only where INLINE_STYLE_PREFIXES says why), no framing, no MIME sniffing, no referrer to other
sites; the report's SVG charts answer with a policy of their own and are never kept by a shared
cache. The production settings are checked in a separate process started with
CIVILDESK_ENV=production, since the settings module reads the environment once, at import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from civildesk.reports.views import CHART_CSP
from civildesk.web.middleware import CSP, INLINE_STYLE_PREFIXES
from civildesk.web.settings import load_config
from tests.security.conftest import World
from tests.security.test_authorisation_matrix import MATRIX, ask

pytestmark = pytest.mark.django_db

GETS = [(route, check) for route, checks in MATRIX.items() for check in checks if check.method == "GET"]


def directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize(("route", "check"), GETS, ids=[f"/{r}" for r, _ in GETS])
def test_every_page_sends_the_security_headers(world: World, route: str, check: Any) -> None:
    response = ask(world, route, check, "admin")
    path = response.wsgi_request.path
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if response.get("Content-Type") == "image/svg+xml":
        assert response["Content-Security-Policy"] == CHART_CSP
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        return
    if "text/html" not in response.get("Content-Type", ""):
        return
    assert response["X-Frame-Options"] == "DENY"
    csp = directives(response["Content-Security-Policy"])
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["script-src"] == "script-src 'self'"
    assert csp["object-src"] == "object-src 'none'"
    assert csp["base-uri"] == "base-uri 'self'"
    if not path.startswith(INLINE_STYLE_PREFIXES):
        assert "unsafe-inline" not in response["Content-Security-Policy"], path
        assert "unsafe-eval" not in response["Content-Security-Policy"], path


def test_only_the_admin_may_use_inline_styles(world: World) -> None:
    # The weekly report used to be the other exception, for its inline SVG charts; they are <img>
    # now, so the report pages get the desk's policy exactly.
    assert INLINE_STYLE_PREFIXES == ("/admin/",)
    client = world.client("viewer")
    for path in ("/reports/", "/reports/?week=2026-W40", "/reports/2026-W40/report.html"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == CSP, path
    assert "unsafe-inline" in world.client("admin").get("/admin/")["Content-Security-Policy"]


def test_error_pages_send_them_too(world: World) -> None:
    for response in (world.client("viewer").get("/admin/"), world.client("admin").get("/no-such-page/")):
        assert response.status_code in (403, 404)
        assert "unsafe-inline" not in response["Content-Security-Policy"].split("style-src")[0]
        assert response["X-Frame-Options"] == "DENY"


def test_production_config_refuses_what_would_weaken_it() -> None:
    good = {
        "CIVILDESK_ENV": "production",
        "CIVILDESK_SECRET_KEY": "k" * 25 + "Q7%zP!x2#mA9&wL4^rT8@bN6*cV3$y",
        "CIVILDESK_ALLOWED_HOSTS": "desk.example.nhs.uk",
    }
    config = load_config(good)
    assert config.production and not config.debug
    from civildesk.web.settings import ConfigError

    with pytest.raises(ConfigError):
        load_config({**good, "CIVILDESK_DEBUG": "1"})
    with pytest.raises(ConfigError):
        load_config({k: v for k, v in good.items() if k != "CIVILDESK_SECRET_KEY"})


PRODUCTION_PROBE = textwrap.dedent(
    """
    import json, django
    django.setup()
    from django.conf import settings
    from django.test import Client
    client = Client(headers={"host": "desk.example.nhs.uk"})
    page = client.get("/login/", secure=True)
    cookie = page.cookies[settings.CSRF_COOKIE_NAME]
    print(json.dumps({
        "status": page.status_code,
        "hsts": page.get("Strict-Transport-Security", ""),
        "csrf_cookie_secure": bool(cookie["secure"]),
        "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
        "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
        "proxy_ssl_header": list(settings.SECURE_PROXY_SSL_HEADER or ()),
        "debug": settings.DEBUG,
    }))
    """
)


def test_production_sends_hsts_and_secure_cookies(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "civildesk.web.settings",
        "CIVILDESK_ENV": "production",
        "CIVILDESK_SECRET_KEY": "k" * 25 + "Q7%zP!x2#mA9&wL4^rT8@bN6*cV3$y",
        "CIVILDESK_ALLOWED_HOSTS": "desk.example.nhs.uk",
        "CIVILDESK_CREDENTIALS_KEY": Fernet.generate_key().decode(),
        "CIVILDESK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("CIVILDESK_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert seen["hsts"].startswith("max-age=31536000")
    assert seen["csrf_cookie_secure"] and seen["session_cookie_secure"] and seen["session_cookie_httponly"]
    assert seen["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["debug"] is False
