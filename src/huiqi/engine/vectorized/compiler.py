"""The compiler: every item in force in a year → staged DuckDB statements over the whole population.

The stages are those of docs/rules.md §6, in the same order. The first two are temporary tables
built by ``Plan.steps`` (one statement per item: see ``Plan``); the rest are CTEs of ``Plan.result``:

- ``hq_base``   entities ⋈ their facts of the year (only the facts the rules read), plus one gate
                 column per document (§6.2: bans and beneficiary conditions 资助对象, Kleene-AND'ed);
- ``hq_occ``    one row per occurrence (§6.3): per entity for a yearly item, per event of the type in
                 the period for a ``for_each`` item; its status E/U/D/N (W: the filter itself is
                 Unknown), amount and discretionary cap. Rows that cannot pay (wrong kind, gate False,
                 ``when`` False, filter False) are never produced: absent means not eligible;
- ``item_st``   the item's status from its occurrences (U before E before D);
- ``dues``      从优、从高、不重复 by subject (§6.4: the highest amount of a subject across the
                 adopting documents, ties to the earlier item then event) and 已兑现/晋升补差 against
                 past payments with the same subject (§6.5);
- ``capped``    item caps per year / cumulative / number of years (§6.6);
- ``sc<k>``     caps spanning items, per organisation and year, cutting the last member first (§6.7).

The output has one row per (entity, item) that is not ``not_eligible`` (``dense=True`` adds the
not-eligible rows): ``entity_id, item_id, year, status, amount_fen, cap_fen`` — what
``calculate(book, profile, year, explain=False)`` gives for every item of every entity.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from huiqi.engine.vectorized.expressions import (
    NotVectorized,
    Scope,
    amount_sql,
    expr_sql,
    param_sql,
    sql_date,
    sql_str,
)
from huiqi.engine.vectorized.tables import quote_ident, static_facts, yearly_facts
from huiqi.rules.ast import CapKind, FactRef, Item, Parameter, ProvisionKind, RuleSet
from huiqi.rules.loader import RuleBook

STATUS_NAMES = {"E": "eligible", "U": "undetermined", "D": "discretionary", "N": "not_eligible"}


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
    base rows, then one step per item's occurrences — and ``result`` selects the answer from them.

    One statement per item rather than one statement for all: DuckDB's planner time grows faster
    than linearly with the size of one query (137 items in one UNION took seconds to plan on an empty
    population), and separate steps give a progress bar and let each step spill to disk alone."""

    year: int
    steps: tuple[tuple[str, str], ...]
    result: str
    items: tuple[LiveItem, ...]

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


def facts_read(nodes: Iterable[object]) -> set[str]:
    """The names of the facts an AST reads (walks the frozen dataclasses of ``huiqi.rules.ast``): the
    base table carries only these columns, as a hand-written query would."""
    found: set[str] = set()
    stack = list(nodes)
    while stack:
        n = stack.pop()
        if isinstance(n, FactRef):
            found.add(n.name)
        elif isinstance(n, tuple | list):
            stack.extend(n)
        elif dataclasses.is_dataclass(n) and not isinstance(n, type | Parameter):
            stack.extend(getattr(n, f.name) for f in dataclasses.fields(n))
    return found


def _adopts(rs: RuleSet, kind: ProvisionKind) -> bool:
    return any(p.kind is kind for p in rs.provisions)


# ---------------------------------------------------------------------------------------------------
# Stage 2: the gate of a document


