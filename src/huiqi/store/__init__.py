"""The database layer: SQLAlchemy 2 models, engine setup and Alembic migrations (see docs/store.md)."""

from huiqi.store.db import database_url, make_engine, open_engine, transaction, upgrade

__all__ = ["database_url", "make_engine", "open_engine", "transaction", "upgrade"]
