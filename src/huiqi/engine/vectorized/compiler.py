"""The compiler: every item in force in a year → staged DuckDB statements over the whole population.

The stages are those of docs/rules.md §6, in the same order. ``Plan.steps`` build temporary tables
(one statement per item: see ``Plan``); ``Plan.result`` settles the eligible rows and reads the answer:

- ``hq_ev``     the events the rules read, copied once (types, attributes and dates they read);
- ``hq_base``   entities ⋈ their facts of the year (only the facts the rules read), plus one gate
                 column per document (§6.2: bans and beneficiary conditions 资助对象, Kleene-AND'ed)
                 and what an Unknown gate lacks;
- ``hq_occ``    one row per occurrence (§6.3): per entity for a yearly item, per event of the type in
                 the period for a ``for_each`` item; its status E/U/D (W: the filter itself is
                 Unknown), amount or discretionary cap, and the facts an Unknown lacks. Rows that
                 cannot pay (wrong kind, gate False, ``when`` False, filter False, no tier) are never
                 produced: absent means not eligible;
- ``hq_nd``     从高、不重复 ranks of the occurrences that compete (§6.4): eligible ones of eligible
                 items and discretionary ones (by their ceiling) of discretionary items; then the
                 ceilings of discretionary occurrences are settled in ``hq_occ`` (0 when outranked,
                 less what the subject was paid under 补差, §6.5);
- ``hq_st``     the item's status (U before E before D) and missing facts; a discretionary item's
                 ceiling lowered by its caps against past payments (§6.6), 0 → not eligible;
- ``dues``      (eligible rows only) 从优、从高、不重复 by subject (§6.4: the rank in ``hq_nd``, the
                 highest amount or ceiling of a subject, ties to the earlier item then event) and
                 已兑现/晋升补差 against past payments with the same subject (§6.5);
- ``capped``    item caps per year / cumulative / number of years (§6.6);
- ``sc<k>``     caps spanning items, per organisation and year, cutting the last member first (§6.7).

The output has one row per (entity, item) that is not ``not_eligible`` (``dense=True`` adds the
not-eligible rows): ``entity_id, item_id, year, status, amount_fen, cap_fen, missing`` — what
``calculate(book, profile, year, explain=False)`` gives for every item of every entity (``missing``:
the sorted facts an undetermined item lacks, NULL on other rows).

Only the eligible rows are settled: at a million entities most rows are undetermined (a population
rarely carries every fact every document reads) and go from ``hq_st`` to the output untouched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from huiqi.engine.vectorized.expressions import (
    EVENTS,
    AmountSql,
    NotVectorized,
    Scope,
    amount_sql,
    exists_join,
    expr_sql,
    joinable_exists,
    missing_sql,
    param_sql,
    sql_date,
    sql_str,
)
from huiqi.engine.vectorized.tables import event_attrs, quote_ident, static_facts, yearly_facts
from huiqi.rules.ast import (
    AttrRef,
    CapKind,
    Exists,
    Expr,
    FactRef,
    Item,
    Logic,
    Parameter,
    ProvisionKind,
    RuleSet,
)
from huiqi.rules.loader import RuleBook

COLUMNS = "entity_id, item_id, year, status, amount_fen, cap_fen, missing"
NO_MISSING = "CAST(NULL AS VARCHAR[])"  # the missing facts of a row that is not undetermined
# the temporary tables a plan's steps build, on the connection until the next run
INTERMEDIATE = ("hq_ev", "hq_base", "hq_dim", "hq_occ", "hq_pay_item", "hq_pay_subject", "hq_st")
INTERMEDIATE += ("hq_missing",)
INTERMEDIATE += ("hq_nd",)  # 从高、不重复 ranks (settlement)

_EMPTY = (
    "SELECT NULL AS entity_id, CAST(NULL AS VARCHAR) AS item_id, CAST(NULL AS INTEGER) AS year, "
    "CAST(NULL AS VARCHAR) AS status, CAST(NULL AS BIGINT) AS amount_fen, CAST(NULL AS BIGINT) AS cap_fen, "
    "CAST(NULL AS VARCHAR[]) AS missing LIMIT 0"
)


@dataclass(frozen=True, slots=True)
class LiveItem:
    """An item in force in the year: its position in result order, its document and period."""

    pos: int
    item: Item
    rs: RuleSet
    doc_pos: int
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Plan:
    """The compiled work for one year: ``steps`` (label, SQL) build temporary tables in order — the
    year's events and facts, then one step per item's occurrences, then the item statuses — and
    ``result`` selects the answer from them (``ordered``: the same rows by entity, then item in the
    scalar engine's order).

    One statement per item rather than one statement for all: DuckDB's planner time grows faster
    than linearly with the size of one query (137 items in one UNION took seconds to plan on an empty
    population), and separate steps give a progress bar and let each step spill to disk alone."""

    year: int
    steps: tuple[tuple[str, str], ...]
    result: str
    items: tuple[LiveItem, ...]
    ordered: str = _EMPTY

    def script(self) -> str:
        """The whole plan as one SQL script (for reading and debugging)."""
        return ";\n".join([*(sql for _, sql in self.steps), self.result]) + ";"


def _window(item: Item, year: int) -> tuple[date, date] | None:
    if item.validity.start is None:  # an undated draft is in force in no year (docs/rules.md §1)
        return None
    start = max(date(year, 1, 1), item.validity.start)
    end = min(date(year, 12, 31), item.validity.end)
    return (start, end) if start <= end else None


def live_items(
    book: RuleBook, year: int, documents: list[str] | None = None, only: set[str] | None = None
) -> list[LiveItem]:
    """Items in force in ``year`` in the scalar engine's result order (document, then file order);
    ``only`` keeps the named items (benchmarks: time against the number of rules)."""
    out: list[LiveItem] = []
    for doc_pos, (doc_id, rs) in enumerate(book.rulesets.items()):
        if documents is not None and doc_id not in documents:
            continue
        for it in rs.items:
            w = _window(it, year)
            if w is not None and (only is None or it.id in only):
                out.append(LiveItem(len(out), it, rs, doc_pos, w[0], w[1]))
    return out


def _walk(nodes: Iterable[object]) -> Iterable[object]:
    """Every node under ``nodes`` (the frozen dataclasses of ``huiqi.rules.ast``; parameters are
    leaves)."""
    stack = list(nodes)
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, tuple | list):
            stack.extend(n)
        elif dataclasses.is_dataclass(n) and not isinstance(n, type | Parameter):
            stack.extend(getattr(n, f.name) for f in dataclasses.fields(n))


def facts_read(nodes: Iterable[object]) -> set[str]:
    """The names of the facts an AST reads: the base table carries only these columns, as a
    hand-written query would."""
    return {n.name for n in _walk(nodes) if isinstance(n, FactRef)}


def attrs_read(nodes: Iterable[object]) -> set[str]:
    """The event attributes an AST reads (the columns of the year's copy of the events)."""
    return {n.name for n in _walk(nodes) if isinstance(n, AttrRef)}


def event_types_read(nodes: Iterable[object]) -> set[str]:
    """The event types an AST's exists(...) / ever(...) look at."""
    return {n.event_type for n in _walk(nodes) if isinstance(n, Exists)}


def _adopts(rs: RuleSet, kind: ProvisionKind) -> bool:
    return any(p.kind is kind for p in rs.provisions)


# ---------------------------------------------------------------------------------------------------
# Stage 2: the gate of a document, and the year's events


def _gate_sql(rs: RuleSet, first: LiveItem) -> tuple[str, str]:
    """Bans and beneficiary conditions, evaluated over the period of the document's first item in
    force (as the scalar engine does), and what an Unknown gate lacks. A ban is definite (events are a
    complete list); conditions are three-valued; all are AND'ed (Kleene)."""
    s = Scope("b", None, first.start, first.end, first.item.id)
    parts: list[str] = []
    conditions: list[Expr] = []
    for prov in rs.provisions:
        if prov.kind is ProvisionKind.BAN and prov.years is not None:
            # 弄虚作假 查实 on d: barred while d ≤ end and d + N years > start (the event's own
            # ban_years when set and non-zero); the day is clamped to 28 as the scalar engine does.
            years = f"COALESCE(NULLIF(f.ban_years, 0), {param_sql(prov.years)})"
            until = f"make_date(LEAST(year(f.date) + {years}, 9999), month(f.date), LEAST(day(f.date), 28))"
            parts.append(
                f"(NOT EXISTS (SELECT 1 FROM {EVENTS} f WHERE f.entity_id = b.entity_id "
                f"AND f.type = 'fraud_finding' AND f.date <= {sql_date(first.end)} "
                f"AND {until} > {sql_date(first.start)}))"
            )
        elif prov.kind is ProvisionKind.BENEFICIARY and prov.condition is not None:
            parts.append(expr_sql(prov.condition, s))
            conditions.append(prov.condition)
    gate = "(" + " AND ".join(parts) + ")" if parts else "TRUE"
    # a ban is never Unknown: what an Unknown gate lacks comes from its conditions alone
    missing = missing_sql(Logic("and", tuple(conditions)), s) if conditions else NO_MISSING
    return gate, missing


def _events_sql(items: list[LiveItem], docs: dict[int, LiveItem]) -> str:
    """The year's copy of the events the rules read (``hq_ev``): the types they read, up to the last
    day in force, only the attributes they read — one scan of the input instead of one per item."""
    provisions = [p for li in docs.values() for p in li.rs.provisions]
    nodes: list[object] = [*(li.item for li in items), *provisions]
    types = {li.item.for_each.event_type for li in items if li.item.for_each is not None}
    types |= event_types_read(nodes)
    attrs = attrs_read(nodes) & set(event_attrs())
    if any(li.item.subject == "event.subject" for li in items):
        attrs.add("subject")
    if any(p.kind is ProvisionKind.BAN and p.years is not None for p in provisions):
        types.add("fraud_finding")
        attrs.add("ban_years")
    cols = "".join(f", {quote_ident(a)}" for a in sorted(attrs))
    in_types = ", ".join(sql_str(t) for t in sorted(types)) or "NULL"
    last = max(li.end for li in items)
    return (
        f"CREATE OR REPLACE TEMP TABLE {EVENTS} AS SELECT entity_id, type, date, event_index{cols} "
        f"FROM events WHERE type IN ({in_types}) AND date <= {sql_date(last)}"
    )


# ---------------------------------------------------------------------------------------------------
# Stage 3: occurrences of one item


def _subject_sql(li: LiveItem, event: str | None) -> str:
    """The key of 不重复 / 补差, as the scalar engine writes it; NULL for a yearly item, whose key is
    the same for every entity and sits in ``hq_dim.subject``."""
    it = li.item
    if event is None:
        return "CAST(NULL AS VARCHAR)"
    if it.subject and it.subject.startswith("ladder:"):
        return sql_str(it.subject)
    own = (
        f"{sql_str(it.id + '#' + (it.for_each.event_type if it.for_each else '') + '@')} "
        f"|| strftime({event}.date, '%Y-%m-%d') || '#' || CAST({event}.event_index AS VARCHAR)"
    )
    if it.subject == "event.subject":
        return (
            f"(CASE WHEN {event}.subject IS NOT NULL AND {event}.subject <> '' "
            f"THEN {event}.subject ELSE {own} END)"
        )
    return own


def _yearly_subject(li: LiveItem, year: int) -> str:
    it = li.item
    return it.subject if it.subject and it.subject.startswith("ladder:") else f"{it.id}@{year}"


def _occurrences_sql(li: LiveItem, year: int) -> str:
    it = li.item
    ev = "ev" if it.for_each is not None else None
    joinable = joinable_exists([it.when, it.for_each, it.amount, it.discretion])
    joined = {e: f"xj{k}" for k, e in enumerate(joinable)}
    s = Scope("b", ev, li.start, li.end, it.id, joined=joined)
    joins = "".join(" " + exists_join(e, alias, s) for e, alias in joined.items())
    when = "TRUE" if it.when is None else expr_sql(it.when, s)
    kinds = ", ".join(sql_str(k) for k in it.entities)
    if it.discretion is not None:
        cap = it.discretion.cap
        a = AmountSql("'V'", "CAST(NULL AS BIGINT)") if cap is None else amount_sql(cap, s)
    elif it.amount is not None:
        a = amount_sql(it.amount, s)
    else:
        raise NotVectorized(it, it.id, "an item with neither an amount nor a discretion")
    gate = f"b.g{li.doc_pos}"
    if it.for_each is None:
        source = "hq_base b"
        filt = "TRUE"
        ev_index = "CAST(NULL AS BIGINT)"
    else:
        fe = it.for_each
        source = (
            f"{EVENTS} ev JOIN hq_base b ON b.entity_id = ev.entity_id "
            f"AND ev.type = {sql_str(fe.event_type)} "
            f"AND ev.date BETWEEN {sql_date(li.start)} AND {sql_date(li.end)}"
        )
        filt = "TRUE" if fe.where is None else expr_sql(fe.where, s)
        ev_index = "ev.event_index"
    # what an Unknown lacks, each computed only where that part is Unknown (the lists cost)
    m_filt = (
        NO_MISSING
        if it.for_each is None or it.for_each.where is None
        else (f"CASE WHEN ({filt}) IS NULL THEN {missing_sql(it.for_each.where, s)} END")
    )
    m_when = (
        NO_MISSING if it.when is None else f"CASE WHEN ({when}) IS NULL THEN {missing_sql(it.when, s)} END"
    )
    m_amount = f"CASE WHEN {a.state} = 'U' THEN {a.missing} END"
    # The order of the tests is the scalar engine's: filter, when, NoCase, Unknown, zero.
    if it.discretion is not None:
        status = (
            "CASE WHEN f IS NULL THEN 'W' WHEN ast = 'U' OR w IS NULL OR g IS NULL THEN 'U' "
            "WHEN ast = 'N' THEN 'N' ELSE 'D' END"
        )
    else:
        status = (
            "CASE WHEN f IS NULL THEN 'W' WHEN ast = 'N' THEN 'N' WHEN ast = 'U' OR w IS NULL OR g IS NULL "
            "THEN 'U' WHEN v = 0 THEN 'N' ELSE 'E' END"
        )
    return (
        f"SELECT entity_id, {li.pos} AS pos, ev_index, subject, st, v, "
        # the filter Unknown: the event's own missing attributes; else amount, condition and gate
        "CASE st WHEN 'W' THEN mf WHEN 'U' THEN list_concat(COALESCE(ma, []), COALESCE(mw, []), "
        "COALESCE(mg, [])) END AS m "
        f"FROM (SELECT *, {status} AS st FROM (SELECT b.entity_id, {ev_index} AS ev_index, "
        f"{_subject_sql(li, ev)} AS subject, {filt} AS f, {when} AS w, {gate} AS g, "
        f"{a.state} AS ast, CAST({a.value} AS BIGINT) AS v, "
        f"{m_filt} AS mf, {m_when} AS mw, {m_amount} AS ma, "
        f"b.m{li.doc_pos} AS mg FROM {source}{joins} "
        f"WHERE b.kind IN ({kinds}) AND {gate} IS NOT FALSE) "
        # the filter False drops the event; when False drops the occurrence (unless the filter is
        # Unknown: that event is undetermined whatever the rest says)
        "WHERE f IS NULL OR (f AND w IS NOT FALSE)) WHERE st <> 'N'"
    )


# ---------------------------------------------------------------------------------------------------
# Stages 4–7


def _item_caps_sql(li: LiveItem) -> str:
    """The item's caps applied in file order to ``t`` (the sum of its dues), against past payments
    of the item: ``py`` this year, ``pall`` all years, ``ny`` distinct other years paid."""
    t = "t"
    for cap in li.item.caps:
        n = param_sql(cap.param)
        if cap.kind is CapKind.PER_YEAR:
            room = f"GREATEST(0, {n} - py)"
        elif cap.kind is CapKind.CUMULATIVE:
            room = f"GREATEST(0, {n} - pall)"
        elif cap.kind is CapKind.MAX_YEARS:
            room = f"(CASE WHEN ny >= {n} THEN 0 ELSE {t} END)"
        else:
            raise NotVectorized(cap, li.item.id, f"cap kind {cap.kind!r}")
        t = f"LEAST({t}, {room})"
    return t


def _ceiling_caps_sql(li: LiveItem) -> str:
    """A discretionary item's ceiling ``i.cap_fen`` lowered by its caps, in file order, as
    ``_ceiling_caps`` does: the room left this year / over all years (a ceiling the text does not
    state becomes the room), 0 once the item was paid in N other years."""
    c = "i.cap_fen"
    for cap in li.item.caps:
        n = param_sql(cap.param)
        if cap.kind is CapKind.PER_YEAR:
            room = f"GREATEST(0, {n} - COALESCE(pi.py, 0))"
        elif cap.kind is CapKind.CUMULATIVE:
            room = f"GREATEST(0, {n} - COALESCE(pi.pall, 0))"
        elif cap.kind is CapKind.MAX_YEARS:
            c = f"(CASE WHEN COALESCE(pi.ny, 0) >= {n} THEN 0 ELSE {c} END)"
            continue
        else:
            raise NotVectorized(cap, li.item.id, f"cap kind {cap.kind!r}")
        c = f"(CASE WHEN {c} IS NULL OR {c} > {room} THEN {room} ELSE {c} END)"
    return c


def compile_year(
    book: RuleBook,
    year: int,
    documents: list[str] | None = None,
    dense: bool = False,
    only: set[str] | None = None,
) -> Plan:
    """The query computing every live item of ``book`` for ``year`` over the input views."""
    items = live_items(book, year, documents, only)
    if not items:
        return Plan(year, (), _EMPTY, ())
    docs: dict[int, LiveItem] = {}
    for li in items:
        docs.setdefault(li.doc_pos, li)
    yf = yearly_facts()
    read = facts_read([*(li.item for li in items), *(p for li in docs.values() for p in li.rs.provisions)])
    if any(sc.per == "org_year" for li in docs.values() for sc in li.rs.shared_caps):
        read.add("innovation_org_id")
    static_cols = "".join(f", e.{quote_ident(n)}" for n in static_facts() if n in read)
    year_cols = "".join(f", y.{quote_ident(n)}" for n in yf if n in read)
    gates = {d: _gate_sql(li.rs, li) for d, li in docs.items()}
    gate_cols = ", ".join(f"{g} AS g{d}" for d, (g, _) in gates.items())
    gate_missing = ", ".join(f"CASE WHEN b.g{d} IS NULL THEN {m} END AS m{d}" for d, (_, m) in gates.items())
    steps: list[tuple[str, str]] = [
        ("events of the year", _events_sql(items, docs)),
        (
            "facts of the year",
            f"CREATE OR REPLACE TEMP TABLE hq_base AS SELECT b.*, {gate_missing} "
            f"FROM (SELECT b.*, {gate_cols} "
            f"FROM (SELECT e.entity_id, e.kind{static_cols}{year_cols} "
            "FROM entities e LEFT JOIN entity_years y "
            f"ON y.entity_id = e.entity_id AND y.year = {int(year)}) b) b",
        ),
    ]

    # the items dimension: position, id, which provisions its document adopts, a yearly item's subject
    def yearly_key(li: LiveItem) -> bool:
        return li.item.for_each is None and not (li.item.subject or "").startswith("ladder:")

    dim_rows = ", ".join(
        f"({li.pos}, {sql_str(li.item.id)}, "
        f"{'TRUE' if _adopts(li.rs, ProvisionKind.NON_DUPLICATION) else 'FALSE'}, "
        f"{'TRUE' if _adopts(li.rs, ProvisionKind.UPGRADE) else 'FALSE'}, "
        # a payment without a subject matches only the yearly occurrence of its own item (id@Y)
        f"{'TRUE' if yearly_key(li) else 'FALSE'}, {sql_str(_yearly_subject(li, year))})"
        for li in items
    )
    steps.append(
        (
            "items",
            "CREATE OR REPLACE TEMP TABLE hq_dim AS SELECT * FROM "
            f"(VALUES {dim_rows}) v(pos, item_id, nd, up, nosubj, subject)",
        )
    )
    steps.append(
        (
            "occurrences",
            "CREATE OR REPLACE TEMP TABLE hq_occ AS SELECT entity_id, CAST(0 AS INTEGER) AS pos, "
            "CAST(0 AS BIGINT) AS ev_index, CAST('' AS VARCHAR) AS subject, CAST('' AS VARCHAR) AS st, "
            "CAST(0 AS BIGINT) AS v, CAST([] AS VARCHAR[]) AS m FROM hq_base LIMIT 0",
        )
    )
    steps.extend((li.item.id, "INSERT INTO hq_occ " + _occurrences_sql(li, year)) for li in items)
    # past payments by (entity, item in force) and by subject: small, read by several stages
    steps.append(
        (
            "payments",
            "CREATE OR REPLACE TEMP TABLE hq_pay_item AS SELECT p.entity_id, d.pos, "
            f"sum(p.amount_fen) FILTER (WHERE p.subject IS NULL AND p.year = {int(year)}) AS paid_nosubj, "
            f"COALESCE(sum(p.amount_fen) FILTER (WHERE p.year = {int(year)}), 0) AS py, "
            "COALESCE(sum(p.amount_fen), 0) AS pall, "
            f"count(DISTINCT p.year) FILTER (WHERE p.year <> {int(year)}) AS ny "
            "FROM payments p JOIN hq_dim d ON d.item_id = p.item GROUP BY p.entity_id, d.pos",
        )
    )
    steps.append(
        (
            "payments by subject",
            "CREATE OR REPLACE TEMP TABLE hq_pay_subject AS SELECT entity_id, subject, "
            "sum(amount_fen) AS paid FROM payments WHERE subject IS NOT NULL GROUP BY ALL",
        )
    )
    # 4 and 5 for discretionary rows (§6 stages 4, 5): the competitors of 从高、不重复 — eligible
    # occurrences of eligible items, and discretionary occurrences with a ceiling of discretionary
    # items (an item's status is U when one of its occurrences waits, else E when one is eligible) —
    # ranked once (``hq_nd``; ``ranked`` below reads it); then a discretionary occurrence's ceiling
    # becomes 0 when it is outranked and, under 补差, its ceiling less what its subject was paid,
    # before the item's ceiling is summed (``hq_st``).
    nd_pos = ", ".join(str(li.pos) for li in items if _adopts(li.rs, ProvisionKind.NON_DUPLICATION)) or "NULL"
    settle_pos = [
        li.pos
        for li in items
        if li.item.discretion is not None
        and (_adopts(li.rs, ProvisionKind.NON_DUPLICATION) or _adopts(li.rs, ProvisionKind.UPGRADE))
    ]
    steps.append(
        (
            "non-duplication ranks",
            "CREATE OR REPLACE TEMP TABLE hq_nd AS SELECT o.entity_id, o.pos, o.ev_index, "
            "row_number() OVER (PARTITION BY o.entity_id, COALESCE(o.subject, d.subject) "
            "ORDER BY o.v DESC, o.pos, o.ev_index) AS rk FROM hq_occ o JOIN hq_dim d ON d.pos = o.pos "
            f"WHERE o.pos IN ({nd_pos}) AND (o.st = 'E' OR (o.st = 'D' AND o.v IS NOT NULL)) "
            "AND NOT EXISTS (SELECT 1 FROM hq_occ x WHERE x.entity_id = o.entity_id AND x.pos = o.pos "
            "AND (x.st IN ('U', 'W') OR (o.st = 'D' AND x.st = 'E')))",
        )
    )
    if settle_pos:
        steps.append(
            (
                "ceilings: non-duplication and upgrade",
                "UPDATE hq_occ SET v = s.sv FROM (SELECT o.entity_id, o.pos, o.ev_index, "
                # payments booked to the subject only: those without one are the item caps' (§6.5)
                "CASE WHEN d.nd AND n.rk > 1 THEN 0 WHEN d.up THEN GREATEST(0, o.v - COALESCE(ps.paid, 0)) "
                "ELSE o.v END AS sv "
                "FROM hq_occ o JOIN hq_dim d ON d.pos = o.pos LEFT JOIN hq_nd n ON n.entity_id = o.entity_id "
                "AND n.pos = o.pos AND n.ev_index IS NOT DISTINCT FROM o.ev_index "
                "LEFT JOIN hq_pay_subject ps ON ps.entity_id = o.entity_id "
                "AND ps.subject = COALESCE(o.subject, d.subject) "
                f"WHERE o.st = 'D' AND o.v IS NOT NULL AND o.pos IN ({', '.join(map(str, settle_pos))})) s "
                "WHERE hq_occ.st = 'D' AND hq_occ.entity_id = s.entity_id AND hq_occ.pos = s.pos "
                "AND hq_occ.ev_index IS NOT DISTINCT FROM s.ev_index",
            )
        )
    # 3'. the item's status from its occurrences (U before E before D): a yearly item has one
    # occurrence, which is its status; an item per event groups its events. A discretionary item's
    # ceiling is the sum of its occurrences' ceilings (none when one has none), lowered by the item's
    # caps against its payments (§6.6); a ceiling of 0 leaves nothing to decide (not eligible).
    ceiling_case = " ".join(f"WHEN {li.pos} THEN {_ceiling_caps_sql(li)}" for li in items if li.item.caps)
    ceiling = f"CASE i.pos {ceiling_case} ELSE i.cap_fen END" if ceiling_case else "i.cap_fen"
    capped_pos = ", ".join(str(li.pos) for li in items if li.item.caps or li.pos in settle_pos) or "NULL"
    steps.append(
        (
            "item status",
            "CREATE OR REPLACE TEMP TABLE hq_st AS SELECT * FROM (SELECT i.entity_id, i.pos, "
            f"CASE WHEN i.status = 'D' AND i.pos IN ({capped_pos}) AND ({ceiling}) = 0 THEN 'N' "
            "ELSE i.status END AS status, "
            f"CAST(CASE WHEN i.status = 'D' THEN {ceiling} END AS BIGINT) AS cap_fen, i.m FROM ("
            "SELECT entity_id, pos, CASE st WHEN 'W' THEN 'U' ELSE st END AS status, v AS cap_fen, m "
            "FROM hq_occ WHERE ev_index IS NULL UNION ALL "
            "SELECT entity_id, pos, CASE WHEN bool_or(st IN ('U', 'W')) THEN 'U' "
            "WHEN bool_or(st = 'E') THEN 'E' ELSE 'D' END, "
            "CASE WHEN bool_or(st = 'D' AND v IS NULL) THEN NULL "
            "ELSE sum(v) FILTER (WHERE st = 'D') END, flatten(list(m) FILTER (WHERE m IS NOT NULL)) "
            "FROM hq_occ WHERE ev_index IS NOT NULL GROUP BY entity_id, pos) i "
            "LEFT JOIN hq_pay_item pi ON pi.entity_id = i.entity_id AND pi.pos = i.pos) WHERE status <> 'N'",
        )
    )
    # The scalar engine's list of missing facts (sorted, each fact once), made once per item and
    # distinct unsorted list, not once per row: an item's undetermined rows lack one of a few sets of
    # facts (at 100k entities, 2.1M undetermined rows of 183 items hold 63 distinct lists), and
    # sorting every row's list was about half the cost of the result. The result carries the list's
    # id and looks the list up after sorting (a sort carrying lists costs twice one carrying ids).
    steps.append(
        (
            "missing facts",
            "CREATE OR REPLACE TEMP TABLE hq_missing AS SELECT row_number() OVER () AS id, pos, m, "
            "list_sort(list_distinct(m)) AS missing "
            "FROM (SELECT DISTINCT pos, m FROM hq_st WHERE status = 'U')",
        )
    )

    # 4. 从优、从高、不重复 and 5. 已兑现 / 晋升补差, per eligible occurrence of an eligible item — the
    # only rows settlement touches; undetermined and discretionary rows go straight to the output
    dues = (
        "elig AS (SELECT o.entity_id, o.pos, o.ev_index, COALESCE(o.subject, d.subject) AS subject, o.v, "
        "d.nd, d.up, d.nosubj FROM hq_occ o JOIN hq_dim d ON d.pos = o.pos "
        "WHERE o.st = 'E' AND (o.ev_index IS NULL OR EXISTS (SELECT 1 FROM hq_st i "
        "WHERE i.entity_id = o.entity_id AND i.pos = o.pos AND i.status = 'E'))),\n"
        "ranked AS (SELECT e.*, CASE WHEN e.nd THEN n.rk ELSE 1 END AS rk FROM elig e "
        "LEFT JOIN hq_nd n ON n.entity_id = e.entity_id AND n.pos = e.pos "
        "AND n.ev_index IS NOT DISTINCT FROM e.ev_index),\n"
        "dues AS (SELECT r.entity_id, r.pos, "
        "CASE WHEN r.rk > 1 THEN 0 "
        "WHEN COALESCE(ps.paid, 0) + CASE WHEN r.nosubj THEN COALESCE(pi.paid_nosubj, 0) ELSE 0 END <> 0 "
        "THEN CASE WHEN r.up THEN GREATEST(0, r.v - COALESCE(ps.paid, 0) "
        "- CASE WHEN r.nosubj THEN COALESCE(pi.paid_nosubj, 0) ELSE 0 END) ELSE 0 END "
        "ELSE r.v END AS due "
        "FROM ranked r LEFT JOIN hq_pay_subject ps ON ps.entity_id = r.entity_id AND ps.subject = r.subject "
        "LEFT JOIN hq_pay_item pi ON pi.entity_id = r.entity_id AND pi.pos = r.pos)"
    )
    capped_case = " ".join(f"WHEN {li.pos} THEN {_item_caps_sql(li)}" for li in items if li.item.caps)
    capped_expr = f"CASE pos {capped_case} ELSE t END" if capped_case else "t"
    capped = (
        "totals AS (SELECT entity_id, pos, sum(due) AS t FROM dues GROUP BY ALL),\n"
        f"capped AS (SELECT t0.entity_id, t0.pos, CAST({capped_expr} AS BIGINT) AS amount "
        "FROM (SELECT t.*, COALESCE(pi.py, 0) AS py, COALESCE(pi.pall, 0) AS pall, COALESCE(pi.ny, 0) AS ny "
        "FROM totals t LEFT JOIN hq_pay_item pi ON pi.entity_id = t.entity_id AND pi.pos = t.pos) t0)"
    )
    stages = [dues, capped]
    last = "capped"
    by_id = {li.item.id: li for li in items}
    shared = [sc for d, li in docs.items() for sc in li.rs.shared_caps]
    for k, sc in enumerate(shared):
        members = [by_id[i] for i in sc.items if i in by_id]
        if not members:
            continue
        if sc.per not in ("org_year", "entity_year"):
            raise NotVectorized(sc, sc.id, f"shared cap per {sc.per!r}")
        order = " ".join(f"WHEN {m.pos} THEN {n}" for n, m in enumerate(members))
        ids = ", ".join(sql_str(i) for i in sc.items)
        org = (
            "AND (p.org_id IS NULL OR p.org_id = b.innovation_org_id)"
            if sc.per == "org_year" and "innovation_org_id" in yf
            else ("AND p.org_id IS NULL" if sc.per == "org_year" else "")
        )
        stages.append(
            f"sc{k}_room AS (SELECT b.entity_id, "
            f"GREATEST(0, {param_sql(sc.param)} - COALESCE(sum(p.amount_fen), 0)) "
            f"AS room FROM hq_base b JOIN payments p ON p.entity_id = b.entity_id AND p.item IN ({ids}) "
            f"AND p.year = {int(year)} {org} GROUP BY b.entity_id),\n"
            f"sc{k}_m AS (SELECT c.*, CASE c.pos {order} END AS mpos, "
            f"COALESCE(r.room, {param_sql(sc.param)}) AS room FROM {last} c "
            f"LEFT JOIN sc{k}_room r ON r.entity_id = c.entity_id),\n"
            # the excess over the room is cut from the last member items first
            f"sc{k} AS (SELECT entity_id, pos, "
            "CASE WHEN mpos IS NULL THEN amount ELSE amount - LEAST(amount, "
            f"GREATEST(0, sum(amount) OVER (PARTITION BY entity_id, mpos IS NULL) - room "
            f"- COALESCE(sum(amount) OVER (PARTITION BY entity_id, mpos IS NULL ORDER BY mpos "
            f"ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0))) END AS amount FROM sc{k}_m)"
        )
        last = f"sc{k}"
    # every eligible item is in the settled rows (it has an eligible occurrence); the others are
    # read from the status table as they are
    result = (
        f"SELECT a.entity_id, d.item_id, CAST({int(year)} AS INTEGER) AS year, 'eligible' AS status, "
        "CAST(a.amount AS BIGINT) AS amount_fen, CAST(NULL AS BIGINT) AS cap_fen, "
        f"CAST(NULL AS BIGINT) AS missing, a.pos FROM {last} a JOIN hq_dim d ON d.pos = a.pos "
        f"UNION ALL SELECT i.entity_id, d.item_id, CAST({int(year)} AS INTEGER), "
        "CASE i.status WHEN 'U' THEN 'undetermined' ELSE 'discretionary' END, CAST(0 AS BIGINT), "
        "CASE WHEN i.status = 'D' THEN i.cap_fen END, "
        "mi.id, i.pos FROM hq_st i JOIN hq_dim d ON d.pos = i.pos "
        # only undetermined rows are in hq_missing: a discretionary row's missing stays NULL
        "LEFT JOIN hq_missing mi ON i.status = 'U' AND mi.pos = i.pos AND mi.m = i.m "
        "WHERE i.status IN ('U', 'D')"
    )
    if dense:
        # every (entity, item in force) — the not-eligible rows included, as calculate lists them
        result = (
            f"SELECT e.entity_id, d.item_id, CAST({int(year)} AS INTEGER) AS year, "
            "COALESCE(r.status, 'not_eligible') AS status, COALESCE(r.amount_fen, 0) AS amount_fen, "
            f"r.cap_fen, r.missing, d.pos FROM entities e CROSS JOIN hq_dim d LEFT JOIN ({result}) r "
            "ON r.entity_id = e.entity_id AND r.pos = d.pos"
        )
    body = "WITH " + ",\n".join(stages) + f"\nSELECT * FROM ({result})"
    # ``missing`` is an id into hq_missing until here: the list is looked up in the sorted rows
    found = (
        "SELECT s.entity_id, s.item_id, s.year, s.status, s.amount_fen, s.cap_fen, "
        "l.lists[s.missing] AS missing FROM ({}) s, "
        "(SELECT list(missing ORDER BY id) AS lists FROM hq_missing) l"
    )
    return Plan(
        year,
        tuple(steps),
        found.format(f"SELECT {COLUMNS} FROM ({body})"),
        tuple(items),
        found.format(f"SELECT {COLUMNS} FROM ({body}) ORDER BY entity_id, pos"),
    )


def run(
    con,
    book: RuleBook,
    year: int,
    documents: list[str] | None = None,
    dense: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
):
    """Compile and run on ``con`` (whose input views are set up); returns a DuckDB relation of the
    results (valid until the next run on ``con``). ``progress(done, total, label)`` is called after
    each step."""
    plan = compile_year(book, year, documents, dense)
    execute(con, plan, progress)
    return con.sql(plan.result)


def execute(con, plan: Plan, progress: Callable[[int, int, str], None] | None = None) -> None:
    """Run a plan's steps (its temporary tables) on ``con``; the result is then ``con.sql(plan.result)``."""
    for n, (label, sql) in enumerate(plan.steps, 1):
        con.execute(sql)
        if progress is not None:
            progress(n, len(plan.steps), label)
