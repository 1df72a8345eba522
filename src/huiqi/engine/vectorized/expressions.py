"""Expressions and amount mechanisms of the one AST, written as DuckDB SQL text.

SQL ``NULL`` is the scalar engine's ``Unknown``: comparisons, ``AND``/``OR``/``NOT`` (Kleene, as in
docs/rules.md §3) and arithmetic propagate it the same way. Where SQL differs from the contract the
code says so (``LEAST`` ignores NULL, ``bool_or`` ignores NULL) and spells the contract out.

Figures come only from the rule file's parameters and are written as typed literals: money as
``BIGINT`` fen, ratios as ``DECIMAL`` with exactly their own digits, so that arithmetic stays exact
(DuckDB refuses a decimal product it cannot hold exactly rather than falling back to a float).
Nothing from the population's data is pasted into the text: data is only ever read from columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from huiqi.engine.vectorized.tables import quote_ident
from huiqi.rules.ast import (
    Amount,
    Arith,
    AttrRef,
    Cap,
    Compare,
    Exists,
    Expr,
    FactRef,
    Fixed,
    Grid,
    In,
    Lit,
    Logic,
    MinMax,
    Multiply,
    Not,
    Parameter,
    ParamRef,
    PerUnit,
    Ratio,
    Scale,
    VType,
)


class NotVectorized(Exception):
    """A node of the AST the SQL compiler does not translate: never a silently wrong answer."""

    def __init__(self, node: object, item: str | None = None, why: str = "") -> None:
        self.node = node
        self.item = item
        where = f" in {item}" if item else ""
        super().__init__(f"cannot vectorize {type(node).__name__}{where}: {why or repr(node)}")


def sql_str(s: str) -> str:
    """A string literal from the rule file (a code such as '国家'), quotes doubled."""
    return "'" + s.replace("'", "''") + "'"


def sql_date(d: date) -> str:
    return f"DATE '{d.isoformat()}'"


def sql_decimal(v: Decimal) -> str:
    """An exact decimal literal with its own precision: 0.30 → CAST('0.30' AS DECIMAL(3, 2))."""
    _, digits, exp = v.as_tuple()
    if not isinstance(exp, int):
        raise NotVectorized(v, why="not a finite decimal")
    scale = max(0, -exp)
    width = max(len(digits), scale + 1)
    if width > 38:
        raise NotVectorized(v, why="more than 38 digits")
    return f"CAST('{v}' AS DECIMAL({width}, {scale}))"


def sql_value(v: object) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return f"CAST({v} AS BIGINT)"
    if isinstance(v, Decimal):
        return sql_decimal(v)
    if isinstance(v, str):
        return sql_str(v)
    raise NotVectorized(v, why="a value of an unsupported type")


def param_sql(p: Parameter) -> str:
    if isinstance(p.value, tuple):
        raise NotVectorized(p, why="a list parameter outside `in`")
    return sql_value(p.value)


@dataclass(frozen=True, slots=True)
class Scope:
    """What an expression can see: the row alias of the entity's facts, the alias of the event in
    scope (``None`` outside ``for_each``), and the period [start, end] (both inclusive)."""

    facts: str
    event: str | None
    start: date
    end: date
    item: str | None = None
    depth: int = 0  # nesting of exists(...), for fresh aliases


_OPS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "==": "=", "!=": "<>"}


def expr_sql(e: Expr, s: Scope) -> str:
    """SQL for an expression; NULL where the scalar engine yields Unknown."""
    if isinstance(e, FactRef):
        return f"{s.facts}.{quote_ident(e.name)}"
    if isinstance(e, ParamRef):
        return param_sql(e.param)
    if isinstance(e, Lit):
        if e.vtype is VType.COUNT:  # the only figure a condition may write is 0
            return "CAST(0 AS BIGINT)"
        if isinstance(e.value, tuple):
            raise NotVectorized(e, s.item, "a list literal outside `in`")
        return sql_value(e.value)
    if isinstance(e, AttrRef):
        if s.event is None:  # no event in scope: the scalar engine's Unknown events[?]
            return "NULL"
        return f"{s.event}.{quote_ident(e.name)}"
    if isinstance(e, Compare):
        return f"({expr_sql(e.left, s)} {_OPS[e.op]} {expr_sql(e.right, s)})"
    if isinstance(e, Logic):
        if e.op not in ("and", "or"):
            raise NotVectorized(e, s.item, f"logic operator {e.op!r}")
        return "(" + f" {e.op.upper()} ".join(expr_sql(a, s) for a in e.args) + ")"
    if isinstance(e, Not):
        return f"(NOT {expr_sql(e.arg, s)})"
    if isinstance(e, In):
        return _in_sql(e, s)
    if isinstance(e, Arith):
        if e.op not in ("+", "-", "*"):
            raise NotVectorized(e, s.item, f"arithmetic operator {e.op!r}")
        return f"({expr_sql(e.left, s)} {e.op} {expr_sql(e.right, s)})"
    if isinstance(e, MinMax):
        # LEAST/GREATEST skip NULLs; the contract says any Unknown makes the result Unknown.
        args = [expr_sql(a, s) for a in e.args]
        fn = "LEAST" if e.fn == "min" else "GREATEST"
        nulls = " OR ".join(f"{a} IS NULL" for a in args)
        return f"(CASE WHEN {nulls} THEN NULL ELSE {fn}({', '.join(args)}) END)"
    if isinstance(e, Exists):
        return _exists_sql(e, s)
    raise NotVectorized(e, s.item, "unknown expression node")


def _in_sql(e: In, s: Scope) -> str:
    opts = e.options
    if isinstance(opts, Lit) and isinstance(opts.value, tuple):
        values = opts.value
    elif isinstance(opts, ParamRef) and isinstance(opts.param.value, tuple):
        values = opts.param.value
    else:
        raise NotVectorized(e, s.item, "`in` over something other than a list literal or list parameter")
    item = expr_sql(e.item, s)
    if not values:  # x in [] is False, or Unknown when x is
        return f"(CASE WHEN {item} IS NULL THEN NULL ELSE FALSE END)"
    return f"({item} IN ({', '.join(sql_value(v) for v in values)}))"


def _exists_sql(e: Exists, s: Scope) -> str:
    """exists(EVENT, where) / ever(EVENT, where): some event in the period (ever: up to its end) for
    which ``where`` is True → True; else some Unknown → Unknown; else False (the event list is complete).
    ``bool_or`` skips NULLs, so the Unknown case is asked for separately."""
    alias = f"x{s.depth + 1}"
    inner = Scope(s.facts, alias, s.start, s.end, s.item, s.depth + 1)
    where = "TRUE" if e.where is None else expr_sql(e.where, inner)
    period = f"{alias}.date <= {sql_date(s.end)}"
    if not e.ever:
        period += f" AND {alias}.date >= {sql_date(s.start)}"
    return (
        f"(SELECT CASE WHEN bool_or(w) THEN TRUE WHEN bool_or(w IS NULL) THEN NULL ELSE FALSE END "
        f"FROM (SELECT {where} AS w FROM events {alias} WHERE {alias}.entity_id = {s.facts}.entity_id "
        f"AND {alias}.type = {sql_str(e.event_type)} AND {period}))"
    )


# ---------------------------------------------------------------------------------------------------
# Amounts: each compiles to (state, value). state is 'V' (a value), 'U' (Unknown: a fact is missing)
# or 'N' (NoCase: no tier for the value, the occurrence is not eligible); value is set when 'V'.


@dataclass(frozen=True, slots=True)
class AmountSql:
    state: str
    value: str


def amount_sql(a: Amount, s: Scope) -> AmountSql:
    if isinstance(a, Fixed):
        return AmountSql("'V'", param_sql(a.param))
    if isinstance(a, Grid):
        key = expr_sql(a.on, s)
        if not all(isinstance(k, str) for k, _ in a.cases):
            raise NotVectorized(a, s.item, "grid case keys that are not codes")
        subs = [(sql_str(k), amount_sql(sub, s)) for k, sub in a.cases]
        state = " ".join(f"WHEN {key} = {k} THEN {sub.state}" for k, sub in subs)
        value = " ".join(f"WHEN {key} = {k} THEN {sub.value}" for k, sub in subs)
        return AmountSql(
            f"(CASE WHEN {key} IS NULL THEN 'U' {state} ELSE 'N' END)", f"(CASE {value} ELSE NULL END)"
        )
    if isinstance(a, Scale):
        x = expr_sql(a.on, s)
        conds = []
        for b in a.brackets:  # the first bracket containing x applies
            parts = []
            if b.low is not None:
                parts.append(f"{x} {'>=' if b.low_inclusive else '>'} {param_sql(b.low)}")
            if b.high is not None:
                parts.append(f"{x} {'<=' if b.high_inclusive else '<'} {param_sql(b.high)}")
            conds.append((" AND ".join(parts) or "TRUE", amount_sql(b.then, s)))
        state = " ".join(f"WHEN {c} THEN {sub.state}" for c, sub in conds)
        value = " ".join(f"WHEN {c} THEN {sub.value}" for c, sub in conds)
        return AmountSql(
            f"(CASE WHEN {x} IS NULL THEN 'U' {state} ELSE 'N' END)", f"(CASE {value} ELSE NULL END)"
        )
    if isinstance(a, Ratio):
        base = expr_sql(a.base, s)
        # round_fen: half-up to the fen, once, on the exact product (DuckDB ROUND on DECIMAL rounds
        # half away from zero, which is Python's ROUND_HALF_UP).
        return AmountSql(
            f"(CASE WHEN {base} IS NULL THEN 'U' ELSE 'V' END)",
            f"CAST(ROUND({base} * {sql_decimal(a.rate.value)}, 0) AS BIGINT)",  # type: ignore[arg-type]
        )
    if isinstance(a, PerUnit):
        base = expr_sql(a.base, s)
        step, each = param_sql(a.step), param_sql(a.each)
        # floor(base / step) without a division into DOUBLE: for base > 0 and an integer step,
        # floor(base / step) == floor(base) // step.
        return AmountSql(
            f"(CASE WHEN {base} IS NULL THEN 'U' ELSE 'V' END)",
            f"CAST(CASE WHEN {base} > 0 THEN (CAST(FLOOR({base}) AS HUGEINT) // {step}) * {each} "
            "ELSE 0 END AS BIGINT)",
        )
    if isinstance(a, Multiply):
        amt, factor = amount_sql(a.amount, s), amount_sql(a.factor, s)
        return AmountSql(
            f"(CASE WHEN {amt.state} <> 'V' THEN {amt.state} ELSE {factor.state} END)",
            f"CAST(ROUND({amt.value} * {factor.value}, 0) AS BIGINT)",
        )
    if isinstance(a, Cap):
        amt = amount_sql(a.amount, s)
        at = param_sql(a.at)
        return AmountSql(amt.state, f"(CASE WHEN {amt.value} > {at} THEN {at} ELSE {amt.value} END)")
    raise NotVectorized(a, s.item, "unknown amount mechanism")
