"""Where the database is, how to connect, and bringing its schema up to date.

The database is chosen by ``HUIQI_DATABASE_URL`` (any SQLAlchemy URL; PostgreSQL as
``postgresql+psycopg://user@host:5432/db``). Without it huiqi uses an embedded SQLite file in the
user's data folder, ``$XDG_DATA_HOME/huiqi/huiqi.sqlite`` (``~/.local/share/huiqi/huiqi.sqlite``):
a per-user place rather than ``./huiqi.sqlite`` because the ledger must be one ledger whatever
folder the command is typed in — two silent copies of a ledger is how money gets paid twice.

The same code runs on both backends. The differences are confined to this module:
- SQLite: foreign keys switched on, WAL journal, and every transaction opened with
  ``BEGIN IMMEDIATE`` so that a writer holds the single write lock from its first statement (no
  lost update between a read and the write that depends on it).
- PostgreSQL: READ COMMITTED; the ledger relies on row locks taken by conditional ``UPDATE`` and
  ``SELECT … FOR UPDATE`` (see ``huiqi.redemption``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_ID = 4_805_112_023  # any fixed number; names the PostgreSQL advisory lock of migrations


def default_sqlite_path() -> Path:
    """The embedded database file used when ``HUIQI_DATABASE_URL`` is not set."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "huiqi" / "huiqi.sqlite"


def database_url() -> str:
    """``HUIQI_DATABASE_URL`` or the embedded SQLite file."""
    url = os.environ.get("HUIQI_DATABASE_URL")
    if url:
        return url
    path = default_sqlite_path()
    return f"sqlite:///{path}"


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling issues BEGIN lazily (and never for SELECT); take it over
    # so each transaction starts with BEGIN IMMEDIATE and owns the write lock from the start.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None) -> Engine:
    """An Engine for ``url`` (default: ``database_url()``), creating the SQLite folder if needed."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision`` (``huiqi db upgrade``)."""
    from alembic import command

    with engine.begin() as connection:
        # Two processes opening a fresh database at once (the web server and a command) must not
        # both run the migrations: the second waits here, then finds the schema current. SQLite's
        # BEGIN IMMEDIATE already serialises them; PostgreSQL needs a lock of its own.
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
        command.upgrade(_alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() or ""


def open_engine(url: str | None = None) -> Engine:
    """Connect and, on first use or after an upgrade of huiqi, migrate the schema to the head."""
    engine = make_engine(url)
    if not inspect(engine).has_table("alembic_version") or current_revision(engine) != head_revision():
        upgrade(engine)
    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back on any exception."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
