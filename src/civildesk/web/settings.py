"""Django settings, built from ONE typed ``Config`` read from the environment.

Every knob is an environment variable (twelve-factor), parsed and checked in ``load_config`` so a
mistake fails at start-up with a sentence, not at the first request. In production the config
refuses the development secret key and DEBUG: a desk holding people's mental-health messages must
never run with a guessable session key or with tracebacks shown to the public.

Variables (all optional outside production):
  CIVILDESK_ENV            development | test | production (default development)
  CIVILDESK_SECRET_KEY     required in production, >= 50 characters
  CIVILDESK_DEBUG          1/0 (default 0); refused in production
  DATABASE_URL             default sqlite:///<data dir>/civildesk.sqlite3; postgres://... for PostgreSQL
  CIVILDESK_DATA_DIR       where the SQLite file lives (default ./var)
  CIVILDESK_ALLOWED_HOSTS  comma-separated (default localhost,127.0.0.1,[::1],testserver outside production)
  CIVILDESK_CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://desk.example.nhs.uk
  CIVILDESK_TRUSTED_PROXIES  comma-separated proxy addresses or networks (IPv4/IPv6, e.g. 127.0.0.1,
                           10.0.0.0/8) whose X-Forwarded-For is believed (default: none, REMOTE_ADDR only)
  CIVILDESK_POLICY         path to a policy.yaml (default: the shipped policy)
  CIVILDESK_ONCALL_EMAIL   on-call address alerted about out-of-hours crisis messages
  CIVILDESK_ONCALL_WEBHOOK_URL  optional URL that receives the same alert as JSON
  CIVILDESK_EMAIL_BACKEND  Django e-mail backend path (default: console backend outside production, SMTP in it)
  CIVILDESK_EMAIL_HOST / _PORT / _USER / _PASSWORD / _USE_TLS, CIVILDESK_FROM_EMAIL
  CIVILDESK_LOGIN_MAX_FAILURES (default 5), CIVILDESK_LOGIN_LOCKOUT_MINUTES (default 15)
  CIVILDESK_CONNECTORS     dotted path of the connector factory used to send replies
  CIVILDESK_USE_MODEL      1/0: classify with the learned heads as well as the rules (default 1)
  CIVILDESK_BASE_URL       the desk's public URL, used in on-call alerts (default http://localhost:8000)
  CIVILDESK_CREDENTIALS_KEY  Fernet key(s) for platform credentials, newest first (required in production)
  CIVILDESK_METRICS_TOKEN  bearer token Prometheus sends to /metrics (without one, loopback scrapes only)
  CIVILDESK_WORKER_STALE_SECONDS  a worker silent this long is dead and its task requeued (default 30)
  CIVILDESK_POLL_SECONDS   how often X and LinkedIn accounts are polled as a webhook fallback (default 300; 0 off)
  CIVILDESK_PLATFORM_BASE_URL  send connectors to <url>/<platform> instead of the platforms (the simulator)
  CIVILDESK_APPEALS_IMAP_HOST / _PORT / _USER / _PASSWORD / _FOLDER  the appeals mailbox (unset: not read)
  CIVILDESK_APPEALS_IMAP_SECURITY  ssl (default, port 993) | starttls (port 143) | none (refused in production)
  CIVILDESK_APPEALS_IMAP_POLL_SECONDS  how often the worker reads it (default 60; back-off while it fails)
"""

from __future__ import annotations

import dataclasses  # issue 9: appeals mailbox (a password kept out of Config's repr)
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import dj_database_url

Environment = Literal["development", "test", "production"]
ENVIRONMENTS: tuple[Environment, ...] = ("development", "test", "production")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Deliberately long and obviously fake: usable on a laptop, refused in production.
DEV_SECRET_KEY = "civildesk-insecure-development-key-never-use-in-production-0123456789"
DEFAULT_CONNECTORS = "civildesk.inbox.connectors.default_factory"
PACKAGE_DIR = Path(__file__).resolve().parent
# A source checkout keeps node_modules beside pyproject.toml; an installed wheel has none.
SOURCE_ROOT = PACKAGE_DIR.parents[2]


class ConfigError(ValueError):
    """The environment describes a configuration civildesk refuses to start with."""


