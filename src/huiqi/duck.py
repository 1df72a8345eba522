"""The one way huiqi opens an in-process DuckDB connection.

DuckDB spills to ``temp_directory`` when a query outgrows its memory limit, and for an in-memory database the
default is ``.tmp`` in the current directory: a 10M-entity run would leave gigabytes of spill files in
whatever folder the user happened to be in. Every connection gets its own folder under the system's
temporary directory instead, removed when the process exits (DuckDB deletes the files themselves when the
connection closes; the folder is ours to remove).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile

import duckdb


def connect() -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection that spills, if it must, to a private temporary folder."""
    spill = tempfile.mkdtemp(prefix="huiqi-duckdb-")
    atexit.register(shutil.rmtree, spill, True)
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{spill}'")  # mkdtemp's name has no quote in it
    return con