def _gate_sql(rs: RuleSet, first: LiveItem) -> str:
    """Bans and beneficiary conditions, evaluated over the period of the document's first item in
    force (as the scalar engine does). A ban is definite (events are a complete list); conditions
    are three-valued; all are AND'ed (Kleene)."""
    s = Scope("b", None, first.start, first.end, first.item.id)
    parts: list[str] = []
    for prov in rs.provisions:
        if prov.kind is ProvisionKind.BAN and prov.years is not None:
            # 弄虚作假 查实 on d: barred while d ≤ end and d + N years > start (the event's own
            # ban_years when set and non-zero); the day is clamped to 28 as the scalar engine does.
            years = f"COALESCE(NULLIF(f.ban_years, 0), {param_sql(prov.years)})"
            until = f"make_date(LEAST(year(f.date) + {years}, 9999), month(f.date), LEAST(day(f.date), 28))"
            parts.append(
                "(NOT EXISTS (SELECT 1 FROM events f WHERE f.entity_id = b.entity_id "
                f"AND f.type = 'fraud_finding' AND f.date <= {sql_date(first.end)} "
                f"AND {until} > {sql_date(first.start)}))"
            )
        elif prov.kind is ProvisionKind.BENEFICIARY and prov.condition is not None:
            parts.append(expr_sql(prov.condition, s))
    return "(" + " AND ".join(parts) + ")" if parts else "TRUE"


# ---------------------------------------------------------------------------------------------------
# Stage 3: occurrences of one item


def _subject_sql(li: LiveItem, year: int, event: str | None) -> str:
    """The key of 不重复 / 补差, as the scalar engine writes it."""
    it = li.item
    if it.subject and it.subject.startswith("ladder:"):
        return sql_str(it.subject)
    own = (
        f"{sql_str(it.id + '#' + (it.for_each.event_type if it.for_each else '') + '@')} "
        f"|| strftime({event}.date, '%Y-%m-%d') || '#' || CAST({event}.event_index AS VARCHAR)"
        if event is not None
        else sql_str(f"{it.id}@{year}")
    )
    if it.subject == "event.subject" and event is not None:
        return (
            f"(CASE WHEN {event}.subject IS NOT NULL AND {event}.subject <> '' "
            f"THEN {event}.subject ELSE {own} END)"
        )
    return own