@dataclass(frozen=True, slots=True)
class Config:
    environment: Environment
    secret_key: str
    debug: bool
    database_url: str
    data_dir: Path
    allowed_hosts: tuple[str, ...]
    csrf_trusted_origins: tuple[str, ...]
    policy_path: str | None
    oncall_email: str
    oncall_webhook_url: str
    email_backend: str
    email_host: str
    email_port: int
    email_user: str
    email_password: str
    email_use_tls: bool
    from_email: str
    login_max_failures: int
    login_lockout_minutes: int
    connectors: str
    use_model: bool
    base_url: str
    metrics_token: str = ""
    worker_stale_seconds: int = 30
    poll_seconds: int = 300
    # issue 9: the appeals mailbox (read over IMAP by the worker; empty host = not read)
    appeals_imap_host: str = ""
    appeals_imap_port: int = 993
    appeals_imap_user: str = ""
    appeals_imap_password: str = dataclasses.field(default="", repr=False)  # never printed or logged
    appeals_imap_folder: str = "INBOX"
    appeals_imap_security: str = "ssl"
    appeals_imap_poll_seconds: int = 60
    trusted_proxies: tuple[Network, ...] = ()

    @property
    def production(self) -> bool:
        return self.environment == "production"


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r}: expected 1/0, true/false, yes/no or on/off")


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from exc
    if value < minimum:
        raise ConfigError(f"{name}={value}: must be at least {minimum}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


def _networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    networks = []
    for entry in _list(env, name):
        try:
            networks.append(ipaddress.ip_network(entry))
        except ValueError as exc:
            # strict parsing: "10.0.0.1/8" is refused rather than quietly widened to a whole /8
            try:
                widened = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                hint = ""
            else:
                hint = f" (did you mean {widened}?)"
            raise ConfigError(f"{name}: {entry!r} is not an IP address or network{hint}") from exc
    return tuple(networks)


def load_config(env: Mapping[str, str], *, cwd: Path | None = None) -> Config:
    """Parse and check the environment; raise ConfigError with a readable reason."""
    environment = env.get("CIVILDESK_ENV", "development").strip().lower() or "development"
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"CIVILDESK_ENV={environment!r}: expected one of {', '.join(ENVIRONMENTS)}")
    production = environment == "production"

    secret_key = env.get("CIVILDESK_SECRET_KEY", "").strip()
    debug = _flag(env, "CIVILDESK_DEBUG", default=False)
    if production:
        if not secret_key or secret_key == DEV_SECRET_KEY:
            raise ConfigError("production needs CIVILDESK_SECRET_KEY (the development key is refused)")
        if len(secret_key) < 50 or len(set(secret_key)) < 5:
            raise ConfigError("CIVILDESK_SECRET_KEY is too weak: use at least 50 random characters")
        if debug:
            raise ConfigError("CIVILDESK_DEBUG must be off in production (tracebacks would be public)")
    secret_key = secret_key or DEV_SECRET_KEY

    data_dir = Path(env.get("CIVILDESK_DATA_DIR", "") or (cwd or Path.cwd()) / "var")
    database_url = env.get("DATABASE_URL", "").strip() or f"sqlite:///{data_dir / 'civildesk.sqlite3'}"
    if not database_url.startswith(("sqlite:", "postgres:", "postgresql:", "pgsql:")):
        raise ConfigError("DATABASE_URL: civildesk supports sqlite:/// and postgres:// URLs")

    hosts = _list(env, "CIVILDESK_ALLOWED_HOSTS")
    if not hosts:
        if production:
            raise ConfigError("production needs CIVILDESK_ALLOWED_HOSTS (the desk's host name)")
        hosts = ("localhost", "127.0.0.1", "[::1]", "testserver")

    # issue 9: appeals mailbox security (the password must not cross the network in clear in production)
    appeals_security = env.get("CIVILDESK_APPEALS_IMAP_SECURITY", "").strip().lower() or "ssl"
    if appeals_security not in ("ssl", "starttls", "none"):
        raise ConfigError(
            f"CIVILDESK_APPEALS_IMAP_SECURITY={appeals_security!r}: expected ssl, starttls or none"
        )
    if production and appeals_security == "none":
        raise ConfigError(
            "CIVILDESK_APPEALS_IMAP_SECURITY=none is refused in production (the password would be sent in clear)"
        )
    default_mail = (
        "django.core.mail.backends.smtp.EmailBackend"
        if production
        else "django.core.mail.backends.console.EmailBackend"
    )
    return Config(
        environment=environment,  # checked against ENVIRONMENTS above
        secret_key=secret_key,
        debug=debug,
        database_url=database_url,
        data_dir=data_dir,
        allowed_hosts=hosts,
        csrf_trusted_origins=_list(env, "CIVILDESK_CSRF_TRUSTED_ORIGINS"),
        policy_path=env.get("CIVILDESK_POLICY", "").strip() or None,
        oncall_email=env.get("CIVILDESK_ONCALL_EMAIL", "").strip(),
        oncall_webhook_url=env.get("CIVILDESK_ONCALL_WEBHOOK_URL", "").strip(),
        email_backend=env.get("CIVILDESK_EMAIL_BACKEND", "").strip() or default_mail,
        email_host=env.get("CIVILDESK_EMAIL_HOST", "localhost"),
        email_port=_int(env, "CIVILDESK_EMAIL_PORT", 25, minimum=1),
        email_user=env.get("CIVILDESK_EMAIL_USER", ""),
        email_password=env.get("CIVILDESK_EMAIL_PASSWORD", ""),
        email_use_tls=_flag(env, "CIVILDESK_EMAIL_USE_TLS", default=False),
        from_email=env.get("CIVILDESK_FROM_EMAIL", "civildesk@localhost"),
        login_max_failures=_int(env, "CIVILDESK_LOGIN_MAX_FAILURES", 5, minimum=1),
        login_lockout_minutes=_int(env, "CIVILDESK_LOGIN_LOCKOUT_MINUTES", 15, minimum=1),
        connectors=env.get("CIVILDESK_CONNECTORS", "").strip() or DEFAULT_CONNECTORS,
        use_model=_flag(env, "CIVILDESK_USE_MODEL", default=True),
        base_url=(env.get("CIVILDESK_BASE_URL", "").strip() or "http://localhost:8000").rstrip("/"),
        metrics_token=env.get("CIVILDESK_METRICS_TOKEN", "").strip(),
        worker_stale_seconds=_int(env, "CIVILDESK_WORKER_STALE_SECONDS", 30, minimum=2),
        poll_seconds=_int(env, "CIVILDESK_POLL_SECONDS", 300),
        # issue 9: appeals mailbox
        appeals_imap_host=env.get("CIVILDESK_APPEALS_IMAP_HOST", "").strip(),
        appeals_imap_port=_int(
            env, "CIVILDESK_APPEALS_IMAP_PORT", 993 if appeals_security == "ssl" else 143, minimum=1
        ),
        appeals_imap_user=env.get("CIVILDESK_APPEALS_IMAP_USER", "").strip(),
        appeals_imap_password=env.get("CIVILDESK_APPEALS_IMAP_PASSWORD", ""),
        appeals_imap_folder=env.get("CIVILDESK_APPEALS_IMAP_FOLDER", "").strip() or "INBOX",
        appeals_imap_security=appeals_security,
        appeals_imap_poll_seconds=_int(env, "CIVILDESK_APPEALS_IMAP_POLL_SECONDS", 60, minimum=5),
        trusted_proxies=_networks(env, "CIVILDESK_TRUSTED_PROXIES"),
    )


