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
- the bans and beneficiary conditions (资助对象) of the document, compiled, and evaluated only when an
  item of the document actually needs them;
- settlement (stages 4–7: 不重复, 补差, caps) sees only eligible and discretionary rows.

Results are identical to the explained path's — statuses, amounts, ceilings, missing facts and
occurrences; tests/engine/test_bulk.py checks this on random profiles and on every case file.
"""

from __future__ import annotations

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
    _settle,
    _subject,
    _unknown,
    _window,
)
from huiqi.engine.profile import Profile
from huiqi.rules.ast import Item, ProvisionKind, RuleSet, SharedCap
from huiqi.rules.loader import RuleBook

_WAITING_ROWS = 256  # shared undetermined rows kept per item (distinct sets of missing facts)

ItemFn = Callable[[Env, Any], ItemResult | None]  # (env, gate verdict) -> row, None for the idle row
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

    __slots__ = ("gate", "idle", "in_force", "runs", "start_end")

    def __init__(self, rs: RuleSet, year: int, kind: str) -> None:
        live = [(it, w) for it in rs.items if (w := _window(it, year)) is not None]
        self.in_force = bool(live)
        # the period the gate is judged on: the first live item's window, as on the explained path
        self.start_end = live[0][1] if live else None
        self.idle = [idle_row(it) for it, _ in live]
        # (index in the document's rows, window start, end, event type, compiled item); an item paid
        # per event cannot fire without any event of its type, so its event type lets the loop skip it
        self.runs = [
            (pos, *w, it.for_each.event_type if it.for_each is not None else None, _compile_item(it, year))
            for pos, (it, w) in enumerate(live)
            if kind in it.entities
        ]
        self.gate = _compile_gate(rs)


def _plan(rs: RuleSet, year: int, kind: str) -> _Plan:
    key = ("bulk", year, kind)
    plan = rs.cache.get(key)
    if plan is None:
        plan = rs.cache[key] = _Plan(rs, year, kind)
    return plan


class _BookPlan:
    """The documents of one call (a year, a kind, the ``documents`` asked for), in book order: the
    plans of those in force with the offset of their rows, the idle rows of all, the documents not
    in force and the caps they share."""

    __slots__ = ("docs", "idle", "not_in_force", "shared")

    def __init__(self, book: RuleBook, year: int, kind: str, documents: tuple[str, ...] | None) -> None:
        self.docs: list[tuple[RuleSet, _Plan, int]] = []
        self.idle: list[ItemResult] = []
        self.not_in_force: list[str] = []
        self.shared: list[SharedCap] = []
        for doc_id, rs in book.rulesets.items():
            if documents is not None and doc_id not in documents:
                continue
            plan = _plan(rs, year, kind)
            if not plan.in_force:
                if rs.items:
                    self.not_in_force.append(doc_id)
                continue
            self.shared.extend(rs.shared_caps)
            if plan.runs:
                self.docs.append((rs, plan, len(self.idle)))
            self.idle.extend(plan.idle)


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
    rows = bp.idle.copy()
    active: list[tuple[RuleSet, ItemResult]] = []  # eligible and discretionary rows, for settlement
    events = profile.events_by_type
    env: Env | None = None
    for rs, plan, base in bp.docs:
        gate: Any = None  # judged on the first item that needs it
        for pos, start, end, event_type, fn in plan.runs:
            if event_type is not None and event_type not in events:
                continue
            if gate is None:
                if env is None:
                    env = Env(profile, year, *plan.start_end, None)  # type: ignore[misc]
                else:
                    env.start, env.end = plan.start_end  # type: ignore[misc]
                gate = plan.gate(env)
                if gate is False:
                    break
            env.start, env.end = start, end  # type: ignore[union-attr]
            row = fn(env, gate)  # type: ignore[arg-type]
            if row is not None:
                rows[base + pos] = row
                if row.status is ELIGIBLE or row.status is DISCRETIONARY:
                    active.append((rs, row))
    if active:
        _settle(active, profile, year, False, bp.shared)
    return Calculation(profile.id, profile.kind, year, rows, bp.not_in_force.copy())


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
            if gate is False:
                return None
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

    def per_event_item(env: Env, gate: Any) -> ItemResult | None:
        if gate is False:
            return None
        missing: list[str] = []  # events the filter cannot decide (a missing attribute)
        candidates = []
        start, end = env.start, env.end
        for evt in env.profile.events_by_type.get(event_type, ()):
            if not start <= evt.date <= end:
                continue
            env.event = evt
            ok = True if where is None else where(env)
            if ok is True:
                candidates.append(evt)
            elif type(ok) is Unknown:
                missing.extend(sorted(ok.missing))
        env.event = None
        if not candidates:
            if not missing:
                return None
            res = ItemResult(item, UNDETERMINED)
            res.missing = missing  # as on the explained path: in the order found, not deduplicated
            return res
        res = ItemResult(item, NOT_ELIGIBLE)
        res.missing = missing
        eligible = discretion = False
        undetermined = bool(missing)
        for evt in candidates:
            occ = Occurrence(evt, _subject(item, evt, env.year))
            env.event = evt
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
        if undetermined:
            res.status = UNDETERMINED
        elif eligible:
            res.status = ELIGIBLE
        elif discretion:
            res.status = DISCRETIONARY
            caps = [o.cap_fen for o in res.occurrences if o.status is DISCRETIONARY]
            res.cap_fen = None if any(c is None for c in caps) else sum(caps)  # type: ignore[misc]
        if undetermined or missing:
            for o in res.occurrences:
                missing.extend(sorted(o.missing))
            res.missing = sorted(set(missing))
        return res

    return per_event_item
