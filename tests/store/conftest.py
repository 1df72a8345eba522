"""A clean database for every test, on SQLite (default) or PostgreSQL (``HUIQI_TEST_DATABASE_URL``).

SQLite: a fresh file per test (a copy of one migrated template). PostgreSQL: a schema per test
module, selected through the connection's ``search_path``, emptied before each test and dropped
after the module, so tests never see each other's rows and the same URL works in a subprocess (the
crash tests pass it on as ``HUIQI_DATABASE_URL``). ``fresh_db_url`` gives a database with no
schema at all, for the migration tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote as url_quote

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from stdnum.cn import uscc

from huiqi.store.db import open_engine

PG_URL = os.environ.get("HUIQI_TEST_DATABASE_URL")


def is_postgres() -> bool:
    return bool(PG_URL)


needs_postgres = pytest.mark.skipif(
    not PG_URL,
    reason="real concurrent writers need PostgreSQL: set HUIQI_TEST_DATABASE_URL "
    "(SQLite serialises all writers, so there is no concurrency to test)",
)


def credit_code(n: int, prefix: str = "913301") -> str:
    """A valid 统一社会信用代码: ``prefix`` + a serial, closed by its computed check digit."""
    body = f"{prefix}{n:011d}"
    return body + uscc.calc_check_digit(body)


def _new_pg_schema() -> tuple[str, str]:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return schema, f"{PG_URL}{sep}options={url_quote(f'-csearch_path={schema}')}"


def _drop_pg_schema(schema: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def fresh_db_url(tmp_path) -> Iterator[str]:
    """An empty database (no schema at all): a new SQLite file, or a new PostgreSQL schema."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    schema, url = _new_pg_schema()
    try:
        yield url
    finally:
        _drop_pg_schema(schema)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    # Migrating takes a few hundred ms; do it once and copy the file for each test.
    path = tmp_path_factory.mktemp("template") / "huiqi.sqlite"
    open_engine(f"sqlite:///{path}").dispose()  # closing the last connection checkpoints the WAL
    return path


@pytest.fixture(scope="module")
def _pg_module_schema() -> Iterator[str]:
    schema, url = _new_pg_schema()
    open_engine(url).dispose()
    try:
        yield url
    finally:
        _drop_pg_schema(schema)


@pytest.fixture
def db_url(tmp_path, request) -> str:
    """A migrated, empty database for one test: a copy of a template SQLite file, or on PostgreSQL
    the module's schema with every table emptied (and the audit chain reset to its genesis)."""
    if not PG_URL:
        target = tmp_path / "huiqi.sqlite"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("_pg_module_schema")
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        conn.execute(text(f"TRUNCATE {', '.join(f'{t!s}' for t in tables)} RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


def quote(doc: str, text_: str) -> str:
    """``text_`` verbatim from policy file ``doc`` (000 … 004); fails the test if the text lacks it."""
    from huiqi.paths import policies_dir

    source = next((policies_dir() / doc).glob("*.txt")).read_text(encoding="utf-8")
    assert text_ in source, f"not in policy {doc}: {text_}"
    return text_
