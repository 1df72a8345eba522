"""Case coverage (算例覆盖): which tiers, caps, boundaries, multipliers and provisions the hand-computed
cases exercise, and what no case touches.

The *targets* are read from the AST of every document with cases:

- ``tier``       each case of a ``Grid`` and each bracket of a ``Scale`` (分档), in the amount or in a
                 discretionary ceiling;
- ``multiplier`` each branch of a ``Multiply`` factor (全额 / 减半 / 不予: the factor's tiers, or the one
                 fixed factor);
- ``cap``        each per-occurrence ``Cap``, each item cap (per year, cumulative, number of years) and
                 each shared cap — exercised only when a case makes it **bind** (the cap cuts the
                 amount or the discretionary ceiling); a cap that never binds is untested;
- ``boundary``   each comparison of a fact with a figure (``研发投入 ≥ 1000万元``) and each bound of a
                 scale: a case whose value is **exactly** the figure, where the rule's 含本数 reading
                 (``>=`` vs ``>``) decides the outcome;
- ``provision``  each provision a document adopts: 资助对象 failing (a case turned away by it), a ban
                 applied, 不重复 cutting an occurrence, 补差 paying a difference.

Each case is run with the explained engine (``calculate(…, explain=True)``). Caps and provisions are
read from its trace (the engine writes a ``cap`` / ``nondup`` / ``upgrade`` / ``provision`` step when
one acts); tiers and boundaries by evaluating the item's own AST nodes with the engine's ``ev`` and
``amount_of`` on the occurrences the engine produced (the trace says a tier was taken in words, not
which node).

A cases file may list targets it deliberately leaves unexercised, each with its reason
(``uncovered: [{target: <id>, reason: …}]``); ``tests/rules/test_case_coverage.py`` fails on any
other uncovered target and on an entry that no longer names an uncovered target.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from huiqi.engine.evaluate import (
    Calculation,
    Env,
    ItemResult,
    NoCase,
    Unknown,
    _cap_words,
    _window,
    amount_of,
    ev,
)
from huiqi.engine.profile import Profile
from huiqi.engine.trace import render
from huiqi.rules import facts as vocab
from huiqi.rules.ast import (
    Amount,
    Arith,
    Bracket,
    Cap,
    Compare,
    Exists,
    Expr,
    Fixed,
    Grid,
    Item,
    Logic,
    MinMax,
    Multiply,
    Not,
    Parameter,
    ParamRef,
    ProvisionKind,
    RuleSet,
    Scale,
    VType,
)
from huiqi.rules.cases import CaseFile, case_files, run_case
from huiqi.rules.loader import RuleBook

KINDS = ("tier", "multiplier", "cap", "boundary", "provision")
_NUMERIC = (VType.MONEY, VType.COUNT, VType.RATIO)


@dataclass(frozen=True, slots=True)
class Target:
    """One thing a case should exercise. ``id`` is stable and readable: an allow-list names it."""

    doc_id: str
    kind: str  # tier / multiplier / cap / boundary / provision
    id: str
    what: str  # in words, for the report


@dataclass(slots=True)
class DocCases:
    doc_id: str
    cases: int
    targets: list[Target]
    hit: dict[str, list[str]]  # target id → names of the cases exercising it
    allowed: dict[str, str]  # target id → reason it is left unexercised
    stale: list[str] = field(default_factory=list)  # allow-list entries naming no uncovered target

    def covered(self, kind: str | None = None) -> list[Target]:
        return [t for t in self.targets if t.id in self.hit and kind in (None, t.kind)]

    def uncovered(self, kind: str | None = None) -> list[Target]:
        return [t for t in self.targets if t.id not in self.hit and kind in (None, t.kind)]

    def unexplained(self) -> list[Target]:
        """Uncovered targets without a reason in the cases file: what the test refuses."""
        return [t for t in self.uncovered() if t.id not in self.allowed]

    def count(self, kind: str) -> tuple[int, int]:
        """(exercised, all) targets of this kind."""
        return len(self.covered(kind)), len([t for t in self.targets if t.kind == kind])


@dataclass(slots=True)
class CaseCoverage:
    documents: list[DocCases]

    def document(self, doc_id: str) -> DocCases:
        for d in self.documents:
            if d.doc_id == doc_id:
                return d
        raise KeyError(doc_id)

    def total(self, kind: str) -> tuple[int, int]:
        pairs = [d.count(kind) for d in self.documents]
        return sum(a for a, _ in pairs), sum(b for _, b in pairs)

    def to_json(self) -> dict:
        return {
            "documents": [
                {
                    "document": d.doc_id,
                    "cases": d.cases,
                    **{k: dict(zip(("exercised", "targets"), d.count(k), strict=True)) for k in KINDS},
                    "uncovered": [
                        {"target": t.id, "kind": t.kind, "what": t.what, "reason": d.allowed.get(t.id)}
                        for t in d.uncovered()
                    ],
                    "stale_allowances": d.stale,
                }
                for d in self.documents
            ],
            "totals": {k: dict(zip(("exercised", "targets"), self.total(k), strict=True)) for k in KINDS},
        }


# ---------------------------------------------------------------------------------------------------
# Targets, read from the AST


def _amount_targets(item: Item, a: Amount | None, path: str, factor: bool = False) -> Iterator[Target]:
    """Tiers, multiplier branches and per-occurrence caps of one amount mechanism; ``path`` names the
    node inside the item (``amount.factor.grid[1]``)."""
    doc = _doc_of(item)
    kind = "multiplier" if factor else "tier"
    if isinstance(a, Grid):
        for key, sub in a.cases:
            here = f"{path}.grid[{key}]"
            yield Target(doc, kind, f"{item.id} {here}", f"{render(a.on)}为{key}")
            yield from _amount_targets(item, sub, here)
    elif isinstance(a, Scale):
        for n, b in enumerate(a.brackets):
            here = f"{path}.scale[{n}]"
            yield Target(doc, kind, f"{item.id} {here}", f"{render(a.on)} {_bracket_words(b)}")
            yield from _amount_targets(item, b.then, here)
    elif isinstance(a, Multiply):
        yield from _amount_targets(item, a.amount, f"{path}.amount")
        if isinstance(a.factor, Fixed):
            yield Target(doc, "multiplier", f"{item.id} {path}.factor", f"系数 {a.factor.param.text}")
        else:
            yield from _amount_targets(item, a.factor, f"{path}.factor", factor=True)
    elif isinstance(a, Cap):
        yield Target(doc, "cap", f"{item.id} {path}.cap", f"单次上限 {a.at.text}")
        yield from _amount_targets(item, a.amount, f"{path}.cap")


def _bracket_words(b: Bracket) -> str:
    lo = f"{b.low.text}{'（含）' if b.low_inclusive else '（不含）'}" if b.low else "…"
    hi = f"{b.high.text}{'（含）' if b.high_inclusive else '（不含）'}" if b.high else "…"
    return f"{lo} 至 {hi}"


def _doc_of(item: Item) -> str:
    return item.source.clause.split("/", 1)[0]


def _compares(e: Expr | None) -> Iterator[Compare]:
    """Every comparison of a figure in an expression (inside ``exists`` filters too)."""
    if isinstance(e, Compare):
        if _has_figure(e):
            yield e
    elif isinstance(e, Logic):
        for a in e.args:
            yield from _compares(a)
    elif isinstance(e, Not):
        yield from _compares(e.arg)
    elif isinstance(e, Exists):
        yield from _compares(e.where)


def _has_figure(c: Compare) -> bool:
    """A comparison with a figure of the text on either side (``x >= p``, ``y >= x * 2倍``)."""
    return _figure_in(c.left) or _figure_in(c.right)


def _figure_in(e: Expr) -> bool:
    if isinstance(e, ParamRef):
        return e.param.vtype in _NUMERIC
    if isinstance(e, Arith):
        return _figure_in(e.left) or _figure_in(e.right)
    if isinstance(e, MinMax):
        return any(_figure_in(a) for a in e.args)
    return False


def _scales(a: Amount | None) -> Iterator[Scale]:
    if isinstance(a, Scale):
        yield a
        for b in a.brackets:
            yield from _scales(b.then)
    elif isinstance(a, Grid):
        for _, sub in a.cases:
            yield from _scales(sub)
    elif isinstance(a, Multiply):
        yield from _scales(a.amount)
        yield from _scales(a.factor)
    elif isinstance(a, Cap):
        yield from _scales(a.amount)


def _boundary_id(doc: str, words: str) -> str:
    return f"{doc} 边界 {words}"


def _scale_bound_words(s: Scale, p: Parameter) -> str:
    return f"{render(s.on)} = {p.text}"


def _item_expressions(item: Item) -> list[Expr]:
    return [e for e in (item.when, item.for_each.where if item.for_each else None) if e is not None]


def targets(rs: RuleSet) -> list[Target]:
    """Everything the cases of one document should exercise, in file order, without repeats."""
    out: dict[str, Target] = {}
    doc = rs.doc_id
    for it in rs.items:
        mechanism = it.amount if it.discretion is None else it.discretion.cap
        root = "amount" if it.discretion is None else "ceiling"
        for t in _amount_targets(it, mechanism, root):
            out.setdefault(t.id, t)
        for cap in it.caps:
            tid = f"{it.id} caps[{cap.kind.value}]"
            out.setdefault(tid, Target(doc, "cap", tid, _cap_words(cap)))
        for e in _item_expressions(it):
            for c in _compares(e):
                words = render(c)
                out.setdefault(
                    _boundary_id(doc, words), Target(doc, "boundary", _boundary_id(doc, words), words)
                )
        for s in _scales(mechanism):
            for b in s.brackets:
                for p in (b.low, b.high):
                    if p is not None:
                        words = _scale_bound_words(s, p)
                        tid = _boundary_id(doc, words)
                        out.setdefault(tid, Target(doc, "boundary", tid, words))
    for sc in rs.shared_caps:
        tid = f"{doc} shared[{sc.id}]"
        out.setdefault(tid, Target(doc, "cap", tid, f"共同上限 {sc.param.text}（{sc.source.clause}）"))
    for prov in rs.provisions:
        if prov.kind is ProvisionKind.BENEFICIARY:
            for c in _compares(prov.condition):
                words = render(c)
                out.setdefault(
                    _boundary_id(doc, words), Target(doc, "boundary", _boundary_id(doc, words), words)
                )
        tid = f"{doc} {prov.kind.value}[{prov.id}]"
        out.setdefault(
            tid, Target(doc, "provision", tid, _PROVISION_WORDS[prov.kind] + f"（{prov.source.clause}）")
        )
    return list(out.values())


_PROVISION_WORDS = {
    ProvisionKind.BENEFICIARY: "资助对象条件不符，全部事项不予",
    ProvisionKind.BAN: "禁止申报期内，全部事项不予",
    ProvisionKind.NON_DUPLICATION: "从优、从高、不重复：同一对象只计最高一项",
    ProvisionKind.UPGRADE: "晋升补差：已兑现后补足差额",
}


# ---------------------------------------------------------------------------------------------------
# Hits, from one case's calculation


def _hits(rs: RuleSet, profile: Profile, year: int, calc: Calculation) -> set[str]:
    """The targets of ``rs`` one case exercises."""
    doc = rs.doc_id
    hit: set[str] = set()
    items = {it.id: it for it in rs.items}
    for r in calc.items:
        it = items.get(r.item.id)
        if it is None or profile.kind not in it.entities:
            continue
        it = r.item  # the book the case ran on (a draft assumed in force has its own items)
        window = _window(it, year)
        if window is None:
            continue
        env = Env(profile, year, window[0], window[1], None)
        hit |= _trace_hits(rs, r)
        # boundaries of the event filter: every event of the type in the period
        if it.for_each is not None and it.for_each.where is not None:
            env.event_spec = vocab.EVENTS_BY_TYPE[it.for_each.event_type]
            for evt in profile.events_by_type.get(it.for_each.event_type, ()):
                if window[0] <= evt.date <= window[1]:
                    env.event = evt
                    _boundary_hits(doc, it.for_each.where, env, hit)
        for occ in r.occurrences:
            env.event = occ.event
            env.event_spec = vocab.EVENTS_BY_TYPE[occ.event.type] if occ.event is not None else None
            if it.when is not None:
                _boundary_hits(doc, it.when, env, hit)
                if ev(it.when, env) is False:
                    continue
            mechanism = it.amount if it.discretion is None else it.discretion.cap
            root = "amount" if it.discretion is None else "ceiling"
            _mechanism_hits(doc, it, mechanism, root, env, hit)
        env.event, env.event_spec = None, None
        for prov in rs.provisions:
            if prov.kind is ProvisionKind.BENEFICIARY:
                _boundary_hits(doc, prov.condition, env, hit)
    return hit


# the trace step each provision writes when it acts (a beneficiary condition: when it fails)
_ACTS = {
    "nondup": ProvisionKind.NON_DUPLICATION,
    "upgrade": ProvisionKind.UPGRADE,
    "provision": ProvisionKind.BENEFICIARY,
}


def _trace_hits(rs: RuleSet, r: ItemResult) -> set[str]:
    """Caps that bound and provisions that acted, as the engine's trace records them."""
    doc = rs.doc_id
    hit: set[str] = set()
    for step in r.trace:
        if step.kind == "cap":
            for cap in r.item.caps:
                if step.text.startswith(_cap_words(cap)) and step.clause == cap.param.source.clause:
                    hit.add(f"{r.item.id} caps[{cap.kind.value}]")
            for sc in rs.shared_caps:
                if step.clause == sc.source.clause and step.quote == sc.source.quote:
                    hit.add(f"{doc} shared[{sc.id}]")
        for prov in rs.provisions:
            if step.clause != prov.source.clause:
                continue
            if _ACTS.get(step.kind) is prov.kind and (step.kind != "provision" or step.ok is False):
                hit.add(f"{doc} {prov.kind.value}[{prov.id}]")
    for prov in rs.provisions:  # a ban is said in the why-not, naming its clause
        if prov.kind is ProvisionKind.BAN and any(
            "弄虚作假" in w and f"（{prov.source.clause}）" in w for w in r.why_not
        ):
            hit.add(f"{doc} {prov.kind.value}[{prov.id}]")
    return hit


