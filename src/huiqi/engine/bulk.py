"""The no-trace path of ``calculate`` (``explain=False``): whole items compiled once into closures.

The explained path (``huiqi.engine.evaluate``) walks the AST and writes every step down. For bulk
use the same decisions (docs/rules.md §6) are taken from a *plan* built once per document, year and
kind of beneficiary (企业、人才、载体、机构) and kept in ``RuleSet.cache``:

- the items in force in the year, each with its window and a compiled closure that runs its
  conditions, its events, its amount mechanism or discretionary ceiling (酌定上限) and returns its row;
- the rows of items that do not apply — another kind of beneficiary, a failed condition — are one
  shared ``ItemResult`` per item, and the row of a yearly item waiting for facts (待定) is shared by
  every profile missing the same facts; so a profile allocates only its eligible and discretionary
  rows. Rows of the bulk path are therefore **read-only** (nothing downstream changes them);
  settlement only ever changes eligible and discretionary rows, which are fresh;
- what can be decided before looking at values is decided once and kept: an item paid per event
  runs only for a profile with an event of its type, and is skipped for an event whose attribute
  rules the filter out (``level == "国家"`` for a 省 event); a yearly item none of whose facts the
  profile has is idle or waiting whatever the values, so its row is kept per *shape* — the names of
  the facts a profile has — and it does not run (``_Shape``);
- the bans and beneficiary conditions (资助对象) of the document, compiled, and evaluated only when an
  item of the document actually needs them;
- settlement (stages 4–7: 不重复, 补差, caps) sees only the rows it can change: eligible ones, and
  discretionary ones whose item has caps or whose document adopts 不重复 or 补差.

Results are identical to the explained path's — statuses, amounts, ceilings, missing facts and
occurrences; tests/engine/test_bulk.py checks this on random profiles and on every case file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

from huiqi.engine.compiled import compiled, compiled_amount
from huiqi.engine.evaluate import (
    DISCRETIONARY,
    ELIGIBLE,
    NOT_ELIGIBLE,
    UNDETERMINED,
    Calculation,
    Env,
    ItemResult,
    NoCase,
    Occurrence,
    Unknown,
    _adopts,
    _settle,
    _subject,
    _unknown,
    _window,
)
from huiqi.engine.profile import Profile
from huiqi.rules.ast import (
    AttrRef,
    Compare,
    Exists,
    Expr,
    FactRef,
    In,
    Item,
    Lit,
    Logic,
    ParamRef,
    ProvisionKind,
    RuleSet,
    SharedCap,
    VType,
)
from huiqi.rules.loader import RuleBook

_WAITING_ROWS = 256  # shared undetermined rows kept per item (distinct sets of missing facts)
_RUN_LISTS_KEPT = 4096  # item lists kept per plan (combinations of event types and items decided)
_SHAPES_KEPT = 1024  # shapes kept per book plan (distinct combinations of the facts a profile has)

ItemFn = Callable[[Env, Any], ItemResult | None]  # (env, gate: True or Unknown) -> row, None: idle
GateFn = Callable[[Env], Any]  # env -> True | False | Unknown


_IDLE: dict[int, tuple[Item, ItemResult]] = {}


def idle_row(it: Item) -> ItemResult:
    """The row of an item that does not apply: one shared, read-only object per item (nothing
    downstream touches a not-eligible row), so the common case allocates nothing."""
    hit = _IDLE.get(id(it))
    if hit is None or hit[0] is not it:
        hit = _IDLE[id(it)] = (it, ItemResult(it, NOT_ELIGIBLE))  # keeping ``it`` keeps the id safe
    return hit[1]


class _Plan:
    """What one document does for one year and one kind of beneficiary, compiled."""

    __slots__ = (
        "_lists",
        "_runs",
        "applies",
        "gate",
        "idle",
        "in_force",
        "kind",
        "reads",
        "start_end",
        "year",
    )

    def __init__(self, rs: RuleSet, year: int, kind: str) -> None:
        live = [(it, w) for it in rs.items if (w := _window(it, year)) is not None]
        self.in_force = bool(live)
        self.year, self.kind = year, kind
        # the period the gate is judged on: the first live item's window, as on the explained path
        self.start_end = live[0][1] if live else None
        self.idle = [idle_row(it) for it, _ in live]
        # (index in the document's rows, compiled item, its window when it is not the document's
        # first one — the gate's, set before the items run — whether settlement can change its
        # row, and the event type of an item paid per event, None for a yearly item), in file
        # order. Settlement changes every eligible row but only the discretionary rows of items
        # with caps (stage 6 lowers their ceiling) or of documents adopting 不重复 / 补差 (stages 4
        # and 5 lower it), so the others are not handed to it.
        self._runs = [
            (
                pos,
                _compile_item(it, year),
                w if w != self.start_end else None,
                it.discretion is None or bool(it.caps) or any(_adopts(rs)),
                it.for_each.event_type if it.for_each is not None else None,
            )
            for pos, (it, w) in enumerate(live)
            if kind in it.entities
        ]
        self.applies = bool(self._runs)  # some item is for this kind of beneficiary
        self._lists: dict[tuple[tuple[str, ...], frozenset[int] | None], list] = {}
        self.gate = _compile_gate(rs)
        # the facts each yearly item reads (None when it also looks at events: it always runs)
        self.reads = {pos: _facts_read(it) for pos, (it, _) in enumerate(live) if it.for_each is None}
        if any(run[2] is not None for run in self._runs):
            # a window of its own leaves ``env`` on it: every later item sets its window again
            self._runs = [(pos, fn, w or self.start_end, *rest) for pos, fn, w, *rest in self._runs]

    def runs(self, event_types: tuple[str, ...], skip: frozenset[int] | None) -> list:
        """(position, item, window or None, settled) of the items that can fire for a profile with
        events of these types, less those in ``skip``, in file order: an item paid per event
        cannot fire without an event of its type, so most never run. Kept per combination (up
        to ``_RUN_LISTS_KEPT``; a population has a few hundred at most)."""
        key = (event_types, skip)
        runs = self._lists.get(key)
        if runs is None:
            runs = [
                run[:4]
                for run in self._runs
                if (run[4] is None or run[4] in event_types) and (skip is None or run[0] not in skip)
            ]
            if len(self._lists) < _RUN_LISTS_KEPT:
                self._lists[key] = runs
        return runs

    def decided_by_absence(self, present: frozenset[str]) -> dict[int, ItemResult]:
        """The yearly items whose row the absence of facts decides, for a profile that has exactly
        the facts ``present`` (any values) and a passing gate: an item none of whose facts is there
        reads only missing values, so its row is the one it gives for a profile with no facts at
        all — idle (不符合) or waiting (待定) for those facts. An item that is eligible or
        discretionary without any fact gets a fresh row per profile and is not decided here."""
        probe = Env(Profile(self.kind, "", {}, {}, [], []), self.year, *self.start_end, None)  # type: ignore[misc]
        decided = {}
        for pos, fn, window, _ in self.runs((), None):  # the yearly items
            reads = self.reads[pos]
            if reads is None or not reads.isdisjoint(present):
                continue
            probe.start, probe.end = window or self.start_end  # type: ignore[misc]
            row = fn(probe, True)
            if row is None or row.status is UNDETERMINED:
                decided[pos] = row if row is not None else self.idle[pos]
        return decided


def _facts_read(item: Item) -> frozenset[str] | None:
    """The facts an item's condition and amount (or ceiling) read; None when they also look at the
    profile's events (``ever(…)``)."""
    names: set[str] = set()
    stack: list[Any] = [item.when, item.amount, item.discretion]
    while stack:
        node = stack.pop()
        if isinstance(node, FactRef):
            names.add(node.name)
        elif isinstance(node, Exists):
            return None
        elif isinstance(node, tuple):
            stack.extend(node)
        elif dataclasses.is_dataclass(node):
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return frozenset(names)


