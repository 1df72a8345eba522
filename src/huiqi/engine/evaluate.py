"""The scalar evaluator: one entity, one calendar year, every item in force, each step explained.

``calculate(book, profile, year)`` walks the AST of ``huiqi.rules.ast``. The order of the stages is
part of the semantics (``docs/rules.md`` § Evaluation order):

1. the period: the year intersected with each item's validity window; items not in force are left out;
2. cross-cutting provisions a document adopts: bans, then beneficiary conditions (资助对象);
3. each item: its ``when`` condition and, with ``for_each``, one occurrence per matching event dated in
   the period; the amount mechanism of each occurrence (or its discretionary ceiling);
4. 从优、从高、不重复 across items and documents: occurrences with the same subject keep the highest
   (a discretionary one by its ceiling);
5. 晋升补差: what was already paid for the same subject is subtracted (the difference is due; from a
   discretionary occurrence's ceiling);
6. the item's caps (per year, cumulative, number of years) against the payment history;
7. caps shared by several items (per organisation per year).

Values are three-valued: a missing fact yields ``Unknown`` carrying the names of what is missing,
combined by Kleene logic (``False and ?`` is False, ``True or ?`` is True).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from huiqi.engine.compiled import ARITHMETIC, COMPARISONS
from huiqi.engine.profile import Event, Payment, Profile
from huiqi.engine.trace import OP_WORDS, Step, label_of, render, show_value
from huiqi.money import format_fen, round_fen
from huiqi.rules import facts as vocab
from huiqi.rules.ast import (
    Amount,
    Arith,
    AttrRef,
    Cap,
    CapKind,
    Compare,
    Exists,
    Expr,
    FactRef,
    Fixed,
    Grid,
    In,
    Item,
    ItemCap,
    Lit,
    Logic,
    MinMax,
    Multiply,
    Not,
    ParamRef,
    PerUnit,
    ProvisionKind,
    Ratio,
    RuleSet,
    Scale,
    SharedCap,
    VType,
)
from huiqi.rules.loader import RuleBook


class Status(StrEnum):
    ELIGIBLE = "eligible"  # 符合: a definite amount (possibly 0 when already paid in full)
    NOT_ELIGIBLE = "not_eligible"  # 不符合: why_not says why
    UNDETERMINED = "undetermined"  # 待定: missing names the facts needed
    DISCRETIONARY = "discretionary"  # 酌定: conditions met, amount left to a decision, cap_fen if stated


STATUS_ZH = {
    Status.ELIGIBLE: "符合",
    Status.NOT_ELIGIBLE: "不符合",
    Status.UNDETERMINED: "待定",
    Status.DISCRETIONARY: "酌定",
}

# Python 3.11 finds an enum member through the metaclass: ``Status.ELIGIBLE`` costs about as much as
# building a small object. The hot paths (rows, settlement, the bulk path) use these names instead.
ELIGIBLE = Status.ELIGIBLE
NOT_ELIGIBLE = Status.NOT_ELIGIBLE
UNDETERMINED = Status.UNDETERMINED
DISCRETIONARY = Status.DISCRETIONARY
_NOTHING_MISSING: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Unknown:
    """An undetermined value and the facts whose absence makes it so."""

    missing: frozenset[str]


@dataclass(frozen=True, slots=True)
class NoCase:
    """An amount mechanism with no tier for the value at hand (a gap the text leaves)."""

    reason: str


class Occurrence:
    """One payable thing inside an item: the item itself for the year, or one matching event."""

    __slots__ = ("amount_fen", "cap_fen", "due_fen", "event", "missing", "status", "subject")

    def __init__(self, event: Event | None, subject: str) -> None:
        self.event = event
        self.subject = subject  # the key of 不重复 / 补差: a product, project, standard or award ladder
        self.amount_fen: int | None = None  # the mechanism's figure, before non-duplication and history
        self.cap_fen: int | None = None  # discretionary ceiling
        self.due_fen = 0
        self.status = NOT_ELIGIBLE
        self.missing: frozenset[str] = _NOTHING_MISSING


class ItemResult:
    """The answer for one item. A plain slotted class: the bulk path builds one per item per
    profile, and a dataclass with list factories costs several times more to construct."""

    __slots__ = ("amount_fen", "cap_fen", "item", "missing", "occurrences", "status", "trace", "why_not")

    def __init__(self, item: Item, status: Status, trace: list[Step] | None = None) -> None:
        self.item = item
        self.status = status
        self.amount_fen = 0
        self.cap_fen: int | None = None
        self.missing: list[str] = []
        self.why_not: list[str] = []
        self.trace: list[Step] = trace if trace is not None else []
        self.occurrences: list[Occurrence] = []

    def __repr__(self) -> str:
        return f"ItemResult({self.item.id}, {self.status.value}, {self.amount_fen})"

    def to_json(self) -> dict:
        it = self.item
        out: dict[str, Any] = {
            "item": it.id,
            "title": it.title,
            "clause": it.source.clause,
            "quote": it.source.quote,
            "form": it.form,
            "status": self.status.value,
            "amount_fen": self.amount_fen,
        }
        if self.status is DISCRETIONARY:
            out["basis"] = it.discretion.basis if it.discretion else None
            out["cap_fen"] = self.cap_fen
        if self.missing:
            out["missing"] = self.missing
        if self.why_not:
            out["why_not"] = self.why_not
        if self.trace:
            out["trace"] = [s.to_json() for s in self.trace]
        return out


@dataclass(slots=True)
class Calculation:
    """The answer for one entity and one year."""

    entity_id: str
    kind: str
    year: int
    items: list[ItemResult]
    not_in_force: list[str]  # documents with rules but not in force in the year
    near_misses: list[Any] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(r.amount_fen for r in self.items if r.status is ELIGIBLE)

    def to_json(self) -> dict:
        return {
            "entity": self.entity_id,
            "kind": self.kind,
            "year": self.year,
            "total_fen": self.total_fen,
            "items": [r.to_json() for r in self.items],
            "not_in_force": self.not_in_force,
            "near_misses": [n.to_json() for n in self.near_misses],
        }


# ---------------------------------------------------------------------------------------------------
# Expressions


class Env:
    """Everything an expression can read; ``tr`` is None on the no-trace path."""

    __slots__ = ("end", "event", "event_spec", "profile", "start", "static", "tr", "year", "yfacts")

    def __init__(self, profile: Profile, year: int, start: date, end: date, tr: list[Step] | None) -> None:
        self.profile = profile
        self.year = year
        self.start = start
        self.end = end
        self.static = profile.facts
        self.yfacts = profile.years.get(year, {})
        self.event: Event | None = None
        self.event_spec: vocab.EventSpec | None = None
        self.tr = tr


def _yuan(fen: int) -> str:
    return show_value(fen, VType.MONEY)


def _unknown(*vals: Any) -> Unknown:
    return Unknown(frozenset().union(*(v.missing for v in vals if type(v) is Unknown)))


def ev(e: Expr, env: Env) -> Any:
    """Evaluate an expression: a value, or ``Unknown``."""
    t = type(e)
    if t is FactRef:
        v = (env.yfacts if e.yearly else env.static).get(e.name)
        if v is None:
            return Unknown(frozenset({f"years.{env.year}.{e.name}" if e.yearly else f"facts.{e.name}"}))
        if env.tr is not None and e.vtype is VType.BOOL:
            env.tr.append(Step("condition", f"{label_of(e)}：{show_value(v, VType.BOOL)}", v))
        return v
    if t is ParamRef:
        return e.param.value
    if t is Lit:
        return 0 if e.vtype is VType.COUNT else e.value
    if t is AttrRef:
        v = env.event.get(e.name) if env.event is not None else None
        if v is None:
            i = env.event.index if env.event is not None else "?"
            return Unknown(frozenset({f"events[{i}].{e.name}"}))
        return v
    if t is Compare:
        left, right = ev(e.left, env), ev(e.right, env)
        res = (
            _unknown(left, right)
            if type(left) is Unknown or type(right) is Unknown
            else COMPARISONS[e.op](left, right)
        )
        if env.tr is not None:
            _trace_compare(e, left, right, res, env)
        return res
    if t is Logic:
        vals = []
        for a in e.args:
            v = ev(a, env)
            if env.tr is None and v is (e.op != "and"):  # short-circuit only when not explaining
                return v
            vals.append(v)
        decisive = e.op != "and"  # True decides an or, False decides an and
        if decisive in vals:
            return decisive
        unknowns = [v for v in vals if type(v) is Unknown]
        return _unknown(*unknowns) if unknowns else not decisive
    if t is Not:
        v = ev(e.arg, env)
        res = v if type(v) is Unknown else not v
        if env.tr is not None and res is False:  # the inner step held, so the failure is the negation's
            env.tr.append(Step("condition", f"{render(e, env.event_spec)}：否", False))
        return res
    if t is In:
        v, opts = ev(e.item, env), ev(e.options, env)
        res = v if type(v) is Unknown else v in opts
        if env.tr is not None and isinstance(e.item, FactRef | AttrRef):
            # like a comparison, a failed membership is a reason (why_not): "级别为区（要求为…之一）"
            shown = "未知" if type(v) is Unknown else str(v)
            text = f"{label_of(e.item, env.event_spec)}为{shown}（要求为{'、'.join(opts)}之一）"
            env.tr.append(Step("condition", text, res if isinstance(res, bool) else None))
        return res
    if t is Arith:
        left, right = ev(e.left, env), ev(e.right, env)
        if type(left) is Unknown or type(right) is Unknown:
            return _unknown(left, right)
        return ARITHMETIC[e.op](Decimal(left), Decimal(right))
    if t is MinMax:
        vals = [ev(a, env) for a in e.args]
        if any(type(v) is Unknown for v in vals):
            return _unknown(*vals)
        return min(vals) if e.fn == "min" else max(vals)
    if t is Exists:
        return _exists(e, env)
    raise TypeError(f"not an expression node: {e!r}")


def _exists(e: Exists, env: Env) -> Any:
    spec = vocab.EVENTS_BY_TYPE[e.event_type]
    saved, saved_spec, saved_tr = env.event, env.event_spec, env.tr
    env.tr = None  # the filter's own comparisons would drown the trace; one line says the result
    result: Any = False
    unknowns = []
    for evt in env.profile.events_by_type.get(e.event_type, ()):
        if evt.date > env.end or (not e.ever and evt.date < env.start):
            continue
        env.event, env.event_spec = evt, spec
        v = True if e.where is None else ev(e.where, env)
        if v is True:
            result = True
            break
        if type(v) is Unknown:
            unknowns.append(v)
    env.event, env.event_spec, env.tr = saved, saved_spec, saved_tr
    if result is not True and unknowns:
        result = _unknown(*unknowns)
    if env.tr is not None:
        ok = result if isinstance(result, bool) else None
        env.tr.append(Step("event", f"{render(e)}：{'是' if ok else '否' if ok is False else '待定'}", ok))
    return result


def _trace_compare(e: Compare, left: Any, right: Any, res: Any, env: Env) -> None:
    spec = env.event_spec
    lhs = e.left if isinstance(e.left, FactRef | AttrRef) else None
    rhs_text = render(e.right, spec)
    clause = e.right.param.source.clause if isinstance(e.right, ParamRef) else None
    if lhs is None:
        text = render(e, spec)
    else:
        vt = lhs.vtype
        actual = "未知" if type(left) is Unknown else show_value(left, vt)
        if e.op in ("==", "!="):
            text = f"{label_of(lhs, spec)}为{actual}（要求{OP_WORDS[e.op]}{rhs_text}）"
        elif res is False:
            text = f"{label_of(lhs, spec)} {actual}，未满足“{OP_WORDS[e.op]} {rhs_text}”"
        else:
            text = f"{label_of(lhs, spec)} {actual} {OP_WORDS[e.op]} {rhs_text}"
    ok = res if isinstance(res, bool) else None
    env.tr.append(Step("condition", text, ok, clause))  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------------
# Amounts


def _ceiling(discretion: Any, env: Env) -> Any:
    """The cap of a discretionary item, traced as a ceiling (上限), not as an amount to be paid."""
    tr, env.tr = env.tr, None  # the amount mechanism's own steps would read as a payable sum
    c = discretion.cap
    how = ""
    try:
        cap = amount_of(c, env)
        if tr is not None and type(c) is Ratio and type(cap) is int:
            # a ceiling that is a share of a base (000 附则5: 实际研发投入最高30%) shows its arithmetic
            how = f"（{label_of(c.base, env.event_spec)} {_yuan(ev(c.base, env))} × {c.rate.text}）"
    finally:
        env.tr = tr
    if tr is not None and type(cap) is int:
        # a fixed ceiling cites its clause; a share cites the clause of its rate (it may be another
        # clause than the item's: 000's measures take 附则5's ceilings)
        param = getattr(c, "param", None) or getattr(c, "rate", None)
        src = param.source if param is not None else None
        tr.append(
            Step(
                "amount",
                f"酌定（{discretion.basis}），上限 {format_fen(cap)}{how}，金额待审定",
                None,
                src.clause if src else None,
                src.quote if src is not None and type(c) is Ratio else None,
            )
        )
    return cap


def amount_of(a: Amount, env: Env) -> Any:
    """int fen (or a Decimal factor inside ``Multiply.factor``), ``Unknown`` or ``NoCase``."""
    t = type(a)
    tr = env.tr
    if t is Fixed:
        p = a.param
        if tr is not None:
            if p.vtype is VType.MONEY:
                tr.append(Step("amount", f"定额 {p.text}", None, p.source.clause, amount_fen=p.value))
            else:
                tr.append(
                    Step(
                        "amount",
                        f"系数 {p.text}（{show_value(p.value, VType.RATIO)}）",
                        None,
                        p.source.clause,
                    )
                )
        return p.value
    if t is Grid:
        key = ev(a.on, env)
        if type(key) is Unknown:
            return key
        for case, sub in a.cases:
            if case == key:
                if tr is not None:
                    tr.append(Step("amount", f"{label_of(a.on, env.event_spec)}为{key}，适用该档", True))
                return amount_of(sub, env)
        return NoCase(f"{label_of(a.on, env.event_spec)}为“{key}”，本条未规定该档的金额")
    if t is Scale:
        x = ev(a.on, env)
        if type(x) is Unknown:
            return x
        for b in a.brackets:
            if b.low is not None and not (x >= b.low.value if b.low_inclusive else x > b.low.value):
                continue
            if b.high is not None and not (x <= b.high.value if b.high_inclusive else x < b.high.value):
                continue
            if tr is not None:
                lo = f"{b.low.text}{'（含）' if b.low_inclusive else '（不含）'}" if b.low else "…"
                hi = f"{b.high.text}{'（含）' if b.high_inclusive else '（不含）'}" if b.high else "…"
                tr.append(
                    Step(
                        "amount",
                        f"{label_of(a.on, env.event_spec)} {show_value(x, VType.COUNT)} 在 {lo} 至 {hi} 档",
                        True,
                    )
                )
            return amount_of(b.then, env)
        return NoCase(f"{label_of(a.on, env.event_spec)}为{x}，不在本条任何一档内")
    if t is Ratio:
        base = ev(a.base, env)
        if type(base) is Unknown:
            return base
        fen = round_fen(Decimal(base) * a.rate.value)
        if tr is not None:
            tr.append(
                Step(
                    "amount",
                    f"{label_of(a.base, env.event_spec)} {_yuan(base)} × {a.rate.text} = {_yuan(fen)}",
                    None,
                    a.rate.source.clause,
                    amount_fen=fen,
                )
            )
        return fen
    if t is PerUnit:
        base = ev(a.base, env)
        if type(base) is Unknown:
            return base
        steps = int(Decimal(base) // Decimal(a.step.value)) if base > 0 else 0
        fen = steps * a.each.value
        if tr is not None:
            tr.append(
                Step(
                    "amount",
                    f"每{a.step.text}给予{a.each.text}：{steps}个单位 = {show_value(fen, VType.MONEY)}",
                    None,
                    a.each.source.clause,
                    amount_fen=fen,
                )
            )
        return fen
    if t is Multiply:
        base = amount_of(a.amount, env)
        if type(base) in (Unknown, NoCase):
            return base
        factor = amount_of(a.factor, env)
        if type(factor) in (Unknown, NoCase):
            return factor
        fen = round_fen(Decimal(base) * factor)
        if tr is not None:
            tr.append(
                Step(
                    "amount",
                    f"{_yuan(base)} × {show_value(factor, VType.RATIO)} = {_yuan(fen)}",
                    None,
                    amount_fen=fen,
                )
            )
        return fen
    if t is Cap:
        v = amount_of(a.amount, env)
        if type(v) in (Unknown, NoCase):
            return v
        if v > a.at.value:
            if tr is not None:
                tr.append(
                    Step(
                        "cap",
                        f"超过上限{a.at.text}，按{a.at.text}计",
                        None,
                        a.at.source.clause,
                        amount_fen=a.at.value,
                    )
                )
            return a.at.value
        return v
    raise TypeError(f"not an amount node: {a!r}")


# ---------------------------------------------------------------------------------------------------
# Items


def _window(rs_item: Item, year: int) -> tuple[date, date] | None:
    if rs_item.validity.start is None:  # an undated draft is in force in no year (docs/rules.md §1)
        return None
    start = max(date(year, 1, 1), rs_item.validity.start)
    end = min(date(year, 12, 31), rs_item.validity.end)
    return (start, end) if start <= end else None


def _subject(item: Item, evt: Event | None, year: int) -> str:
    if item.subject and item.subject.startswith("ladder:"):
        return item.subject
    if item.subject == "event.subject" and evt is not None and evt.attrs.get("subject"):
        return str(evt.attrs["subject"])
    if evt is not None:  # no subject given: the event is its own subject
        return f"{item.id}#{evt.type}@{evt.date.isoformat()}#{evt.index}"
    return f"{item.id}@{year}"


def _eval_item(item: Item, env: Env, gate: Any, gate_why: list[str]) -> ItemResult:
    tr = env.tr
    res = ItemResult(item, NOT_ELIGIBLE, tr)
    if env.profile.kind not in item.entities:
        names = "、".join(
            {"enterprise": "企业", "talent": "人才", "carrier": "载体", "institution": "机构"}[k]
            for k in item.entities
        )
        res.why_not.append(f"本条适用于{names}")
        return res
    if gate is False:
        res.why_not.extend(gate_why)
        return res
    candidates: list[Event | None]
    if item.for_each is None:
        candidates = [None]
    else:
        fe = item.for_each
        spec = vocab.EVENTS_BY_TYPE[fe.event_type]
        candidates = []
        saved_tr = env.tr
        env.tr = None
        env.event_spec = spec
        for evt in env.profile.events_by_type.get(fe.event_type, ()):
            if not env.start <= evt.date <= env.end:
                continue
            env.event = evt
            ok = True if fe.where is None else ev(fe.where, env)
            if ok is True:
                candidates.append(evt)
            elif type(ok) is Unknown:
                res.missing.extend(sorted(ok.missing))
        env.tr = saved_tr
        env.event = None
        if not candidates:
            if res.missing:
                res.status = UNDETERMINED
                return res
            if tr is not None:  # the why-not is words: only on the explained path
                cond = f"（{render(fe.where, spec)}）" if fe.where is not None else ""
                res.why_not.append(f"{env.year}年有效期内无{spec.label}{cond}")
                tr.append(Step("event", res.why_not[-1], False))
            return res
    # an event the filter cannot decide (a missing attribute) is an undetermined occurrence
    statuses = [UNDETERMINED] if res.missing else []
    for evt in candidates:
        occ = Occurrence(evt, _subject(item, evt, env.year))
        env.event = evt
        if evt is not None:
            env.event_spec = vocab.EVENTS_BY_TYPE[evt.type]
            if tr is not None:
                attrs = "，".join(
                    f"{a.label}：{show_value(v, VType.TEXT)}"
                    for k, v in evt.attrs.items()
                    if (a := env.event_spec.attr(k)) is not None
                )
                tr.append(Step("event", f"{env.event_spec.label}（{evt.date}；{attrs}）", True))
        cond = True if item.when is None else ev(item.when, env)
        if cond is False:
            occ.status = NOT_ELIGIBLE
        elif item.discretion is not None:
            cap = None if item.discretion.cap is None else _ceiling(item.discretion, env)
            if type(cap) is Unknown or type(cond) is Unknown or type(gate) is Unknown:
                occ.status = UNDETERMINED
                occ.missing = _unknown(cap, cond, gate).missing
            elif type(cap) is NoCase:
                occ.status = NOT_ELIGIBLE
                res.why_not.append(cap.reason)
            else:
                occ.status = DISCRETIONARY
                occ.cap_fen = cap
        else:
            amt = amount_of(item.amount, env)  # type: ignore[arg-type]
            if type(amt) is NoCase:
                occ.status = NOT_ELIGIBLE
                res.why_not.append(amt.reason)
                if tr is not None:
                    tr.append(Step("amount", amt.reason, False))
            elif type(amt) is Unknown or type(cond) is Unknown or type(gate) is Unknown:
                occ.status = UNDETERMINED
                occ.missing = _unknown(amt, cond, gate).missing
            elif amt == 0:  # 不予奖励 (a zero factor) or a zero base: nothing is promised
                occ.status = NOT_ELIGIBLE
                steps = [x.text for x in (tr or []) if x.kind == "amount"][-2:]
                res.why_not.append("按本条计算金额为0" + (f"（{'；'.join(steps)}）" if steps else ""))
            else:
                occ.status = ELIGIBLE
                occ.amount_fen = amt
        statuses.append(occ.status)
        res.occurrences.append(occ)
    env.event = None
    env.event_spec = None

    # any occurrence waiting for facts makes the whole item wait: a partial amount would mislead
    if UNDETERMINED in statuses:
        res.status = UNDETERMINED
    elif ELIGIBLE in statuses:
        res.status = ELIGIBLE
    elif DISCRETIONARY in statuses:
        res.status = DISCRETIONARY
        caps = [o.cap_fen for o in res.occurrences if o.status is DISCRETIONARY]
        res.cap_fen = None if any(c is None for c in caps) else sum(caps)  # type: ignore[misc]
    else:
        res.status = NOT_ELIGIBLE
        if tr is not None:
            res.why_not.extend(s.text for s in tr if s.ok is False and s.kind in ("condition", "event"))
    for o in res.occurrences:
        res.missing.extend(sorted(o.missing))
    res.missing = sorted(set(res.missing))
    res.why_not = list(dict.fromkeys(res.why_not))
    return res


# ---------------------------------------------------------------------------------------------------
# Provisions, history, caps


def _gate(rs: RuleSet, env: Env) -> tuple[Any, list[str]]:
    """Bans and beneficiary conditions of the provisions a document adopts."""
    verdict: Any = True
    why: list[str] = []
    for prov in rs.provisions:
        if prov.kind is ProvisionKind.BAN and prov.years is not None:
            for evt in env.profile.events_by_type.get("fraud_finding", ()):
                years = evt.attrs.get("ban_years") or prov.years.value
                until = date(min(evt.date.year + years, 9999), evt.date.month, min(evt.date.day, 28))
                if evt.date <= env.end and until > env.start:
                    verdict = False
                    why.append(f"{evt.date}查实弄虚作假，{years}年内不得申报（{prov.source.clause}）")
        if prov.kind is ProvisionKind.BENEFICIARY and prov.condition is not None:
            v = ev(prov.condition, env)
            if env.tr is not None:
                env.tr.append(
                    Step(
                        "provision",
                        f"资助对象：{render(prov.condition)}",
                        v if isinstance(v, bool) else None,
                        prov.source.clause,
                        prov.source.quote,
                    )
                )
            if v is False:
                verdict = False
                if env.tr is not None:
                    reason = prov.why_not or "不符合资助对象条件：" + render(prov.condition)
                    why.append(f"{reason}（{prov.source.clause}）")
            elif type(v) is Unknown and verdict is not False:
                verdict = _unknown(v, verdict) if type(verdict) is Unknown else v
    return verdict, why


_NON_DUPLICATION, _UPGRADE = ProvisionKind.NON_DUPLICATION, ProvisionKind.UPGRADE
_PER_YEAR, _CUMULATIVE = CapKind.PER_YEAR, CapKind.CUMULATIVE


def _adopts(rs: RuleSet) -> tuple[Any, Any]:
    """The document's 不重复 (non-duplication) and 补差 (upgrade difference) provisions, None when it
    has none; looked up once per document under a string key (hashing an enum member runs Python
    code, and settlement asks for every eligible row)."""
    hit = rs.cache.get("adopts")
    if hit is None:
        hit = rs.cache["adopts"] = tuple(
            next((p for p in rs.provisions if p.kind is kind), None) for kind in (_NON_DUPLICATION, _UPGRADE)
        )
    return hit


def _settle(
    results: list[tuple[RuleSet, ItemResult]],
    profile: Profile,
    year: int,
    explain: bool,
    shared: list[SharedCap],
) -> None:
    """Stages 4–7: non-duplication, upgrade differences, item caps, ``shared`` caps (those of every
    document in force). Rows other than eligible and discretionary ones are left as they are, so
    the bulk path passes only those."""
    payments = profile.payments
    # 4. 从优、从高、不重复: among occurrences with the same subject, the highest amount is paid.
    # One pass collects the eligible and discretionary rows with their document's provisions (the
    # bulk path calls this per profile, so nothing is looked up twice) and settles the ceilings of
    # documents adopting neither provision, which depend on nothing else. A discretionary occurrence
    # takes part in 从高 with its ceiling, the most it can be; one whose text states no ceiling is
    # not compared.
    best: dict[str, tuple[int, Occurrence, ItemResult]] = {}
    eligible_rows: list[tuple[ItemResult, Any, Any]] = []  # (row, 不重复 provision, 补差 provision)
    ceiling_rows: list[tuple[ItemResult, Any, Any]] = []  # discretionary rows of documents adopting either
    for rs, r in results:
        if r.status is DISCRETIONARY:
            nondup, upgrade = rs.cache.get("adopts") or _adopts(rs)
            if nondup is None and upgrade is None:
                if r.item.caps:
                    _ceiling_caps(r, payments, year, explain)
                continue
            ceiling_rows.append((r, nondup, upgrade))
            kind, value = DISCRETIONARY, "cap_fen"
        elif r.status is ELIGIBLE:
            nondup, upgrade = rs.cache.get("adopts") or _adopts(rs)  # the kept answer, without a call
            eligible_rows.append((r, nondup, upgrade))
            kind, value = ELIGIBLE, "amount_fen"
        else:
            continue
        if nondup is None:
            continue
        for o in r.occurrences:
            if o.status is kind:
                v = getattr(o, value)
                if v is None:
                    continue
                cur = best.get(o.subject)
                if cur is None or v > cur[0]:
                    best[o.subject] = (v, o, r)
    for r, nondup, upgrade in ceiling_rows:
        _settle_ceiling(r, nondup, upgrade, best, payments, year, explain)
    for r, nondup, upgrade in eligible_rows:
        total = 0
        for o in r.occurrences:
            if o.status is not ELIGIBLE:
                continue
            o.due_fen = o.amount_fen  # type: ignore[assignment]
            if nondup is not None:
                win = best.get(o.subject)
                if win is not None and win[1] is not o:
                    o.due_fen = 0
                    if explain:
                        r.trace.append(
                            Step(
                                "nondup",
                                f"同一对象（{o.subject}）已按{win[2].item.id}{_counted(win)}，"
                                "从优、从高、不重复，本项不再计",
                                None,
                                nondup.source.clause,
                                nondup.source.quote,
                                0,
                            )
                        )
                    continue
            # 5. what was already paid for the same subject (same item and year for yearly items)
            paid = 0
            for p in payments:  # a loop, not sum(generator): most profiles have one payment or none
                if _same_subject(p, o, r.item, year):
                    paid += p.amount_fen
            if paid:
                if upgrade is not None:
                    o.due_fen = max(0, o.due_fen - paid)
                    if explain:
                        r.trace.append(
                            Step(
                                "upgrade",
                                f"同一对象已兑现{_yuan(paid)}，补足差额{_yuan(o.due_fen)}",
                                None,
                                upgrade.source.clause,
                                upgrade.source.quote,
                                o.due_fen,
                            )
                        )
                else:
                    o.due_fen = 0
                    if explain:
                        r.trace.append(
                            Step("upgrade", f"同一对象已兑现{show_value(paid, VType.MONEY)}，不再重复", None)
                        )
            total += o.due_fen
        # 6. item caps against the payment history
        if r.item.caps:
            mine = [p for p in payments if p.item == r.item.id] if payments else []
            for cap in r.item.caps:
                room = _cap_room(cap, mine, year)
                if room is not None and total > room:
                    if explain:
                        r.trace.append(
                            Step(
                                "cap",
                                f"{_cap_words(cap)}：可兑现余额{show_value(room, VType.MONEY)}，按余额计",
                                None,
                                cap.param.source.clause,
                                amount_fen=room,
                            )
                        )
                    total = room
        r.amount_fen = total
    # 7. caps shared by several items (eligible rows stay eligible through stages 5 and 6)
    if shared and eligible_rows:
        for sc in shared:
            # the eligible member items, in the cap's order (plain loops: a comprehension is a
            # function call, and usually no eligible item shares the cap)
            members = []
            for i in sc.items:
                for r, _, _ in eligible_rows:
                    if r.item.id == i:
                        members.append(r)
            if not members:
                continue
            org = (profile.years.get(year, {}) or {}).get("innovation_org_id")
            paid = sum(
                p.amount_fen
                for p in payments
                if p.item in sc.items and p.year == year and (sc.per != "org_year" or p.org_id in (None, org))
            )
            room = max(0, sc.param.value - paid)
            excess = sum(r.amount_fen for r in members) - room
            for r in reversed(members):  # the excess is taken from the later items first
                if excess <= 0:
                    break
                cut = min(excess, r.amount_fen)
                r.amount_fen -= cut
                excess -= cut
                if explain:
                    r.trace.append(
                        Step(
                            "cap",
                            f"{sc.param.text}为单个新型产业创新组织每年累计上限"
                            f"（已兑现{_yuan(paid)}），本项核减{_yuan(cut)}",
                            None,
                            sc.source.clause,
                            sc.source.quote,
                            r.amount_fen,
                        )
                    )


def _cap_room(cap: ItemCap, mine: list[Payment], year: int) -> int | None:
    """What an item cap leaves for ``year`` given the item's own past payments ``mine`` (stage 6):
    the cap less what was paid in the year (``per_year``) or in all years (``cumulative``); for
    ``max_years`` (最长N年) 0 once N other years were paid, else None: the cap does not bind."""
    if cap.kind is _PER_YEAR:
        paid = sum(p.amount_fen for p in mine if p.year == year) if mine else 0
    elif cap.kind is _CUMULATIVE:
        paid = sum(p.amount_fen for p in mine) if mine else 0
    else:
        return 0 if len({p.year for p in mine if p.year != year}) >= cap.param.value else None
    return max(0, cap.param.value - paid)


def _cap_words(cap: ItemCap) -> str:
    """How the text states an item cap, for the trace: 年度上限50万元, 累计上限100万元, 最长3年."""
    if cap.kind is _PER_YEAR:
        return f"年度上限{cap.param.text}"
    if cap.kind is _CUMULATIVE:
        return f"累计上限{cap.param.text}"
    return f"最长{cap.param.text}"


def _ceiling_caps(r: ItemResult, payments: list[Payment], year: int, explain: bool) -> None:
    """Stage 6 for a discretionary item: its caps lower the ceiling by what the payment history
    already took (000/二/（二）/7 拟上市 400万元 paid 分阶段: 150万元 paid → at most 250万元 left); a
    ceiling of 0 leaves nothing to decide (not eligible)."""
    mine = [p for p in payments if p.item == r.item.id] if payments else []
    for cap in r.item.caps:
        room = _cap_room(cap, mine, year)
        if room is None:
            continue
        if r.cap_fen is None or r.cap_fen > room:
            r.cap_fen = room
            if explain:
                r.trace.append(
                    Step(
                        "cap",
                        f"{_cap_words(cap)}：可兑现余额{show_value(room, VType.MONEY)}，酌定上限按余额计",
                        None,
                        cap.param.source.clause,
                        amount_fen=room,
                    )
                )
    if r.cap_fen == 0:
        r.status = NOT_ELIGIBLE
        if explain:
            r.why_not.append("已兑现金额已达本项上限")


def _counted(win: tuple[int, Occurrence, ItemResult]) -> str:
    """How the winner of a 不重复 group counts, for the trace: an amount, or a 酌定 ceiling."""
    return f"酌定上限{_yuan(win[0])}" if win[1].status is DISCRETIONARY else f"计{_yuan(win[0])}"


def _settle_ceiling(
    r: ItemResult,
    nondup: Any,
    upgrade: Any,
    best: dict[str, tuple[int, Occurrence, ItemResult]],
    payments: list[Payment],
    year: int,
    explain: bool,
) -> None:
    """Stages 4–6 for a discretionary row of a document adopting 不重复 or 补差: each occurrence's
    ceiling is the most it can be, so it is 0 when another row of the same subject is higher
    (从高, stage 4) and, under 补差, lowered by what was already paid for the subject (stage 5:
    003-13/三/（四） 数字化车间 80万元 paid, 智能工厂 上限 200万元 → 120万元; payments booked to the
    subject only). Without 补差 the history does not touch a ceiling (the decision judges 不再重复).
    Then the item's caps (stage 6); a ceiling of 0 leaves nothing to decide. ``o.due_fen`` is the
    occurrence's ceiling: a run line's subjects carry it, so a payment made on the line is booked to
    its subject."""
    ceilings: list[int | None] = []
    for o in r.occurrences:
        if o.status is not DISCRETIONARY:
            continue
        room = o.cap_fen
        win = best.get(o.subject) if nondup is not None and room is not None else None
        if win is not None and win[1] is not o:
            room = 0
            if explain:
                r.trace.append(
                    Step(
                        "nondup",
                        f"同一对象（{o.subject}）已按{win[2].item.id}{_counted(win)}，"
                        "从优、从高、不重复，本项酌定上限为0",
                        None,
                        nondup.source.clause,
                        nondup.source.quote,
                        0,
                    )
                )
        elif upgrade is not None and room is not None:
            # only payments booked to the subject: a payment without one (a yearly item's own year)
            # is the item's caps' to deduct (002/八 每年最高100万元), not a lower tier's
            paid = 0
            for p in payments:
                if p.subject is not None and p.subject == o.subject:
                    paid += p.amount_fen
            if paid:
                room = max(0, room - paid)
                if explain:
                    r.trace.append(
                        Step(
                            "upgrade",
                            f"同一对象（{o.subject}）已拨付{_yuan(paid)}，补足差额：酌定上限"
                            f"{_yuan(o.cap_fen)}已按补差扣减为{_yuan(room)}",  # type: ignore[arg-type]
                            None,
                            upgrade.source.clause,
                            upgrade.source.quote,
                            room,
                        )
                    )
        o.due_fen = room or 0
        ceilings.append(room)
    r.cap_fen = None if None in ceilings else sum(ceilings)  # type: ignore[arg-type]
    if r.cap_fen == 0:
        r.status = NOT_ELIGIBLE
        if explain:
            r.why_not.append("同一对象已按从高或补差计足，酌定上限为0")
    elif r.item.caps:
        _ceiling_caps(r, payments, year, explain)


def _same_subject(p: Payment, o: Occurrence, item: Item, year: int) -> bool:
    if p.subject is not None:
        return p.subject == o.subject
    # a payment without a subject matches the yearly occurrence of its own item
    return o.event is None and p.item == item.id and o.subject == f"{item.id}@{p.year}" and p.year == year


# ---------------------------------------------------------------------------------------------------


_calculate_bulk: Callable[[RuleBook, Profile, int, list[str] | None], Calculation] | None = None


def calculate(
    book: RuleBook,
    profile: Profile,
    year: int,
    *,
    explain: bool = True,
    near_misses: bool = True,
    documents: list[str] | None = None,
) -> Calculation:
    """What ``profile`` is owed for ``year`` under every item in force, with reasons.

    ``explain=False`` is the bulk path: statuses and amounts only, no trace, no why-not texts.
    """
    if not explain:
        global _calculate_bulk
        if _calculate_bulk is None:  # bulk imports this module; an import statement per call costs ≈ 1.5 µs
            from huiqi.engine.bulk import calculate_bulk as _calculate_bulk
        calc = _calculate_bulk(book, profile, year, documents)
    else:
        calc = _calculate_explained(book, profile, year, documents)
    if near_misses:
        from huiqi.engine.nearmiss import find_near_misses

        calc.near_misses = find_near_misses(book, profile, year, calc, documents)
    return calc


def _calculate_explained(
    book: RuleBook, profile: Profile, year: int, documents: list[str] | None
) -> Calculation:
    results: list[tuple[RuleSet, ItemResult]] = []
    not_in_force: list[str] = []
    shared: list[SharedCap] = []
    for doc_id, rs in book.rulesets.items():
        if documents is not None and doc_id not in documents:
            continue
        live = rs.cache.get(("live", year))
        if live is None:
            live = rs.cache[("live", year)] = [
                (it, w) for it in rs.items if (w := _window(it, year)) is not None
            ]
        if not live:
            if rs.items:
                not_in_force.append(doc_id)
            continue
        shared.extend(rs.shared_caps)
        w0 = live[0][1]
        env = Env(profile, year, w0[0], w0[1], [])
        gate, why = _gate(rs, env)
        gate_steps = env.tr or []
        for it, (start, end) in live:
            env.start, env.end = start, end
            env.tr = list(gate_steps)
            results.append((rs, _eval_item(it, env, gate, why)))
    _settle(results, profile, year, True, shared)
    return Calculation(profile.id, profile.kind, year, [r for _, r in results], not_in_force)
