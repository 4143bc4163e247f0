"""Exit 0 if PostgreSQL answers at the URL given, 1 otherwise.

    python -m civildesk.devtools.pg_ready postgres://postgres@127.0.0.1:5432/test

The database itself need not exist yet (pytest-django creates ``test_<name>``), so the check
connects to the server's ``postgres`` maintenance database with the same credentials.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg


def server_url(url: str) -> str:
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme in {"postgres", "postgresql", "pgsql"} else parts.scheme
    return urlunsplit((scheme, parts.netloc, "/postgres", parts.query, ""))


def answers(url: str, timeout: int = 3) -> bool:
    try:
        with psycopg.connect(server_url(url), connect_timeout=timeout) as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, ValueError):
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m civildesk.devtools.pg_ready POSTGRES_URL", file=sys.stderr)
        return 2
    return 0 if answers(args[0]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