def _plan(rs: RuleSet, year: int, kind: str) -> _Plan:
    key = ("bulk", year, kind)
    plan = rs.cache.get(key)
    if plan is None:
        plan = rs.cache[key] = _Plan(rs, year, kind)
    return plan


class _Shape:
    """What the absence of facts decides for every profile with the same facts present (their
    names, not their values) and a passing gate: the rows to start from — idle, or waiting for the
    missing facts — and, per document, which yearly items need not run (None: every item runs)."""

    __slots__ = ("docs", "rows")

    def __init__(self, bp: _BookPlan, present: frozenset[str] | None) -> None:
        self.rows = bp.idle.copy()
        # (document, plan, offset of its rows, positions of the items not to run or None)
        self.docs: list[tuple[RuleSet, _Plan, int, frozenset[int] | None]] = []
        for rs, plan, base in bp.docs:
            # present=None: the shape that decides nothing (every item runs)
            decided = plan.decided_by_absence(present) if present is not None else {}
            for pos, row in decided.items():
                self.rows[base + pos] = row
            self.docs.append((rs, plan, base, frozenset(decided) or None))


class _BookPlan:
    """The documents of one call (a year, a kind, the ``documents`` asked for), in book order: the
    plans of those in force with the offset of their rows, the idle rows of all, the documents not
    in force and the caps they share; and the shapes of the profiles seen (by the facts present)."""

    __slots__ = ("_shapes", "docs", "idle", "not_in_force", "shared", "unshaped")

    def __init__(self, book: RuleBook, year: int, kind: str, documents: tuple[str, ...] | None) -> None:
        self.docs: list[tuple[RuleSet, _Plan, int]] = []
        self.idle: list[ItemResult] = []
        self.not_in_force: list[str] = []
        self.shared: list[SharedCap] = []
        self._shapes: dict[tuple[tuple[str, ...], tuple[str, ...]], _Shape] = {}
        for doc_id, rs in book.rulesets.items():
            if documents is not None and doc_id not in documents:
                continue
            plan = _plan(rs, year, kind)
            if not plan.in_force:
                if rs.items:
                    self.not_in_force.append(doc_id)
                continue
            self.shared.extend(rs.shared_caps)
            if plan.applies:
                self.docs.append((rs, plan, len(self.idle)))
            self.idle.extend(plan.idle)
        self.unshaped = _Shape(self, None)

    def shape(self, yearly: tuple[str, ...], static: tuple[str, ...]) -> _Shape:
        """The shape of a profile with these yearly and static facts (kept per combination: a
        population's records mostly share a few)."""
        key = (yearly, static)
        shape = self._shapes.get(key)
        if shape is None:
            if len(self._shapes) >= _SHAPES_KEPT:
                # a population whose records rarely share their facts: building a shape costs
                # about one evaluation, so past the limit every item simply runs
                return self.unshaped
            shape = self._shapes[key] = _Shape(self, frozenset(yearly) | frozenset(static))
        return shape


