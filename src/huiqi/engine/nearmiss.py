"""Near-misses (差一点): the smallest change of one fact or one event that would unlock more money.

Derived from the AST, never from hand-written hints: every comparison of a fact with a figure in an
item's conditions proposes the fact at that figure (以上 → exactly the threshold, 超过 → one unit
above); every ``for_each`` item proposes the events that reach each of its tiers (the filter's
required attributes plus one grid/scale case). Each proposal is then *verified* by evaluating the
whole profile again without trace: only changes that raise the definite total (or open a
discretionary item) are reported, with the exact gain — so the upgrade rule, non-duplication and
caps are all accounted for.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from huiqi.engine.profile import Event, Profile
from huiqi.engine.trace import show_value
from huiqi.money import format_fen
from huiqi.rules import facts as vocab
from huiqi.rules.ast import (
    Amount,
    AttrRef,
    Cap,
    CmpOp,
    Compare,
    Exists,
    Expr,
    FactRef,
    Grid,
    In,
    Item,
    Lit,
    Logic,
    Multiply,
    ParamRef,
    ProvisionKind,
    Scale,
    VType,
)
from huiqi.rules.loader import RuleBook

MAX_COMBINATIONS = 24  # per item; the documents' tiers are far fewer
PER_ITEM = 2  # near-misses kept per item, the largest gains


@dataclass(slots=True)
class NearMiss:
    change: str  # in plain Chinese: "取得企业培育称号认定（称号：专精特新小巨人，级别：国家）"
    gain_fen: int  # definite extra money
    items: list[str]  # items whose amount rises (or that open)
    discretionary_cap_fen: int | None = None  # the ceiling of discretionary items it opens, if stated
    opens_discretionary: bool = False  # it opens an item whose amount is left to a decision
    facts: dict[str, Any] = field(default_factory=dict)
    event: dict[str, Any] | None = None

    def text(self) -> str:
        parts = []
        if self.gain_fen:
            parts.append(f"+{format_fen(self.gain_fen)}")
        if self.discretionary_cap_fen:
            parts.append(f"可申请酌定资助（最高{format_fen(self.discretionary_cap_fen)}）")
        elif self.opens_discretionary:
            parts.append("可申请酌定资助（金额由主管部门确定）")
        return f"{self.change} → {'，'.join(parts)}"

    def to_json(self) -> dict:
        out: dict[str, Any] = {"change": self.change, "gain_fen": self.gain_fen, "items": self.items}
        if self.opens_discretionary:
            out["opens_discretionary"] = True
            out["discretionary_cap_fen"] = self.discretionary_cap_fen
        if self.facts:
            out["facts"] = self.facts
        if self.event:
            out["event"] = self.event
        return out


# --- proposals from conditions ------------------------------------------------------------------------


def _fact_levers(e: Expr | None, out: list[tuple[str, Any, str | None]]) -> None:
    """(fact, value, the figure's text) that would satisfy one atom of ``e``; negations propose nothing."""
    if e is None:
        return
    if isinstance(e, FactRef) and e.vtype is VType.BOOL and e.yearly:
        out.append((e.name, True, None))
    elif isinstance(e, Logic):
        for a in e.args:
            _fact_levers(a, out)
    elif isinstance(e, Compare) and isinstance(e.left, FactRef) and e.left.yearly:
        target = _target(e.op, e.right)
        if target is not None:
            exact = isinstance(e.right, ParamRef) and target == e.right.param.value
            out.append((e.left.name, target, e.right.param.text if exact else None))  # type: ignore[union-attr]


def _target(op: CmpOp, rhs: Expr) -> Any:
    if isinstance(rhs, ParamRef):
        v = rhs.param.value
    elif isinstance(rhs, Lit):
        v = 0 if rhs.vtype is VType.COUNT else rhs.value
    else:
        return None
    if op in (CmpOp.GE, CmpOp.LE, CmpOp.EQ):
        return v
    if op is CmpOp.GT and isinstance(v, int) and not isinstance(v, bool) and v != 0:
        return v + 1
    if op is CmpOp.LT and isinstance(v, int) and not isinstance(v, bool):
        return v - 1
    return None  # "> 0" is a base amount: more spending, not a threshold to reach


def _witness(e: Expr | None) -> list[dict[str, Any]]:
    """Attribute assignments that satisfy a filter over one event (conjunctions of simple atoms)."""
    if e is None:
        return [{}]
    if isinstance(e, Logic):
        if e.op == "or":
            return [w for a in e.args for w in _witness(a)]
        combos: list[dict[str, Any]] = [{}]
        for a in e.args:
            combos = [m for c in combos for w in _witness(a) if (m := _merge(c, w)) is not None]
        return combos
    if isinstance(e, Compare) and isinstance(e.left, AttrRef):
        t = _target(e.op, e.right)
        return [{e.left.name: t}] if t is not None and e.op is not CmpOp.NE else [{}]
    if isinstance(e, In) and isinstance(e.item, AttrRef):
        opts = e.options.value if isinstance(e.options, Lit) else e.options.param.value  # type: ignore[union-attr]
        return [{e.item.name: o} for o in opts]  # type: ignore[union-attr]
    return [{}]


def _merge(a: dict, b: dict) -> dict | None:
    for k, v in b.items():
        if k in a and a[k] != v:
            return None
    return {**a, **b}


def _tiers(a: Amount | None) -> list[dict[str, Any]]:
    """One attribute assignment per tier of an amount whose tiers are keyed on event attributes."""
    if a is None:
        return [{}]
    if isinstance(a, Grid) and isinstance(a.on, AttrRef):
        return [{**w, a.on.name: case} for case, sub in a.cases for w in _tiers(sub)]
    if isinstance(a, Scale) and isinstance(a.on, AttrRef):
        out = []
        for b in a.brackets:
            bound = b.low if b.low is not None else b.high
            if bound is not None:
                v = bound.value if (b.low_inclusive if b.low is not None else b.high_inclusive) else None
                if v is None and isinstance(bound.value, int):
                    v = bound.value + (1 if b.low is not None else -1)
                out.extend({**w, a.on.name: v} for w in _tiers(b.then))
        return out or [{}]
    if isinstance(a, Multiply):
        return [m for x in _tiers(a.amount) for y in _tiers(a.factor) if (m := _merge(x, y)) is not None]
    if isinstance(a, Cap):
        return _tiers(a.amount)
    return [{}]


def _exists_nodes(e: Expr | None, out: list[Exists]) -> None:
    if isinstance(e, Exists):
        out.append(e)
    elif isinstance(e, Logic):
        for a in e.args:
            _exists_nodes(a, out)


def _complete(spec: vocab.EventSpec, attrs: dict[str, Any]) -> dict[str, Any] | None:
    """Fill required attributes the proposal leaves open with a neutral value; None if impossible."""
    out = dict(attrs)
    for a in spec.attrs:
        if a.name in out or not a.required:
            continue
        if a.type is vocab.FactType.CODE:
            out[a.name] = a.allowed[0]
        elif a.type is vocab.FactType.INT:
            out[a.name] = 1
        else:
            return None  # an amount we would have to invent
    for k, v in out.items():
        a = spec.attr(k)
        if a is None or (a.allowed and v not in a.allowed):
            return None
    return out


def _attr_value(attr: vocab.AttrSpec, value: Any) -> str:
    """An attribute as an official reads it: money attributes in 万元/元, not in fen."""
    if attr.type is vocab.FactType.MONEY:
        return show_value(value, VType.MONEY)
    return show_value(value, VType.TEXT)


def _describe_event(spec: vocab.EventSpec, attrs: dict[str, Any]) -> str:
    """Only the attributes the rule asks for: the neutral fillers of ``_complete`` are not shown."""
    shown = "，".join(
        f"{a.label}：{_attr_value(a, v)}"
        for k, v in attrs.items()
        if k != "subject" and (a := spec.attr(k)) is not None
    )
    subj = (
        f"，对象：{attrs['subject']}"
        if attrs.get("subject") and not str(attrs["subject"]).startswith("假设")
        else ""
    )
    inner = f"{shown}{subj}".lstrip("，")
    return f"取得{spec.label}（{inner}）" if inner else f"取得{spec.label}"


def _describe_fact(name: str, value: Any, current: Any, text: str | None = None) -> str:
    spec = vocab.FACTS_BY_NAME[name]
    vt = {vocab.FactType.MONEY: VType.MONEY, vocab.FactType.BOOL: VType.BOOL}.get(spec.type, VType.TEXT)
    now = "未知" if current is None else show_value(current, vt)
    if spec.type is vocab.FactType.BOOL:
        return f"{spec.label}：是（现为{now}）"
    return f"{spec.label}达到{text or show_value(value, vt)}（现为{now}）"


def _proposals(
    book: RuleBook, profile: Profile, year: int, items: list[Item]
) -> list[tuple[str, dict, Event | None]]:
    props: list[tuple[str, dict, Event | None]] = []
    seen: set[str] = set()
    yfacts = profile.years.get(year, {})
    start = date(year, 1, 1)

    def add_fact(name: str, value: Any, text: str | None = None) -> None:
        if yfacts.get(name) == value:
            return
        current = yfacts.get(name)
        numeric = isinstance(value, int) and not isinstance(value, bool) and isinstance(current, int)
        if numeric and current >= value:  # already there: not the failing atom
            return
        key = f"f:{name}={value}"
        if key not in seen:
            seen.add(key)
            props.append((_describe_fact(name, value, yfacts.get(name), text), {name: value}, None))

    def add_event(spec: vocab.EventSpec, attrs: dict[str, Any], day: date) -> None:
        full = _complete(spec, attrs)
        if full is None:
            return
        key = f"e:{spec.type}:{sorted(full.items())}"
        if key in seen:
            return
        seen.add(key)
        evt = Event(spec.type, day, full, -1)
        props.append((_describe_event(spec, attrs), {}, evt))

    for rs in book.rulesets.values():
        for prov in rs.provisions:
            if prov.kind is ProvisionKind.BENEFICIARY:
                levers: list[tuple[str, Any, str | None]] = []
                _fact_levers(prov.condition, levers)
                for name, v, text in levers:
                    add_fact(name, v, text)
    for it in items:
        day = max(start, it.validity.start)
        levers = []
        _fact_levers(it.when, levers)
        for name, v, text in levers:
            add_fact(name, v, text)
        ex: list[Exists] = []
        _exists_nodes(it.when, ex)
        for node in ex:
            spec = vocab.EVENTS_BY_TYPE[node.event_type]
            for w in _witness(node.where)[:MAX_COMBINATIONS]:
                add_event(spec, w, day)
        if it.for_each is None:
            continue
        spec = vocab.EVENTS_BY_TYPE[it.for_each.event_type]
        amount = it.amount if it.amount is not None else (it.discretion.cap if it.discretion else None)
        when_w = _witness(it.when)
        combos = [
            m
            for a, b, c in itertools.product(_witness(it.for_each.where), _tiers(amount), when_w)
            if (m := _merge(a, b)) is not None and (m := _merge(m, c)) is not None
        ][:MAX_COMBINATIONS]
        subjects: list[str | None] = [None]
        if it.subject == "event.subject":
            subjects += sorted(
                {
                    e.attrs["subject"]
                    for e in profile.events_by_type.get(spec.type, ())
                    if e.attrs.get("subject")
                }
            )
        for attrs in combos:
            for subj in subjects:
                a = dict(attrs)
                if it.subject == "event.subject":
                    a["subject"] = subj or f"假设{it.id}"
                add_event(spec, a, day)
    return props


def find_near_misses(
    book: RuleBook, profile: Profile, year: int, base: Any, documents: list[str] | None = None
) -> list[NearMiss]:
    """Verified near-misses for ``profile`` in ``year``, the largest gain first."""
    from huiqi.engine.evaluate import Status, calculate

    live_ids = {r.item.id for r in base.items}
    items = [it for it in book.items() if it.id in live_ids and profile.kind in it.entities]
    before = {r.item.id: r for r in base.items}
    total0 = base.total_fen
    found: list[NearMiss] = []
    for text, facts, evt in _proposals(book, profile, year, items):
        changed = profile.with_changes(year, facts or None, [evt] if evt else None)
        after = calculate(book, changed, year, explain=False, near_misses=False, documents=documents)
        gain = after.total_fen - total0
        rising = [
            r.item.id
            for r in after.items
            if r.status is Status.ELIGIBLE
            and r.amount_fen
            > (before[r.item.id].amount_fen if before[r.item.id].status is Status.ELIGIBLE else 0)
        ]
        opened = [
            r
            for r in after.items
            if r.status is Status.DISCRETIONARY and before[r.item.id].status is not Status.DISCRETIONARY
        ]
        cap = sum(r.cap_fen or 0 for r in opened) or None
        if gain > 0 or opened:
            found.append(
                NearMiss(
                    text,
                    max(gain, 0),
                    rising + [r.item.id for r in opened],
                    cap,
                    bool(opened),
                    facts,
                    {"type": evt.type, "date": evt.date.isoformat(), **evt.attrs} if evt else None,
                )
            )
    found.sort(key=lambda n: (-n.gain_fen, -(n.discretionary_cap_fen or 0)))  # stable: proposal order
    # One line per distinct outcome (items × gain): attributes the rule does not read (技术发明奖 vs
    # 科技进步奖) give the same outcome; and at most PER_ITEM lines per item, largest gain first.
    kept: list[NearMiss] = []
    outcomes: set[tuple] = set()
    per_item: dict[str, int] = {}
    for n in found:
        key = (tuple(n.items), n.gain_fen, n.discretionary_cap_fen, n.opens_discretionary)
        if key in outcomes or all(per_item.get(i, 0) >= PER_ITEM for i in n.items):
            continue
        outcomes.add(key)
        for i in n.items:
            per_item[i] = per_item.get(i, 0) + 1
        kept.append(n)
    return kept