def database_settings(config: Config) -> dict[str, Any]:
    db: dict[str, Any] = dict(dj_database_url.parse(config.database_url))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        if db["NAME"] and db["NAME"] != ":memory:":
            Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # The web process and the worker share one file: WAL lets readers run beside the writer,
        # IMMEDIATE takes the write lock up front (no deadlocked upgrades), the timeout waits for it.
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    else:
        db["CONN_MAX_AGE"] = 60
        db["CONN_HEALTH_CHECKS"] = True
    return db


CONFIG = load_config(os.environ)

# --- Django ---------------------------------------------------------------------------------

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
CSRF_TRUSTED_ORIGINS = list(CONFIG.csrf_trusted_origins)

INSTALLED_APPS = [
    "civildesk.web.apps.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' scripts from the desk itself, not a CDN
    "civildesk.web",
    "civildesk.inbox",
    "civildesk.publishing",
    "civildesk.api",
    "civildesk.ops",  # worker heartbeats (crash recovery), health and metrics
    "civildesk.platforms",  # issue 5: platform accounts and webhooks
    # issue 9: the public house-rules page and passing messages on
    "civildesk.public",
    "civildesk.handoff",
    "civildesk.moderation",  # issue 6: moderation workflow
    # issue 7: weekly reports with charts, HTML/PDF/CSV downloads
    "civildesk.reports",
    "civildesk.mailbox",  # issue 9: the appeals mailbox (IMAP), after moderation whose appeals it opens
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "civildesk.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "civildesk.web.urls"
WSGI_APPLICATION = "civildesk.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civildesk.web.context.desk",
            ],
        },
    }
]

