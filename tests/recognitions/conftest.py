"""The store's fixtures (a clean database per test, SQLite or PostgreSQL via HUIQI_TEST_DATABASE_URL),
reused so that the recognition tests run on both backends like the ledger's and the runs'."""

from __future__ import annotations

from tests.store.conftest import (  # noqa: F401  (fixtures are found by name)
    _pg_module_schema,
    _sqlite_template,
    credit_code,
    db_url,
    engine,
    is_postgres,
    quote,
)
