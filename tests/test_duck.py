"""DuckDB connections spill into a private temporary folder, never into the user's current directory."""

from __future__ import annotations

import tempfile
from pathlib import Path

from huiqi import duck


def test_connections_spill_outside_the_current_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    con = duck.connect()
    spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
    assert spill.is_absolute()
    assert spill.parent == Path(tempfile.gettempdir())
    assert spill.name.startswith("huiqi-duckdb-")
    # Force a spill: a table larger than a small memory limit is written out to that folder, not to ./.tmp.
    con.execute("SET memory_limit = '100MB'")
    con.execute("SET threads = 1")
    con.execute("SET preserve_insertion_order = false")
    con.execute("CREATE TABLE t AS SELECT range x, md5(range::VARCHAR) h FROM range(3_000_000) ORDER BY 2")
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 3_000_000
    assert any(spill.iterdir()), "nothing was spilled: the test no longer exercises temp_directory"
    assert not (tmp_path / ".tmp").exists()
    con.close()
