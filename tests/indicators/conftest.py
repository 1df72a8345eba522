"""The store's fixtures (a clean database per test, SQLite or PostgreSQL via HUIQI_TEST_DATABASE_URL),
reused so the registry indicators run on both backends like the ledger's tests."""

from __future__ import annotations

from tests.store.conftest import (  # noqa: F401  (fixtures are found by name)
    _pg_module_schema,
    _sqlite_template,
    credit_code,
    db_url,
    engine,
)