def _occurrences_sql(li: LiveItem, year: int) -> str:
    it = li.item
    ev = "ev" if it.for_each is not None else None
    s = Scope("b", ev, li.start, li.end, it.id)
    when = "TRUE" if it.when is None else expr_sql(it.when, s)
    kinds = ", ".join(sql_str(k) for k in it.entities)
    if it.discretion is not None:
        if it.discretion.cap is None:
            a_state, a_value = "'V'", "CAST(NULL AS BIGINT)"
        else:
            a = amount_sql(it.discretion.cap, s)
            a_state, a_value = a.state, a.value
    elif it.amount is not None:
        a = amount_sql(it.amount, s)
        a_state, a_value = a.state, a.value
    else:
        raise NotVectorized(it, it.id, "an item with neither an amount nor a discretion")
    gate = f"b.g{li.doc_pos}"
    if it.for_each is None:
        source = "hq_base b"
        filt = "TRUE"
        ev_index = "CAST(0 AS BIGINT)"
    else:
        fe = it.for_each
        source = (
            f"events ev JOIN hq_base b ON b.entity_id = ev.entity_id AND ev.type = {sql_str(fe.event_type)} "
            f"AND ev.date BETWEEN {sql_date(li.start)} AND {sql_date(li.end)}"
        )
        filt = "TRUE" if fe.where is None else expr_sql(fe.where, s)
        ev_index = "ev.event_index"
    # The order of the tests is the scalar engine's: filter, when, NoCase, Unknown, zero.
    if it.discretion is not None:
        status = (
            "CASE WHEN f IS NULL THEN 'W' WHEN st = 'U' OR w IS NULL OR g IS NULL THEN 'U' "
            "WHEN st = 'N' THEN 'N' ELSE 'D' END"
        )
    else:
        status = (
            "CASE WHEN f IS NULL THEN 'W' WHEN st = 'N' THEN 'N' WHEN st = 'U' OR w IS NULL OR g IS NULL "
            "THEN 'U' WHEN v = 0 THEN 'N' ELSE 'E' END"
        )
    return (
        f"SELECT entity_id, {li.pos} AS pos, ev_index, subject, {status} AS st, "
        f"CAST(v AS BIGINT) AS v FROM (SELECT b.entity_id, {ev_index} AS ev_index, "
        f"{_subject_sql(li, year, ev)} AS subject, {filt} AS f, {when} AS w, {gate} AS g, "
        f"{a_state} AS st, {a_value} AS v FROM {source} "
        f"WHERE b.kind IN ({kinds}) AND {gate} IS NOT FALSE) "
        # the filter False drops the event; when False drops the occurrence (unless the filter is
        # Unknown: that event is undetermined whatever the rest says)
        "WHERE f IS NULL OR (f AND w IS NOT FALSE)"
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
    gates = ", ".join(f"{_gate_sql(li.rs, li)} AS g{d}" for d, li in docs.items())
    steps: list[tuple[str, str]] = [
        (
            "facts of the year",
            f"CREATE OR REPLACE TEMP TABLE hq_base AS SELECT b.*, {gates} FROM (SELECT e.entity_id, "
            f"e.kind{static_cols}{year_cols} "
            "FROM entities e LEFT JOIN entity_years y "
            f"ON y.entity_id = e.entity_id AND y.year = {int(year)}) b",
        )
    ]

    # the items dimension: position, id, and which provisions its document adopts
    def yearly_key(li: LiveItem) -> bool:
        return li.item.for_each is None and not (li.item.subject or "").startswith("ladder:")

    dim_rows = ", ".join(
        f"({li.pos}, {sql_str(li.item.id)}, "
        f"{'TRUE' if _adopts(li.rs, ProvisionKind.NON_DUPLICATION) else 'FALSE'}, "
        f"{'TRUE' if _adopts(li.rs, ProvisionKind.UPGRADE) else 'FALSE'}, "
        # a payment without a subject matches only the yearly occurrence of its own item (id@Y)
        f"{'TRUE' if yearly_key(li) else 'FALSE'})"
        for li in items
    )
    steps.append(
        (
            "items",
            "CREATE OR REPLACE TEMP TABLE hq_dim AS SELECT * FROM "
            f"(VALUES {dim_rows}) v(pos, item_id, nd, up, nosubj)",
        )
    )
    steps.append(
        (
            "occurrences",
            "CREATE OR REPLACE TEMP TABLE hq_occ AS SELECT entity_id, CAST(0 AS INTEGER) AS pos, "
            "CAST(0 AS BIGINT) AS ev_index, CAST('' AS VARCHAR) AS subject, CAST('' AS VARCHAR) AS st, "
            "CAST(0 AS BIGINT) AS v FROM hq_base LIMIT 0",
        )
    )
    steps.extend((li.item.id, "INSERT INTO hq_occ " + _occurrences_sql(li, year)) for li in items)
    occ = "occ AS (SELECT * FROM hq_occ)"
    dim = "dim AS (SELECT * FROM hq_dim)"

    item_st = (
        "item_st AS (SELECT entity_id, pos, "
        "CASE WHEN bool_or(st IN ('U', 'W')) THEN 'U' WHEN bool_or(st = 'E') THEN 'E' "
        "WHEN bool_or(st = 'D') THEN 'D' ELSE 'N' END AS status, "
        # a discretionary item's ceiling is the sum of its occurrences' ceilings, unless one has none
        "CASE WHEN bool_or(st = 'D' AND v IS NULL) THEN NULL "
        "ELSE sum(v) FILTER (WHERE st = 'D') END AS cap_fen "
        "FROM occ GROUP BY entity_id, pos)"
    )
    pay = (
        "pay_subject AS (SELECT entity_id, subject, sum(amount_fen) AS paid FROM payments "
        "WHERE subject IS NOT NULL GROUP BY ALL),\n"
        "pay_item AS (SELECT entity_id, item, "
        f"sum(amount_fen) FILTER (WHERE subject IS NULL AND year = {int(year)}) "
        f"AS paid_nosubj, COALESCE(sum(amount_fen) FILTER (WHERE year = {int(year)}), 0) AS py, "
        "COALESCE(sum(amount_fen), 0) AS pall, "
        f"count(DISTINCT year) FILTER (WHERE year <> {int(year)}) AS ny "
        "FROM payments GROUP BY ALL)"
    )
    # 4. 从优、从高、不重复 and 5. 已兑现 / 晋升补差, per eligible occurrence of an eligible item
    dues = (
        "elig AS (SELECT o.entity_id, o.pos, o.ev_index, o.subject, o.v, d.item_id, d.nd, d.up, d.nosubj "
        "FROM occ o JOIN item_st i ON i.entity_id = o.entity_id AND i.pos = o.pos AND i.status = 'E' "
        "JOIN dim d ON d.pos = o.pos WHERE o.st = 'E'),\n"
        "ranked AS (SELECT *, CASE WHEN nd THEN row_number() OVER (PARTITION BY entity_id, nd, subject "
        "ORDER BY v DESC, pos, ev_index) ELSE 1 END AS rk FROM elig),\n"
        "dues AS (SELECT r.entity_id, r.pos, r.item_id, "
        "CASE WHEN r.rk > 1 THEN 0 "
        "WHEN COALESCE(ps.paid, 0) + CASE WHEN r.nosubj THEN COALESCE(pi.paid_nosubj, 0) ELSE 0 END <> 0 "
        "THEN CASE WHEN r.up THEN GREATEST(0, r.v - COALESCE(ps.paid, 0) "
        "- CASE WHEN r.nosubj THEN COALESCE(pi.paid_nosubj, 0) ELSE 0 END) ELSE 0 END "
        "ELSE r.v END AS due "
        "FROM ranked r LEFT JOIN pay_subject ps ON ps.entity_id = r.entity_id AND ps.subject = r.subject "
        "LEFT JOIN pay_item pi ON pi.entity_id = r.entity_id AND pi.item = r.item_id)"
    )
    capped_case = " ".join(f"WHEN {li.pos} THEN {_item_caps_sql(li)}" for li in items if li.item.caps)
    capped_expr = f"CASE pos {capped_case} ELSE t END" if capped_case else "t"
    capped = (
        "totals AS (SELECT entity_id, pos, item_id, sum(due) AS t FROM dues GROUP BY ALL),\n"
        f"capped AS (SELECT t0.entity_id, t0.pos, CAST({capped_expr} AS BIGINT) AS amount "
        "FROM (SELECT t.*, COALESCE(pi.py, 0) AS py, COALESCE(pi.pall, 0) AS pall, COALESCE(pi.ny, 0) AS ny "
        "FROM totals t LEFT JOIN pay_item pi ON pi.entity_id = t.entity_id AND pi.item = t.item_id) t0)"
    )
    stages = [occ, dim, item_st, pay, dues, capped]
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
    status_name = (
        "CASE i.status " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in STATUS_NAMES.items()) + " END"
    )
    result = (
        f"SELECT i.entity_id, d.item_id, CAST({int(year)} AS INTEGER) AS year, {status_name} AS status, "
        "CASE WHEN i.status = 'E' THEN COALESCE(a.amount, 0) ELSE 0 END AS amount_fen, "
        "CASE WHEN i.status = 'D' THEN i.cap_fen END AS cap_fen "
        f"FROM item_st i JOIN dim d ON d.pos = i.pos LEFT JOIN {last} a ON a.entity_id = i.entity_id "
        "AND a.pos = i.pos WHERE i.status <> 'N'"
    )
    if dense:
        # every (entity, item in force) — the not-eligible rows included, as calculate lists them
        result = (
            f"SELECT e.entity_id, d.item_id, CAST({int(year)} AS INTEGER) AS year, "
            "COALESCE(r.status, 'not_eligible') AS status, COALESCE(r.amount_fen, 0) AS amount_fen, "
            f"r.cap_fen FROM entities e CROSS JOIN dim d LEFT JOIN ({result}) r "
            "ON r.entity_id = e.entity_id AND r.item_id = d.item_id"
        )
    return Plan(year, tuple(steps), "WITH " + ",\n".join(stages) + "\n" + result, tuple(items))


_EMPTY = (
    "SELECT NULL AS entity_id, CAST(NULL AS VARCHAR) AS item_id, CAST(NULL AS INTEGER) AS year, "
    "CAST(NULL AS VARCHAR) AS status, CAST(NULL AS BIGINT) AS amount_fen, CAST(NULL AS BIGINT) AS cap_fen "
    "LIMIT 0"
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
