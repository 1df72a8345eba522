"""Expressions and amount mechanisms of the one AST, written as DuckDB SQL text.

SQL ``NULL`` is the scalar engine's ``Unknown``: comparisons, ``AND``/``OR``/``NOT`` (Kleene, as in
docs/rules.md §3) and arithmetic propagate it the same way. Where SQL differs from the contract the
code says so (``LEAST`` ignores NULL, ``bool_or`` ignores NULL) and spells the contract out.

Figures come only from the rule file's parameters and are written as typed literals: money as
``BIGINT`` fen, ratios as ``DECIMAL`` with exactly their own digits, so that arithmetic stays exact
(DuckDB refuses a decimal product it cannot hold exactly rather than falling back to a float).
Nothing from the population's data is pasted into the text: data is only ever read from columns.

Beside each value, ``missing_sql`` writes the list of the facts an Unknown lacks, named as the scalar
engine names them (``facts.x``, ``years.2023.x``, ``events[3].x``): valid only where the value is
NULL, it follows the same Kleene rules (``False and ?`` lacks nothing; ``? and ?`` lacks both).
"""

from __future__ import annotations

import dataclasses
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


# The compiler copies the events the rules read into this temporary table once per run; every
# for_each and exists(...) reads it instead of the input view.
EVENTS = "hq_ev"


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
    events: str = EVENTS  # the table of events (the compiler's copy of the year's events)
    # exists(...) computed once per entity and joined in (``exists_join``): node → its alias
    joined: dict[Exists, str] | None = None


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
    if s.joined and e in s.joined:  # no event of the type: False (the event list is complete)
        x = s.joined[e]
        return f"(CASE WHEN {x}.entity_id IS NULL THEN FALSE ELSE {x}.v END)"
    inner, events = _exists_events(e, s)
    where = "TRUE" if e.where is None else expr_sql(e.where, inner)
    return (
        f"(SELECT CASE WHEN bool_or(w) THEN TRUE WHEN bool_or(w IS NULL) THEN NULL ELSE FALSE END "
        f"FROM (SELECT {where} AS w FROM {events}))"
    )


def joinable_exists(nodes: list[object]) -> list[Exists]:
    """The exists(...) of an item that can be computed once per entity, in a grouped scan of the
    events joined to the item's rows, instead of a subquery per use (a condition is written out
    again, Unknown-guarded, for its missing facts: a subquery would run each time). Not when its
    filter reads the entity's facts or nests another exists (those stay correlated)."""
    found: list[Exists] = []
    stack = list(nodes)
    while stack:
        n = stack.pop()
        if isinstance(n, Exists):
            inner = [] if n.where is None else _descendants(n.where)
            if not any(isinstance(x, FactRef | Exists) for x in inner) and n not in found:
                found.append(n)
            continue
        stack.extend(_children(n))
    return found


def exists_join(e: Exists, alias: str, s: Scope) -> str:
    """``LEFT JOIN`` of one exists(...) per entity: its value ``v`` and ``m``, what its Unknown events
    lack; an entity without such events has no row (read as False)."""
    inner, events = _exists_events(e, s, correlated=False)
    where = "TRUE" if e.where is None else expr_sql(e.where, inner)
    m = _NONE if e.where is None else f"CASE WHEN w IS NULL THEN {missing_sql(e.where, inner)} END"
    x = inner.event
    return (
        f"LEFT JOIN (SELECT entity_id, CASE WHEN bool_or(w) THEN TRUE WHEN bool_or(w IS NULL) THEN NULL "
        f"ELSE FALSE END AS v, flatten(list(m) FILTER (WHERE m IS NOT NULL)) AS m FROM "
        f"(SELECT {x}.entity_id, w, {m} AS m FROM (SELECT *, {where} AS w FROM {events}) {x}) "
        f"GROUP BY entity_id) {alias} ON {alias}.entity_id = {s.facts}.entity_id"
    )


def _children(n: object) -> list[object]:
    if isinstance(n, tuple | list):
        return list(n)
    if dataclasses.is_dataclass(n) and not isinstance(n, type | Parameter):
        return [getattr(n, f.name) for f in dataclasses.fields(n)]
    return []


def _descendants(n: object) -> list[object]:
    out, stack = [], [n]
    while stack:
        x = stack.pop()
        out.append(x)
        stack.extend(_children(x))
    return out


def _exists_events(e: Exists, s: Scope, correlated: bool = True) -> tuple[Scope, str]:
    """The scope inside exists(...) and the FROM/WHERE text of the events it looks at (those of the
    entity in scope, unless not ``correlated``: every entity's)."""
    alias = f"x{s.depth + 1}"
    inner = Scope(s.facts, alias, s.start, s.end, s.item, s.depth + 1, s.events)
    period = f"{alias}.date <= {sql_date(s.end)}"
    if not e.ever:
        period += f" AND {alias}.date >= {sql_date(s.start)}"
    entity = f"{alias}.entity_id = {s.facts}.entity_id AND " if correlated else ""
    return inner, f"{s.events} {alias} WHERE {entity}{alias}.type = {sql_str(e.event_type)} AND {period}"