def _boundary_hits(doc: str, e: Expr | None, env: Env, hit: set[str]) -> None:
    """Comparisons whose two sides are equal for this profile: the case sits on the boundary."""
    if isinstance(e, Compare):
        if _has_figure(e):
            left, right = ev(e.left, env), ev(e.right, env)
            if not isinstance(left, Unknown) and not isinstance(right, Unknown) and left == right:
                hit.add(_boundary_id(doc, render(e)))
    elif isinstance(e, Logic):
        for a in e.args:
            _boundary_hits(doc, a, env, hit)
    elif isinstance(e, Not):
        _boundary_hits(doc, e.arg, env, hit)
    elif isinstance(e, Exists) and e.where is not None:
        saved = env.event, env.event_spec
        env.event_spec = vocab.EVENTS_BY_TYPE[e.event_type]
        for evt in env.profile.events_by_type.get(e.event_type, ()):
            if evt.date <= env.end and (e.ever or evt.date >= env.start):
                env.event = evt
                _boundary_hits(doc, e.where, env, hit)
        env.event, env.event_spec = saved


def _mechanism_hits(doc: str, item: Item, a: Amount | None, path: str, env: Env, hit: set[str]) -> None:
    """The tier, branch and binding cap the engine's mechanism takes for this occurrence."""
    if isinstance(a, Grid):
        key = ev(a.on, env)
        for case, sub in a.cases:
            if case == key:
                hit.add(f"{item.id} {path}.grid[{case}]")
                _mechanism_hits(doc, item, sub, f"{path}.grid[{case}]", env, hit)
    elif isinstance(a, Scale):
        x = ev(a.on, env)
        if isinstance(x, Unknown):
            return
        for b in a.brackets:
            for p in (b.low, b.high):
                if p is not None and x == p.value:
                    hit.add(_boundary_id(doc, _scale_bound_words(a, p)))
        for n, b in enumerate(a.brackets):
            # the engine's own test of one bracket: a scale of that bracket alone has no case for x
            # unless x is inside it (the first such bracket is the one the engine takes)
            if not isinstance(amount_of(Scale(a.on, (b,)), env), NoCase):
                hit.add(f"{item.id} {path}.scale[{n}]")
                _mechanism_hits(doc, item, b.then, f"{path}.scale[{n}]", env, hit)
                break
    elif isinstance(a, Multiply):
        _mechanism_hits(doc, item, a.amount, f"{path}.amount", env, hit)
        if not isinstance(a.factor, Fixed):
            _mechanism_hits(doc, item, a.factor, f"{path}.factor", env, hit)
        elif isinstance(amount_of(a.amount, env), int):
            hit.add(f"{item.id} {path}.factor")
    elif isinstance(a, Cap):
        v = amount_of(a.amount, env)
        if isinstance(v, int) and isinstance(a.at.value, int) and v > a.at.value:
            hit.add(f"{item.id} {path}.cap")
        _mechanism_hits(doc, item, a.amount, f"{path}.cap", env, hit)