# book plans by the identity of the book's rulesets (a RuleBook takes no attributes); the dict is
# kept with its plans so that the id stays its own. A few books live in a process (the loaded one,
# drafts assumed in force): the oldest are dropped beyond _BOOKS_KEPT.
_BOOKS: dict[int, tuple[dict, dict]] = {}
_BOOKS_KEPT = 16


def _book_plan(book: RuleBook, year: int, kind: str, documents: list[str] | None) -> _BookPlan:
    hit = _BOOKS.get(id(book.rulesets))
    if hit is None or hit[0] is not book.rulesets:
        if len(_BOOKS) >= _BOOKS_KEPT:
            del _BOOKS[next(iter(_BOOKS))]
        hit = _BOOKS[id(book.rulesets)] = (book.rulesets, {})
    key = (year, kind, None if documents is None else tuple(documents))
    plan = hit[1].get(key)
    if plan is None:
        plan = hit[1][key] = _BookPlan(book, year, kind, key[2])
    return plan


def calculate_bulk(book: RuleBook, profile: Profile, year: int, documents: list[str] | None) -> Calculation:
    """``calculate(…, explain=False)`` without near-misses: statuses and amounts, no trace."""
    bp = _book_plan(book, year, profile.kind, documents)
    yearly = profile.years.get(year)
    shape = bp.shape(tuple(yearly) if yearly else (), tuple(profile.facts))
    rows = shape.rows.copy()
    active: list[tuple[RuleSet, ItemResult]] = []  # the rows settlement changes
    events = tuple(profile.events_by_type)
    env: Env | None = None
    for rs, plan, base, skip in shape.docs:
        runs = plan.runs(events, skip)
        if not runs and skip is None:
            continue
        # the document's gate, judged once one of its rows depends on it
        if env is None:
            env = Env(profile, year, *plan.start_end, None)  # type: ignore[misc]
        else:
            env.start, env.end = plan.start_end  # type: ignore[misc]
        gate = plan.gate(env)
        if gate is not True and skip is not None:
            # the shape assumed a passing gate: the document starts idle again and every item runs
            rows[base : base + len(plan.idle)] = plan.idle
            runs = plan.runs(events, None)
        if gate is False:
            continue
        # items are called with a gate that is True or Unknown, never False
        for pos, fn, window, settled in runs:
            if window is not None:
                env.start, env.end = window
            row = fn(env, gate)
            if row is not None:
                rows[base + pos] = row
                if settled and (row.status is ELIGIBLE or row.status is DISCRETIONARY):
                    active.append((rs, row))
    if active:
        _settle(active, profile, year, False, bp.shared)
    return Calculation(profile.id, profile.kind, year, rows, bp.not_in_force.copy(), [])


