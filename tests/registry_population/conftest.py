"""The store's fixtures (a clean database per test, SQLite or PostgreSQL), as the redemption tests use."""

from __future__ import annotations

from tests.store.conftest import (  # noqa: F401  (fixtures are found by name)
    _pg_module_schema,
    _sqlite_template,
    db_url,
    engine,
)
