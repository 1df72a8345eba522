"""The store's fixtures (a clean database per test, SQLite or PostgreSQL via HUIQI_TEST_DATABASE_URL),
so the voucher tests run on both backends, and a small registry of holders and providers."""

from __future__ import annotations

from tests.store.conftest import (  # noqa: F401  (fixtures are found by name)
    _pg_module_schema,
    _sqlite_template,
    credit_code,
    db_url,
    engine,
    fresh_db_url,
    is_postgres,
    needs_postgres,
    quote,
)