# ---------------------------------------------------------------------------------------------------
# Compiling a document's gate and its items


def _compile_gate(rs: RuleSet) -> GateFn:
    """Bans (弄虚作假 → N年内不得申报) and beneficiary conditions (资助对象), as ``_gate`` without texts."""
    checks: list[tuple[int | None, Any]] = []  # (ban years, None) or (None, compiled condition)
    for prov in rs.provisions:
        if prov.kind is ProvisionKind.BAN and prov.years is not None:
            checks.append((prov.years.value, None))
        if prov.kind is ProvisionKind.BENEFICIARY and prov.condition is not None:
            checks.append((None, compiled(prov.condition)))
    if not checks:
        return lambda env: True

    def gate(env: Env) -> Any:
        verdict: Any = True
        for ban_years, cond in checks:
            if cond is None:
                for evt in env.profile.events_by_type.get("fraud_finding", ()):
                    years = evt.attrs.get("ban_years") or ban_years
                    until = date(min(evt.date.year + years, 9999), evt.date.month, min(evt.date.day, 28))
                    if evt.date <= env.end and until > env.start:
                        verdict = False
            else:
                v = cond(env)
                if v is False:
                    verdict = False
                elif type(v) is Unknown and verdict is not False:
                    verdict = _unknown(v, verdict) if type(verdict) is Unknown else v
        return verdict

    return gate


