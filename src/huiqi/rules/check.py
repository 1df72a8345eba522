"""Static checks of the rule files (``huiqi check``): what a reviewer should look at before the rules pay.

- ``tier-gap`` / ``tier-overlap``: scale brackets that leave a gap or overlap; grid tiers that leave
  values of their key (among those the item's filter lets through) without an amount;
- ``unread``: facts and events of the vocabulary that no rule reads;
- ``never-fires``: items whose filter, tiers and entity kinds can never be satisfied together;
- ``conflict``: two documents that promise different figures for the same event and tier;
- ``unencoded-figure``: a money figure in an item's quote that none of its parameters carries;
- ``undated``: a document whose items have no start date (a draft): in force in no year.

Each finding that is a consequence of the text carries its explanation, shown beside it: a conflict's
comes from the note of the item that names the other document (which applies when); the others'
from ``policies/checks.yaml`` (``explained: [{check, where, reason}]``). A finding without one is
what a reviewer still has to settle.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from huiqi.engine.nearmiss import _merge, _tiers, _witness
from huiqi.paths import policies_dir
from huiqi.rules import facts as vocab
from huiqi.rules.ast import (
    Amount,
    AttrRef,
    Cap,
    Fixed,
    Grid,
    Item,
    Multiply,
    Parameter,
    ParamRef,
    PerUnit,
    Ratio,
    Scale,
    VType,
)
from huiqi.rules.loader import RuleBook


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    where: str
    message: str
    explanation: str = ""  # why it is a consequence of the text, where it is written down

    def to_json(self) -> dict:
        out = {"check": self.check, "where": self.where, "message": self.message}
        if self.explanation:
            out["explanation"] = self.explanation
        return out


def explanations(path: Path | None = None) -> dict[tuple[str, str], str]:
    """``policies/checks.yaml``: (check, where) → the reason the finding stands."""
    path = path or policies_dir() / "checks.yaml"
    if not path.exists():
        return {}
    spec = yaml.safe_load(path.read_text("utf-8")) or {}
    return {(str(e["check"]), str(e["where"])): str(e["reason"]) for e in spec.get("explained") or []}


def _explain(f: Finding, notes: dict[str, str], written: dict[tuple[str, str], str]) -> Finding:
    why = written.get((f.check, f.where), "")
    if not why and f.check == "conflict":
        one, other = f.where.split(" vs ")
        for a, b in ((one, other), (other, one)):
            if b.split("/")[0] in notes.get(a, ""):
                why = f"{a}: {notes[a]}"
                break
    return Finding(f.check, f.where, f.message, why) if why else f


def _amounts(a: Amount | None) -> list[Amount]:
    if a is None:
        return []
    out = [a]
    if isinstance(a, Grid):
        for _, sub in a.cases:
            out += _amounts(sub)
    elif isinstance(a, Scale):
        for b in a.brackets:
            out += _amounts(b.then)
    elif isinstance(a, Multiply):
        out += _amounts(a.amount) + _amounts(a.factor)
    elif isinstance(a, Cap):
        out += _amounts(a.amount)
    return out


def _params(it: Item) -> list[Parameter]:
    out: list[Parameter] = []
    for a in _amounts(it.amount) + _amounts(it.discretion.cap if it.discretion else None):
        if isinstance(a, Fixed):
            out.append(a.param)
        elif isinstance(a, Ratio):
            out.append(a.rate)
        elif isinstance(a, PerUnit):
            out += [a.step, a.each]
        elif isinstance(a, Cap):
            out.append(a.at)
        elif isinstance(a, Scale):
            out += [p for b in a.brackets for p in (b.low, b.high) if p is not None]
    out += [c.param for c in it.caps]
    # a base may name a parameter too: 003-22 贴息 "min(bank_loan_fen, max_subsidised_loan) * lpr_january"
    bases = [
        a.base
        for a in _amounts(it.amount) + _amounts(it.discretion.cap if it.discretion else None)
        if isinstance(a, Ratio | PerUnit)
    ]
    stack: list[object] = [it.when, it.for_each.where if it.for_each else None, *bases]
    while stack:  # parameters named in conditions (thresholds, ranks) and in bases
        n = stack.pop()
        if isinstance(n, ParamRef):
            out.append(n.param)
        elif n is not None and hasattr(n, "__slots__") and not isinstance(n, str):
            for f in n.__slots__:  # type: ignore[attr-defined]
                v = getattr(n, f, None)
                stack.extend(v if isinstance(v, tuple) else [v])
    return out


def _scale_findings(it: Item, s: Scale) -> list[Finding]:
    out = []
    integer = isinstance(s.on, AttrRef | ParamRef) and s.on.vtype in (VType.COUNT, VType.MONEY)
    bs = sorted(s.brackets, key=lambda b: Decimal("-Infinity") if b.low is None else Decimal(b.low.value))
    for prev, nxt in itertools.pairwise(bs):
        if prev.high is None:
            out.append(
                Finding(
                    "tier-overlap",
                    it.id,
                    f"the tier from {prev.low.text if prev.low else '…'} is open above, yet a tier follows",
                )
            )
            continue
        if nxt.low is None:
            continue
        hi, lo = Decimal(prev.high.value), Decimal(nxt.low.value)
        if hi > lo or (hi == lo and prev.high_inclusive and nxt.low_inclusive):
            out.append(Finding("tier-overlap", it.id, f"tiers overlap at {prev.high.text} / {nxt.low.text}"))
        elif hi == lo and not prev.high_inclusive and not nxt.low_inclusive:
            out.append(Finding("tier-gap", it.id, f"the value {prev.high.text} itself falls in no tier"))
        elif hi < lo:
            step = 1 if integer else 0
            if not (integer and lo - hi == step and prev.high_inclusive and nxt.low_inclusive):
                out.append(Finding("tier-gap", it.id, f"no tier between {prev.high.text} and {nxt.low.text}"))
    return out


def _grid_findings(it: Item, g: Grid) -> list[Finding]:
    if not isinstance(g.on, AttrRef) or it.for_each is None:
        return []
    spec = vocab.EVENTS_BY_TYPE[it.for_each.event_type]
    attr = spec.attr(g.on.name)
    if attr is None or not attr.allowed:
        return []
    passing = set()
    for w in _witness(it.for_each.where):
        if g.on.name in w:
            passing.add(w[g.on.name])
        else:
            passing |= set(attr.allowed)
    missing = [v for v in attr.allowed if v in passing and v not in dict(g.cases)]
    if not missing:
        return []
    return [
        Finding(
            "tier-gap",
            it.id,
            f"{attr.label} {'、'.join(missing)}: the filter lets these through but no tier pays them "
            "(the text names only " + "、".join(k for k, _ in g.cases) + ")",
        )
    ]


def run_checks(book: RuleBook) -> list[Finding]:
    findings: list[Finding] = []
    items = book.items()
    # tiers
    for it in items:
        for a in _amounts(it.amount):
            if isinstance(a, Scale):
                findings += _scale_findings(it, a)
            elif isinstance(a, Grid):
                findings += _grid_findings(it, a)
    # never fires
    for it in items:
        if it.for_each is not None:
            spec = vocab.EVENTS_BY_TYPE[it.for_each.event_type]
            if not set(it.entities) & {k.value for k in spec.entities}:
                findings.append(
                    Finding("never-fires", it.id, f"no entity kind of the item can have a {spec.type} event")
                )
            amount = it.amount if it.amount is not None else (it.discretion.cap if it.discretion else None)
            combos = [
                m
                for w in _witness(it.for_each.where)
                for t in _tiers(amount)
                if (m := _merge(w, t)) is not None
            ]
            bad = [
                c
                for c in combos
                if any(
                    (a := spec.attr(k)) is not None and a.allowed and v not in a.allowed for k, v in c.items()
                )
            ]
            if not combos or len(bad) == len(combos):
                findings.append(
                    Finding("never-fires", it.id, "its event filter and its tiers can never hold together")
                )
        v = it.validity
        if v.start is not None and v.end is not None and v.end < v.start:
            findings.append(Finding("never-fires", it.id, "its validity window is empty"))
    # unread facts and events
    for f in vocab.FACTS:
        if f.name not in book.reads and f.name not in ("name", "credit_code"):
            findings.append(Finding("unread", f"fact {f.name}", f"no rule reads {f.label}"))
    for e in vocab.EVENTS:
        if e.type not in book.event_reads:
            findings.append(Finding("unread", f"event {e.type}", f"no rule reads {e.label}"))
    findings += _conflicts(items)
    # money figures in quotes that no parameter carries (items of one clause share their figures:
    # "分别给予200万元、100万元…" is one sentence split into several items)
    money = re.compile(r"\d+(?:\.\d+)?(?:亿元|万元|元)")
    by_clause: dict[str, list[Item]] = {}
    for it in items:
        by_clause.setdefault(it.source.clause, []).append(it)
    for clause, group in by_clause.items():
        texts = {p.text for it in group for p in _params(it)}
        quotes = dict.fromkeys(it.source.quote for it in group)
        for fig in dict.fromkeys(f for q in quotes for f in money.findall(q)):
            if not any(fig in t or t in fig for t in texts):
                findings.append(
                    Finding("unencoded-figure", clause, f"{fig} is quoted but no parameter carries it")
                )
    # documents whose date is unknown (a draft 自发布后30日施行): none of their items ever pays
    for doc, rs in book.rulesets.items():
        undated = [it.id for it in rs.items if it.validity.start is None]
        if undated:
            findings.append(
                Finding(
                    "undated",
                    doc,
                    f"{len(undated)} items are in force in no year until the document's date is known "
                    f"(validity start: null); evaluate with --assume-in-force {doc}",
                )
            )
    notes = {it.id: it.note for it in items}
    written = explanations()
    return [_explain(f, notes, written) for f in findings]


def _conflicts(items: list[Item]) -> list[Finding]:
    """Two documents that name different figures for the same event and tier.

    Each item paid per event contributes, for each tier, the attribute values its filter and tier
    require (e.g. ``{product_kind: 首版次软件}``) and its figure. A discretionary item contributes its
    fixed ceiling ("区级给予最高不超过50万元"): a reviewer must know that 001 pays 10万元 for a 首版次软件
    while 002 allows up to 50万元 for the same product. Two promises meet when no attribute they both
    constrain disagrees (an item without a filter meets every tier of the other); one finding per pair.
    """
    promises: list[tuple[str, dict, Item, Parameter]] = []
    for it in items:
        if it.for_each is None:
            continue
        figure = it.amount if it.amount is not None else (it.discretion.cap if it.discretion else None)
        if figure is None:
            continue
        for w in _witness(it.for_each.where):
            for t, fig in _tier_figures(figure):
                if (m := _merge(w, t)) is not None:
                    promises.append((it.for_each.event_type, m, it, fig))
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for (e1, m1, it1, f1), (e2, m2, it2, f2) in itertools.combinations(promises, 2):
        pair = (it1.id, it2.id)
        if e1 != e2 or f1.value == f2.value or pair in seen:
            continue
        if it1.id.split("/")[0] == it2.id.split("/")[0] or (both := _merge(m1, m2)) is None:
            continue
        seen.add(pair)

        def says(it: Item, fig: Parameter) -> str:
            return f"{'at most' if it.amount is None else 'promises'} {fig.text}"

        out.append(
            Finding(
                "conflict",
                f"{it1.id} vs {it2.id}",
                f"{e1} {both}: {it1.id} {says(it1, f1)}, {it2.id} {says(it2, f2)}",
            )
        )
    return out


def _tier_figures(a: Amount) -> list[tuple[dict, Parameter]]:
    """(attribute assignment, money parameter) for the fixed tiers of an amount."""
    if isinstance(a, Fixed) and a.param.vtype is VType.MONEY:
        return [({}, a.param)]
    if isinstance(a, Grid) and isinstance(a.on, AttrRef):
        return [({a.on.name: k, **w}, p) for k, sub in a.cases for w, p in _tier_figures(sub)]
    if isinstance(a, Multiply):
        return _tier_figures(a.amount)
    return []
