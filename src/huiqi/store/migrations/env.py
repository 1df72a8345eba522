"""Alembic environment: run programmatically by ``huiqi.store.db.upgrade`` with a live connection.

``alembic`` on the command line works too (``-x url=…`` or ``HUIQI_DATABASE_URL``), for
generating a new revision against the models.
"""

from __future__ import annotations

from alembic import context

from huiqi.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from huiqi.store.db import database_url, make_engine

    url = context.get_x_argument(as_dictionary=True).get("url") or database_url()
    with make_engine(url).begin() as conn:
        _run(conn)