def _compile_item(item: Item, year: int) -> ItemFn:
    """Stage 3 of one item (docs/rules.md §6): conditions, events, amount or ceiling."""
    when = compiled(item.when) if item.when is not None else None
    if item.discretion is not None:
        cap_of = compiled_amount(item.discretion.cap) if item.discretion.cap is not None else None
        amount_of = None
    else:
        cap_of = None
        amount_of = compiled_amount(item.amount)  # type: ignore[arg-type]
    discretionary = item.discretion is not None

    def occurrence(occ: Occurrence, cond: Any, gate: Any, env: Env) -> None:
        """The status and figure of one occurrence whose condition is not False."""
        if discretionary:
            cap = cap_of(env) if cap_of is not None else None
            if type(cap) is Unknown or type(cond) is Unknown or type(gate) is Unknown:
                occ.status = UNDETERMINED
                occ.missing = _unknown(cap, cond, gate).missing
            elif type(cap) is not NoCase:
                occ.status = DISCRETIONARY
                occ.cap_fen = cap
        else:
            amt = amount_of(env)  # type: ignore[misc]
            if type(amt) is NoCase:
                pass
            elif type(amt) is Unknown or type(cond) is Unknown or type(gate) is Unknown:
                occ.status = UNDETERMINED
                occ.missing = _unknown(amt, cond, gate).missing
            elif amt != 0:
                occ.status = ELIGIBLE
                occ.amount_fen = amt

    if item.for_each is None:
        subject = _subject(item, None, year)  # one occurrence per year: its subject is fixed
        waiting: dict[frozenset[str], ItemResult] = {}  # missing facts -> the shared undetermined row

        def undetermined(*vals: Any) -> ItemResult:
            """The row of an item waiting for facts. It depends only on which facts are missing and
            nothing downstream changes it, so it is built once per set of missing facts."""
            missing: frozenset[str] | None = None
            for v in vals:  # usually one value is unknown: its set is the key, no union is built
                if type(v) is Unknown:
                    missing = v.missing if missing is None else missing | v.missing
            row = waiting.get(missing)  # type: ignore[arg-type]
            if row is None:
                occ = Occurrence(None, subject)
                occ.status, occ.missing = UNDETERMINED, missing
                row = ItemResult(item, UNDETERMINED)
                row.missing = sorted(missing)
                row.occurrences.append(occ)
                if len(waiting) < _WAITING_ROWS:
                    waiting[missing] = row
            return row

        def yearly_item(env: Env, gate: Any) -> ItemResult | None:
            # the decisions of ``occurrence`` for the one occurrence of the year, inlined; every
            # not-eligible outcome (condition false, no tier, a zero amount) is the idle row
            cond = True if when is None else when(env)
            if cond is False:
                return None
            # the occurrence is built only once the row is known to be eligible or discretionary:
            # most calls end undetermined or idle, and those rows are shared
            if discretionary:
                cap = cap_of(env) if cap_of is not None else None
                if type(cap) is Unknown or type(cond) is Unknown or type(gate) is Unknown:
                    return undetermined(cap, cond, gate)
                if type(cap) is NoCase:
                    return None
                occ = Occurrence(None, subject)
                occ.status, occ.cap_fen = DISCRETIONARY, cap
                row = ItemResult(item, DISCRETIONARY)
                row.cap_fen = cap
            else:
                amt = amount_of(env)  # type: ignore[misc]
                if type(amt) is NoCase:
                    return None
                if type(amt) is Unknown or type(cond) is Unknown or type(gate) is Unknown:
                    return undetermined(amt, cond, gate)
                if amt == 0:
                    return None
                occ = Occurrence(None, subject)
                occ.status, occ.amount_fen = ELIGIBLE, amt
                row = ItemResult(item, ELIGIBLE)
            row.occurrences.append(occ)
            return row

        return yearly_item

    event_type = item.for_each.event_type
    where = compiled(item.for_each.where) if item.for_each.where is not None else None
    # an event whose attribute ``key`` has a value outside ``allowed`` fails the filter: skipped
    # without evaluating it (级别 / 奖项 / 标准类型 single out most events of a type)
    key, allowed = _required_attribute(item.for_each.where) or (None, frozenset())
    # an award ladder (晋升补差) is the subject of every occurrence; otherwise each event names its own
    ladder = item.subject if item.subject is not None and item.subject.startswith("ladder:") else None

    def per_event_item(env: Env, gate: Any) -> ItemResult | None:
        # one pass over the events dated in the period: the filter (``where``), then the occurrence
        # of each event that passes it, in event order as on the explained path
        res: ItemResult | None = None
        missing: list[str] | None = None  # events the filter cannot decide (a missing attribute)
        eligible = discretion = undetermined = False
        start, end = env.start, env.end
        for evt in env.profile.events_by_type.get(event_type, ()):
            if not start <= evt.date <= end:
                continue
            if key is not None and (v := evt.attrs.get(key)) is not None and v not in allowed:
                continue
            env.event = evt
            if where is not None:
                ok = where(env)
                if ok is not True:
                    if type(ok) is Unknown:  # kept in the order found, as on the explained path
                        if missing is None:
                            missing = []
                        missing.extend(sorted(ok.missing))
                    continue
            if res is None:
                res = ItemResult(item, NOT_ELIGIBLE)
            occ = Occurrence(evt, ladder or _subject(item, evt, env.year))
            cond = True if when is None else when(env)
            if cond is not False:
                occurrence(occ, cond, gate, env)
                status = occ.status
                if status is UNDETERMINED:
                    undetermined = True
                elif status is ELIGIBLE:
                    eligible = True
                elif status is DISCRETIONARY:
                    discretion = True
            res.occurrences.append(occ)
        env.event = None
        if res is None:
            if not missing:
                return None
            res = ItemResult(item, UNDETERMINED)
            res.missing = missing  # as on the explained path: in the order found, not deduplicated
            return res
        if undetermined or missing:
            # any occurrence waiting for facts makes the whole item wait: a partial amount would mislead
            res.status = UNDETERMINED
            found = missing or []
            for o in res.occurrences:
                found.extend(o.missing)
            res.missing = sorted(set(found))
        elif eligible:
            res.status = ELIGIBLE
        elif discretion:
            res.status = DISCRETIONARY
            caps = [o.cap_fen for o in res.occurrences if o.status is DISCRETIONARY]
            res.cap_fen = None if None in caps else sum(caps)  # type: ignore[arg-type]
        return res

    return per_event_item