DATABASES = {"default": database_settings(CONFIG)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Argon2 first: new and upgraded passwords are hashed with it; older hashes still verify.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["civildesk.web.auth.LockoutBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"
CIVILDESK_LOGIN_MAX_FAILURES = CONFIG.login_max_failures
CIVILDESK_LOGIN_LOCKOUT_MINUTES = CONFIG.login_lockout_minutes

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 10 * 60 * 60  # one working day, so a forgotten session dies overnight
SESSION_COOKIE_SECURE = CONFIG.production
CSRF_COOKIE_SECURE = CONFIG.production
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if CONFIG.production:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.data_dir / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even when serving from finders
STATICFILES_DIRS: list[Path] = []
# Served by WhiteNoise straight from the finders, so neither `make run` nor the tests need
# collectstatic; production may still collect into STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = CONFIG.debug

EMAIL_BACKEND = CONFIG.email_backend
EMAIL_HOST = CONFIG.email_host
EMAIL_PORT = CONFIG.email_port
EMAIL_HOST_USER = CONFIG.email_user
EMAIL_HOST_PASSWORD = CONFIG.email_password
EMAIL_USE_TLS = CONFIG.email_use_tls
DEFAULT_FROM_EMAIL = CONFIG.from_email
SERVER_EMAIL = CONFIG.from_email

CIVILDESK_POLICY = CONFIG.policy_path
CIVILDESK_ONCALL_EMAIL = CONFIG.oncall_email
CIVILDESK_ONCALL_WEBHOOK_URL = CONFIG.oncall_webhook_url
CIVILDESK_CONNECTORS = CONFIG.connectors
CIVILDESK_USE_MODEL = CONFIG.use_model
CIVILDESK_BASE_URL = CONFIG.base_url
CIVILDESK_METRICS_TOKEN = CONFIG.metrics_token
CIVILDESK_WORKER_STALE_SECONDS = CONFIG.worker_stale_seconds
CIVILDESK_POLL_SECONDS = CONFIG.poll_seconds
# Read by civildesk.web.client.client_address: whose X-Forwarded-For names the real client.
CIVILDESK_TRUSTED_PROXIES = CONFIG.trusted_proxies
# --- moderation (issue 6) ---
# Factory (platform, account_id) -> Connector for hide/block/...; falls back to a recording local
# connector that sends nothing when civildesk.platforms is not installed.
CIVILDESK_MODERATION_CONNECTOR = (
    os.environ.get("CIVILDESK_MODERATION_CONNECTOR", "").strip() or "civildesk.platforms.connector_for"
)
CIVILDESK_APPEAL_SLA_WORKING_DAYS = 5  # an appeal is decided within this many working days
CIVILDESK_TEMPORARY_BLOCK_DAYS = 30  # a block not marked permanent ends by itself after this
# --- end moderation ---
# --- appeals mailbox (issue 9) ---
CIVILDESK_APPEALS_IMAP_HOST = CONFIG.appeals_imap_host
CIVILDESK_APPEALS_IMAP_PORT = CONFIG.appeals_imap_port
CIVILDESK_APPEALS_IMAP_USER = CONFIG.appeals_imap_user
CIVILDESK_APPEALS_IMAP_PASSWORD = CONFIG.appeals_imap_password
CIVILDESK_APPEALS_IMAP_FOLDER = CONFIG.appeals_imap_folder
CIVILDESK_APPEALS_IMAP_SECURITY = CONFIG.appeals_imap_security
CIVILDESK_APPEALS_IMAP_POLL_SECONDS = CONFIG.appeals_imap_poll_seconds
CIVILDESK_APPEALS_IMAP_TIMEOUT = 30  # seconds for connect and each command: a hung server is an outage
# --- end appeals mailbox ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "civildesk": {"handlers": ["console"], "level": "INFO"},
        "django_tasks_db": {"handlers": ["console"], "level": "WARNING"},
    },
}

# issue 9: "was this page helpful?" ratings on the public house-rules page, and hand-offs.
CIVILDESK_RATINGS_PER_HOUR = int(os.environ.get("CIVILDESK_RATINGS_PER_HOUR", "5"))  # per client
CIVILDESK_RATING_MIN_SECONDS = 3.0  # a form sent sooner after loading was not filled in by a person
CIVILDESK_HANDOFF_EMAIL_ATTEMPTS = 6  # then the hand-off shows "e-mail failed" on the message page

# issue 5: platform connectors. CIVILDESK_CREDENTIALS_KEY holds Fernet key(s), comma-separated,
# newest first; required in production, derived from the secret key elsewhere. CIVILDESK_PLATFORM_BASE_URL,
# when set, sends every connector without its own API URL to <url>/<platform> (the simulator).
from civildesk.platforms.crypto import CredentialsKeyError, credentials_keys  # noqa: E402

try:
    CIVILDESK_CREDENTIALS_KEYS = credentials_keys(os.environ, SECRET_KEY, production=CONFIG.production)
except CredentialsKeyError as exc:
    raise ConfigError(str(exc)) from exc
CIVILDESK_PLATFORM_BASE_URL = os.environ.get("CIVILDESK_PLATFORM_BASE_URL", "").strip().rstrip("/")