# ---------------------------------------------------------------------------------------------------


def case_coverage(book: RuleBook, files: dict[str, CaseFile] | None = None) -> CaseCoverage:
    """Run every case of every document with rules and cases; what each document's cases exercise."""
    files = case_files() if files is None else files
    docs: list[DocCases] = []
    for doc_id, rs in book.rulesets.items():
        cf = files.get(doc_id)
        if cf is None or not rs.items:
            continue
        tg = targets(rs)
        hit: dict[str, list[str]] = {}
        for case in cf.cases:
            used, profile, calc = run_case(book, cf, case)
            for tid in _hits(used.rulesets[doc_id], profile, case["year"], calc):
                hit.setdefault(tid, []).append(case["name"])
        allowed = {str(e["target"]): str(e.get("reason") or "") for e in cf.spec.get("uncovered") or []}
        ids = {t.id for t in tg}
        d = DocCases(doc_id, len(cf.cases), tg, {k: v for k, v in hit.items() if k in ids}, allowed)
        d.stale = [a for a in allowed if a not in ids or a in d.hit]
        docs.append(d)
    return CaseCoverage(docs)


def case_coverage_markdown(cc: CaseCoverage) -> str:
    """The section of ``docs/coverage.md`` on what the cases exercise."""
    lines = [
        "## What the hand-computed cases exercise",
        "",
        "Measured by `huiqi coverage --cases` (`huiqi.rules.case_coverage`): every case of",
        "`policies/*/cases.yaml` and `policies/003/*.cases.yaml` run with the explained engine; per",
        "document, targets exercised / targets. `tier`: each grid case and scale bracket; `multiplier`:",
        "each branch of a multiplier's factor; `cap`: each per-occurrence, item and shared cap, counted",
        "only when a case makes it bind; `boundary`: each comparison with a figure and each scale bound,",
        "counted when a case's value is exactly the figure; `provision`: 资助对象 turning a case away, a ban",
        "applied, 不重复 cutting an occurrence, 补差 paying a difference. A target no case exercises is",
        "listed below with the reason its cases file gives (`uncovered:`);",
        "`tests/rules/test_case_coverage.py` fails on one without a reason.",
        "",
        "| document | cases | " + " | ".join(KINDS) + " | uncovered (with reason) |",
        "|---|---:|" + "---:|" * len(KINDS) + "---:|",
    ]

    def cell(pair: tuple[int, int]) -> str:
        return f"{pair[0]}/{pair[1]}" if pair[1] else "–"

    for d in cc.documents:
        lines.append(
            f"| {d.doc_id} | {d.cases} | "
            + " | ".join(cell(d.count(k)) for k in KINDS)
            + f" | {len(d.uncovered())} |"
        )
    lines.append(
        f"| **total** | {sum(d.cases for d in cc.documents)} | "
        + " | ".join(cell(cc.total(k)) for k in KINDS)
        + f" | {sum(len(d.uncovered()) for d in cc.documents)} |"
    )
    rows = [(d.doc_id, t, d.allowed.get(t.id, "（无理由）")) for d in cc.documents for t in d.uncovered()]
    if rows:
        lines += [
            "",
            "### Not exercised by any case, and why",
            "",
            "| target | in words | reason |",
            "|---|---|---|",
        ]
        lines += [f"| `{t.id}` | {t.what} | {why} |" for _, t, why in rows]
    return "\n".join(lines) + "\n"


def summary_of(cc: CaseCoverage) -> str:
    """One line of totals, for the CLI."""
    parts = [f"{k} {a}/{b}" for k in KINDS for a, b in [cc.total(k)]]
    return "; ".join(parts)
