"""Population stages (人口阶段): named SQL steps over the whole population, traced.

A stage is one ``SELECT`` over the previous stage, kept as a DuckDB temp view (so DuckDB fuses the
chain into one pipeline, as fast as a hand-written query) or, where a later step reads it many
times, as a temp table. It names the clauses it implements and a *measure* — an aggregate over the
final result that says what the stage did (how many met the threshold, the sum of the awards) — so
the trace of a run reads as the document does: which sentence was applied, to how many entities,
with what money. With ``timed=True`` every stage is materialised and timed instead (for profiling).

The AST compiler of a later session emits the same stages; the R&D subsidy's are written by hand in
:mod:`huiqi.population.rd_subsidy_stages`.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa


def fetch_arrow(con, sql: str) -> pa.Table:
    """A query's result as one Arrow table (DuckDB 1.x returns a table, 2.x a batch reader)."""
    result = con.sql(sql).arrow()
    return result.read_all() if isinstance(result, pa.RecordBatchReader) else result


@dataclass(frozen=True, slots=True)
class StageTrace:
    """What one stage did: the clauses it applies and its measure over the result.

    ``seconds`` is set only for stages run materialised (``timed=True``, or a stage reused by a
    later step); a view's time is part of the final query's.
    """

    name: str
    clauses: tuple[tuple[str, str], ...]  # (article, verbatim quote)
    measure: str  # what ``value`` counts, e.g. "meeting the threshold"
    value: int
    seconds: float | None = None
    note: str = ""


@dataclass
class _Pending:
    name: str
    clauses: tuple[tuple[str, str], ...]
    measure_sql: str
    measure: str
    seconds: float | None
    note: str


@dataclass
class Tracer:
    """Runs stages on a DuckDB connection; :meth:`finish` measures them on the final result."""

    con: object
    timed: bool = False
    _pending: list[_Pending] = field(default_factory=list)

    def stage(
        self,
        name: str,
        sql: str,
        clauses: tuple[tuple[str, str], ...],
        measure: tuple[str, str],
        note: str = "",
        materialize: bool = False,
    ) -> None:
        """Define stage ``name`` as ``sql``; ``measure`` is (SQL aggregate over the result, label)."""
        start = time.perf_counter()
        kind = "TABLE" if materialize or self.timed else "VIEW"
        # A name reused by a run of the other kind (timed after untimed) must be dropped first.
        for other in ("VIEW", "TABLE"):
            if other != kind:
                # When it is of our kind DuckDB refuses the DROP; CREATE OR REPLACE handles it then.
                with contextlib.suppress(duckdb.CatalogException):
                    self.con.execute(f"DROP {other} IF EXISTS {name}")
        self.con.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS {sql}")
        seconds = time.perf_counter() - start if kind == "TABLE" else None
        self._pending.append(_Pending(name, clauses, measure[0], measure[1], seconds, note))

    def record(self, name: str, clauses: tuple[tuple[str, str], ...], measure: str, value: int, note: str):
        """A step computed outside SQL (the budget-ratio search, the validity check)."""
        self._pending.append(_Pending(name, clauses, str(int(value)), measure, None, note))

    def finish(self, result: str) -> list[StageTrace]:
        """Evaluate every stage's measure on relation ``result`` in one query."""
        if not self._pending:
            return []
        exprs = ", ".join(f"CAST(coalesce({p.measure_sql}, 0) AS BIGINT)" for p in self._pending)
        values = self.con.execute(f"SELECT {exprs} FROM {result}").fetchall()[0]
        return [
            StageTrace(p.name, p.clauses, p.measure, int(v), p.seconds, p.note)
            for p, v in zip(self._pending, values, strict=True)
        ]