def _required_attribute(where: Expr | None) -> tuple[str, frozenset[Any]] | None:
    """An event attribute and the values it must take for the filter ``where`` to hold: a filter
    ``level == "国家" and …`` is False (not undetermined) for an event whose level is another
    value, whatever the rest says; likewise ``award in […]``, and an ``or`` whose every branch
    requires the same attribute (the union of their values). None when no such attribute exists."""
    if isinstance(where, Compare) and where.op == "==" and _attribute(where.left):
        value = _figure(where.right)
        if value is not None:
            return where.left.name, frozenset([value])  # type: ignore[attr-defined]
    elif isinstance(where, In) and _attribute(where.item):
        values = _figure(where.options)
        if values is not None:
            return where.item.name, frozenset(values)  # type: ignore[attr-defined]
    elif isinstance(where, Logic) and where.op == "and":
        for arg in where.args:  # any operand of an and is required
            found = _required_attribute(arg)
            if found is not None:
                return found
    elif isinstance(where, Logic):  # or: each branch must require the same attribute
        branches = [_required_attribute(arg) for arg in where.args]
        if all(b is not None and b[0] == branches[0][0] for b in branches):  # type: ignore[index]
            return branches[0][0], frozenset().union(*(b[1] for b in branches))  # type: ignore[index]
    return None


def _attribute(e: Expr) -> bool:
    """An attribute of the event (not its own date or type, which ``Event.get`` answers)."""
    return isinstance(e, AttrRef) and e.name not in ("date", "type")


def _figure(e: Expr) -> Any:
    """The value of a figure of the text — a parameter, a literal code or list — else None."""
    if isinstance(e, ParamRef):
        return e.param.value
    if isinstance(e, Lit) and e.vtype in (VType.CODE, VType.TEXT, VType.LIST):
        return e.value
    return None
