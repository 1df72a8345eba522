"""Migrations: a fresh database reaches the head, and the models and migrations describe the same tables."""

from __future__ import annotations

import importlib

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from huiqi.store import models
from huiqi.store.db import current_revision, head_revision, open_engine


def test_first_use_migrates_to_head_and_is_idempotent(fresh_db_url):
    first = open_engine(fresh_db_url)
    assert current_revision(first) == head_revision()
    first.dispose()
    again = open_engine(fresh_db_url)  # a second open finds the schema current and changes nothing
    assert current_revision(again) == head_revision()
    again.dispose()


def test_models_match_the_migrations(engine):
    # Every module that declares tables on the shared Base must be imported for a full comparison;
    # huiqi.auth keeps its accounts there (its migration is 0001a).
    importlib.import_module("huiqi.auth.tables")
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, models.Base.metadata) == []


def test_two_processes_opening_a_fresh_database_at_once(fresh_db_url):
    import os
    import subprocess
    import sys

    code = "from huiqi.store.db import open_engine; open_engine().dispose()"
    env = {**os.environ, "HUIQI_DATABASE_URL": fresh_db_url}
    procs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    engine = open_engine(fresh_db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