# ---------------------------------------------------------------------------------------------------
# What an Unknown lacks: a VARCHAR[] valid where the value is NULL (elsewhere it means nothing).

_NONE = "CAST([] AS VARCHAR[])"


def _if_null(e: Expr, s: Scope) -> str:
    """The missing facts of ``e`` when ``e`` is Unknown, else the empty list."""
    m = missing_sql(e, s)
    return _NONE if m == _NONE else f"(CASE WHEN {expr_sql(e, s)} IS NULL THEN {m} ELSE {_NONE} END)"


def _concat(parts: list[str]) -> str:
    parts = [p for p in parts if p != _NONE]
    if not parts:
        return _NONE
    return parts[0] if len(parts) == 1 else f"list_concat({', '.join(parts)})"


def missing_sql(e: Expr, s: Scope) -> str:
    """The facts an Unknown ``e`` lacks, as the scalar engine's ``Unknown.missing`` names them
    (unsorted, possibly repeated: the item's list is sorted and deduplicated once)."""
    if isinstance(e, FactRef):
        name = f"years.{s.start.year}.{e.name}" if e.yearly else f"facts.{e.name}"
        return f"[{sql_str(name)}]"
    if isinstance(e, AttrRef):
        if s.event is None:
            return f"[{sql_str(f'events[?].{e.name}')}]"
        return f"['events[' || CAST({s.event}.event_index AS VARCHAR) || {sql_str('].' + e.name)}]"
    if isinstance(e, ParamRef | Lit):
        return _NONE
    if isinstance(e, Compare | Arith):
        return _concat([_if_null(e.left, s), _if_null(e.right, s)])
    if isinstance(e, Logic | MinMax):
        # an and/or that is Unknown has no decisive argument: every Unknown argument counts
        return _concat([_if_null(a, s) for a in e.args])
    if isinstance(e, Not):
        return missing_sql(e.arg, s)
    if isinstance(e, In):
        return missing_sql(e.item, s)
    if isinstance(e, Exists):
        if e.where is None:  # an event list is complete: exists without a filter is never Unknown
            return _NONE
        if s.joined and e in s.joined:
            return f"{s.joined[e]}.m"
        inner, events = _exists_events(e, s)
        return (
            f"(SELECT flatten(list({missing_sql(e.where, inner)})) FROM {events} "
            f"AND ({expr_sql(e.where, inner)}) IS NULL)"
        )
    raise NotVectorized(e, s.item, "unknown expression node")


# ---------------------------------------------------------------------------------------------------
# Amounts: each compiles to (state, value). state is 'V' (a value), 'U' (Unknown: a fact is missing)
# or 'N' (NoCase: no tier for the value, the occurrence is not eligible); value is set when 'V'.


@dataclass(frozen=True, slots=True)
class AmountSql:
    state: str
    value: str
    missing: str = _NONE  # the facts lacking where state is 'U'


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
        missing = " ".join(f"WHEN {key} = {k} THEN {sub.missing}" for k, sub in subs)
        return AmountSql(
            f"(CASE WHEN {key} IS NULL THEN 'U' {state} ELSE 'N' END)",
            f"(CASE {value} ELSE NULL END)",
            f"(CASE WHEN {key} IS NULL THEN {missing_sql(a.on, s)} {missing} ELSE {_NONE} END)",
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
        missing = " ".join(f"WHEN {c} THEN {sub.missing}" for c, sub in conds)
        return AmountSql(
            f"(CASE WHEN {x} IS NULL THEN 'U' {state} ELSE 'N' END)",
            f"(CASE {value} ELSE NULL END)",
            f"(CASE WHEN {x} IS NULL THEN {missing_sql(a.on, s)} {missing} ELSE {_NONE} END)",
        )
    if isinstance(a, Ratio):
        base = expr_sql(a.base, s)
        # round_fen: half-up to the fen, once, on the exact product (DuckDB ROUND on DECIMAL rounds
        # half away from zero, which is Python's ROUND_HALF_UP).
        return AmountSql(
            f"(CASE WHEN {base} IS NULL THEN 'U' ELSE 'V' END)",
            f"CAST(ROUND({base} * {sql_decimal(a.rate.value)}, 0) AS BIGINT)",  # type: ignore[arg-type]
            missing_sql(a.base, s),
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
            missing_sql(a.base, s),
        )
    if isinstance(a, Multiply):
        amt, factor = amount_sql(a.amount, s), amount_sql(a.factor, s)
        return AmountSql(
            f"(CASE WHEN {amt.state} <> 'V' THEN {amt.state} ELSE {factor.state} END)",
            f"CAST(ROUND({amt.value} * {factor.value}, 0) AS BIGINT)",
            f"(CASE WHEN {amt.state} = 'U' THEN {amt.missing} ELSE {factor.missing} END)",
        )
    if isinstance(a, Cap):
        amt = amount_sql(a.amount, s)
        at = param_sql(a.at)
        return AmountSql(
            amt.state, f"(CASE WHEN {amt.value} > {at} THEN {at} ELSE {amt.value} END)", amt.missing
        )
    raise NotVectorized(a, s.item, "unknown amount mechanism")
