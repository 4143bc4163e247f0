"""pytest plugin: ``--db-only`` keeps just the tests that use a database.

The Makefile runs the whole suite on SQLite, then again on PostgreSQL with
``-p civildesk.devtools.pytest_dbonly --db-only``: every test that touches the database (marked
``django_db`` or using a database fixture such as ``db``, ``client`` with a user, ``live_server``)
runs twice; pure tests, which cannot behave differently, run once.
"""

from __future__ import annotations

from typing import Any

DB_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "admin_user",
        "admin_client",
        "django_user_model",
    }
)


def uses_database(item: Any) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    return bool(DB_FIXTURES.intersection(getattr(item, "fixturenames", ())))


def pytest_addoption(parser: Any) -> None:
    parser.addoption("--db-only", action="store_true", help="run only the tests that use a database")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if not config.getoption("--db-only"):
        return
    keep = [item for item in items if uses_database(item)]
    dropped = [item for item in items if not uses_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = keep
