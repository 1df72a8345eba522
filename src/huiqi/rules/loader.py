"""Load ``policies/<doc>/rules.yaml`` into the AST, checking everything that can be checked before a
single entity is evaluated: quotes are verbatim in their clauses, figures are in their quotes and
agree with their values, units are present, facts and events exist, codes are allowed values,
validity windows are well formed. Every error names the file, the item and the field (and the
character position inside an expression).

The file format is described in ``docs/rules.md``; ``policies/002/rules.yaml`` is the full example.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from huiqi.money import UNIT_YUAN, to_fen
from huiqi.paths import policies_dir
from huiqi.rules import facts as vocab
from huiqi.rules.ast import (
    Amount,
    Bracket,
    Budget,
    Cap,
    CapKind,
    CostSharing,
    Discretion,
    Expr,
    Fixed,
    ForEach,
    Grid,
    Item,
    ItemCap,
    Multiply,
    NotEncoded,
    Parameter,
    PerUnit,
    Provision,
    ProvisionKind,
    Ratio,
    RuleSet,
    Scale,
    SharedCap,
    Source,
    Validity,
    VType,
)
from huiqi.rules.citation import Citations, default_citations
from huiqi.rules.expr import ExprError, Scope, parse_expr, type_of


class RuleLoadError(ValueError):
    """A rule file that cannot be trusted; the message says where and why."""


COUNT_UNITS = ("位", "名", "项", "年", "个", "家", "等", "次")  # 次: 003-32 每次有效服务
RATIO_UNITS = ("%", "‰", "比例")  # ‰ (千分之): 003-17 "按交易实际发生额的5‰"
# US-dollar thresholds (001/五/39 实到注册资本200万美元, 001/五/40 年出口额500万美元): whole dollars,
# a count compared only with facts kept in 美元 (never converted to 元 at an invented exchange rate).
USD_UNITS = {"美元": 1, "万美元": 10_000}


@dataclass(slots=True)
class RuleBook:
    """All rule files, with cross-file provisions resolved and the facts each item reads."""

    rulesets: dict[str, RuleSet]
    provisions: dict[str, Provision]
    reads: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # fact → item ids
    event_reads: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # event → item ids
    # documents with no rule file (they promise nothing): their figures and why, from
    # policies/<folder>/not_encoded.yaml; documents with rules keep theirs in RuleSet.not_encoded
    not_encoded: dict[str, list[NotEncoded]] = field(default_factory=dict)

    def items(self) -> list[Item]:
        return [it for rs in self.rulesets.values() for it in rs.items]


class _Ctx:
    """Error context: file / item / field."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.where: list[str] = []

    def error(self, msg: str) -> RuleLoadError:
        loc = " › ".join(self.where)
        return RuleLoadError(f"{self.file}: {loc + ': ' if loc else ''}{msg}")


def _req(ctx: _Ctx, d: dict, key: str, typ: type | tuple[type, ...] = str) -> Any:
    if not isinstance(d, dict):
        raise ctx.error(f"expected a mapping with {key!r}, found {type(d).__name__}")
    if key not in d or d[key] is None:
        raise ctx.error(f"{key!r} is missing")
    v = d[key]
    if not isinstance(v, typ):
        raise ctx.error(f"{key!r} should be {getattr(typ, '__name__', typ)}, found {v!r}")
    return v


class _FileLoader:
    def __init__(self, path: Path, cites: Citations, book: RuleBook) -> None:
        self.path = path
        self.cites = cites
        self.book = book
        try:
            shown = str(path.relative_to(policies_dir().parent))
        except ValueError:
            shown = str(path)
        self.ctx = _Ctx(shown)
        self.params: dict[str, Parameter] = {}
        self.item_id: str | None = None

    # --- citations ---------------------------------------------------------------------------------
    def source(self, d: dict) -> Source:
        clause = str(_req(self.ctx, d, "clause", (str,)))
        quote = _req(self.ctx, d, "quote")
        if not self.cites.has_clause(clause):
            raise self.ctx.error(f"clause {clause!r} is not in the corpus")
        span = self.cites.locate(clause, quote)
        if span is None:
            raise self.ctx.error(
                f"the quote is not in clause {clause} (verbatim, whitespace aside): {quote!r}"
            )
        return Source(clause, quote, span)

    # --- parameters ----------------------------------------------------------------------------------
    def parameter(self, name: str, d: dict) -> Parameter:
        self.ctx.where.append(f"parameter {name}")
        if name in vocab.FACTS_BY_NAME:
            raise self.ctx.error("a parameter may not share its name with a fact")
        unit = d.get("unit")
        if not unit:
            raise self.ctx.error(
                "unit is missing (元/万元/亿元 for money, % or 比例 for a share, 位/年/项… for a count)"
            )
        text = _req(self.ctx, d, "text")
        clause = str(_req(self.ctx, d, "clause"))
        raw = d.get("value")
        if raw is None:
            raise self.ctx.error("value is missing")
        value: int | Decimal | tuple[str, ...]
        try:
            if unit in UNIT_YUAN:
                value, vtype = to_fen(Decimal(str(raw)), unit), VType.MONEY
            elif unit == "%":
                value, vtype = Decimal(str(raw)) / 100, VType.RATIO
            elif unit == "比例":
                value, vtype = Decimal(str(raw)), VType.RATIO
            elif unit == "‰":  # per mille, written as the text writes it: 5 → 0.005
                value, vtype = Decimal(str(raw)) / 1000, VType.RATIO
            elif unit in COUNT_UNITS:
                if not isinstance(raw, int) or isinstance(raw, bool):
                    raise self.ctx.error(f"a count in {unit} must be a whole number, found {raw!r}")
                value, vtype = raw, VType.COUNT
            elif unit in USD_UNITS:
                dollars = Decimal(str(raw)) * USD_UNITS[unit]
                if dollars != dollars.to_integral_value():
                    raise self.ctx.error(f"{raw} {unit} is not a whole number of US dollars")
                value, vtype = int(dollars), VType.COUNT
            elif unit == "list":
                if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
                    raise self.ctx.error("a list parameter holds a list of codes")
                value, vtype = tuple(raw), VType.LIST
            else:
                raise self.ctx.error(f"unknown unit {unit!r}")
        except (InvalidOperation, ValueError) as exc:
            if isinstance(exc, RuleLoadError):
                raise
            raise self.ctx.error(f"value {raw!r} is not an exact number in {unit}: {exc}") from None
        self._check_figure_text(text, raw, unit)
        quote = d.get("quote", text)
        src = self.source({"clause": clause, "quote": quote})
        if text not in quote:
            raise self.ctx.error(f"the figure {text!r} is not in its quote {quote!r}")
        self.ctx.where.pop()
        return Parameter(name, value, vtype, unit, text, src)

    def _check_figure_text(self, text: str, raw: Any, unit: str) -> None:
        """When the figure's text is written in digits, it must say the same number in the same unit."""
        if unit == "list" or not re.search(r"\d", text):
            return
        nums = [Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
        if Decimal(str(raw)) not in nums:
            raise self.ctx.error(f"value {raw} {unit} does not match its text {text!r}")
        if unit in UNIT_YUAN or unit in ("%", "‰"):
            m = re.search(r"\d+(?:\.\d+)?\s*(亿元|万元|元|%|‰)", text)
            if m and m.group(1) != unit:
                raise self.ctx.error(f"unit {unit!r} does not match its text {text!r}")
        # dollars and 元 never stand for each other ("500万元美元" in 001/五/40 is 万美元, sic)
        usd = re.search(r"\d+(?:\.\d+)?\s*(万?)元?美元", text)
        if (unit in USD_UNITS) != bool(usd) or (usd and f"{usd.group(1)}美元" != unit):
            raise self.ctx.error(f"unit {unit!r} does not match its text {text!r}")

    # --- expressions and amounts ---------------------------------------------------------------------
    def expr(self, src: Any, key: str, event: vocab.EventSpec | None = None, filt=None) -> Expr:
        item = self.item_id

        def on_fact(name: str) -> None:
            if item:
                self.book.reads[name].add(item)

        scope = Scope(self.params, event=event, filter_event=filt, on_fact=on_fact)
        try:
            e = parse_expr(src, scope)
        except ExprError as exc:
            pointer = f"{src}\n{' ' * exc.pos}^"
            raise self.ctx.error(f"{key} at position {exc.pos}: {exc.message}\n{pointer}") from None
        self._note_events(e)
        return e

    def _note_events(self, e: Any) -> None:
        from huiqi.rules.ast import Exists

        stack = [e]
        while stack:
            n = stack.pop()
            if isinstance(n, Exists) and self.item_id:
                self.book.event_reads[n.event_type].add(self.item_id)
            for f in getattr(n, "__slots__", ()):
                v = getattr(n, f, None)
                if isinstance(v, tuple):
                    stack.extend(x for x in v if hasattr(x, "__slots__"))
                elif hasattr(v, "__slots__") and not isinstance(v, str):
                    stack.append(v)

    def param_ref(self, name: Any, want: VType, what: str) -> Parameter:
        if not isinstance(name, str) or name not in self.params:
            raise self.ctx.error(f"{what}: {name!r} is not a parameter of this file")
        p = self.params[name]
        if p.vtype is not want:
            raise self.ctx.error(f"{what}: parameter {name} is {p.vtype}, expected {want}")
        return p

    def amount(self, d: Any, event: vocab.EventSpec | None, factor: bool = False) -> Amount:
        want = VType.RATIO if factor else VType.MONEY
        if isinstance(d, str):
            return Fixed(self.param_ref(d, want, "amount"))
        if not isinstance(d, dict) or len(d) != 1:
            raise self.ctx.error(
                "an amount is a parameter name or one of: grid, scale, ratio, per_unit, multiply, cap"
            )
        ((kind, body),) = d.items()
        self.ctx.where.append(kind)
        try:
            if factor and kind not in ("grid", "scale"):
                raise self.ctx.error("a factor is a parameter, a grid or a scale of ratios")
            if kind == "grid":
                on = self.expr(_req(self.ctx, body, "by"), "by", event)
                cases_raw = _req(self.ctx, body, "cases", dict)
                allowed = self._allowed(on, event)
                cases = []
                for key, sub in cases_raw.items():
                    if allowed and str(key) not in allowed:
                        raise self.ctx.error(f"case {key!r} is not an allowed value ({', '.join(allowed)})")
                    cases.append((str(key), self.amount(sub, event, factor)))
                return Grid(on, tuple(cases))
            if kind == "scale":
                on = self.expr(_req(self.ctx, body, "by"), "by", event)
                brackets = []
                for b in _req(self.ctx, body, "brackets", list):
                    lo = hi = None
                    lo_inc = hi_inc = False
                    if b.get("from") is not None:
                        lo = self.param_ref(b["from"], type_of(on), "bracket from")
                        lo_inc = self._inclusive(b, "from_inclusive")
                    if b.get("to") is not None:
                        hi = self.param_ref(b["to"], type_of(on), "bracket to")
                        hi_inc = self._inclusive(b, "to_inclusive")
                    brackets.append(
                        Bracket(
                            lo,
                            lo_inc,
                            hi,
                            hi_inc,
                            self.amount(_req(self.ctx, b, "then", (str, dict)), event, factor),
                        )
                    )
                return Scale(on, tuple(brackets))
            if kind == "ratio":
                base = self.expr(_req(self.ctx, body, "base"), "base", event)
                if type_of(base) is not VType.MONEY:
                    raise self.ctx.error("the base of a ratio is an amount of money")
                return Ratio(base, self.param_ref(body.get("rate"), VType.RATIO, "rate"))
            if kind == "per_unit":
                base = self.expr(_req(self.ctx, body, "base"), "base", event)
                step = self.param_ref(body.get("step"), type_of(base), "step")
                return PerUnit(base, step, self.param_ref(body.get("each"), VType.MONEY, "each"))
            if kind == "multiply":
                return Multiply(
                    self.amount(_req(self.ctx, body, "amount", (str, dict)), event),
                    self.amount(_req(self.ctx, body, "factor", (str, dict)), event, factor=True),
                )
            if kind == "cap":
                return Cap(
                    self.amount(_req(self.ctx, body, "amount", (str, dict)), event),
                    self.param_ref(body.get("at"), VType.MONEY, "cap at"),
                )
            raise self.ctx.error(f"unknown mechanism {kind!r}")
        finally:
            self.ctx.where.pop()

    def _inclusive(self, b: dict, key: str) -> bool:
        if not isinstance(b.get(key), bool):
            raise self.ctx.error(
                f"{key} must be stated (true/false): 以上/以下 include the number unless the text says not"
            )
        return b[key]

    def _allowed(self, on: Expr, event: vocab.EventSpec | None) -> tuple[str, ...]:
        from huiqi.rules.ast import AttrRef, FactRef

        if isinstance(on, FactRef):
            return vocab.FACTS_BY_NAME[on.name].allowed
        if isinstance(on, AttrRef) and event is not None and (a := event.attr(on.name)):
            return a.allowed
        return ()

    # --- the file ------------------------------------------------------------------------------------
    def validity(self, d: dict) -> Validity:
        self.ctx.where.append("validity")
        start, end = d.get("start"), d.get("end")
        if "start" in d and start is None:
            # a draft "自发布后30日施行": no date yet, so in force in no year (docs/rules.md §1); a
            # stated end (有效期至…) is kept for when the document is assumed in force
            if end is not None and not isinstance(end, date):
                raise self.ctx.error("end must be a date (YYYY-MM-DD) or null")
        elif isinstance(start, date) and "end" in d and end is None:
            # "本办法自…起施行" with no expiry stated (003-27, 003-39 …): open-ended, written end: null
            end = date.max
        elif not isinstance(start, date) or not isinstance(end, date):
            raise self.ctx.error(
                "start and end must be dates (YYYY-MM-DD), or start: null for an undated draft"
            )
        elif end < start:
            raise self.ctx.error(f"end {end} is before start {start}")
        v = Validity(start, end, self.source(d))
        self.ctx.where.pop()
        return v

    def load(self) -> tuple[RuleSet, list[str]]:
        try:
            raw = yaml.safe_load(self.path.read_text("utf-8"))
        except yaml.YAMLError as exc:
            raise self.ctx.error(f"not valid YAML: {exc}") from None
        except ValueError as exc:  # YAML reads 2022-13-06 as a date and fails inside the parser
            raise self.ctx.error(f"a value is malformed (a date?): {exc}") from None
        if not isinstance(raw, dict):
            raise self.ctx.error("a rule file is a mapping")
        doc_id = str(_req(self.ctx, raw, "document"))
        validity = self.validity(raw["validity"]) if raw.get("validity") else None
        for name, d in (raw.get("parameters") or {}).items():
            self.params[name] = self.parameter(name, d)

        provisions = []
        for d in raw.get("provisions") or []:
            pid = _req(self.ctx, d, "id")
            self.ctx.where.append(f"provision {pid}")
            try:
                kind = ProvisionKind(_req(self.ctx, d, "kind"))
            except ValueError:
                raise self.ctx.error(
                    f"kind must be one of {', '.join(k.value for k in ProvisionKind)}"
                ) from None
            self.item_id = pid  # a provision reads facts too ("which rules read it")
            cond = self.expr(d["condition"], "condition") if d.get("condition") is not None else None
            self.item_id = None
            if kind is ProvisionKind.BENEFICIARY and cond is None:
                raise self.ctx.error("a beneficiary provision needs a condition")
            years = self.param_ref(d["years"], VType.COUNT, "years") if d.get("years") else None
            if kind is ProvisionKind.BAN and years is None:
                raise self.ctx.error("a ban provision needs years")
            provisions.append(Provision(pid, kind, self.source(d), cond, years, d.get("why_not", "")))
            self.ctx.where.pop()

        items = []
        seen: set[str] = set()
        for d in raw.get("items") or []:
            items.append(self.item(d, doc_id, validity, seen))

        caps = []
        for d in raw.get("shared_caps") or []:
            cid = _req(self.ctx, d, "id")
            self.ctx.where.append(f"shared cap {cid}")
            members = tuple(_req(self.ctx, d, "items", list))
            for m in members:
                if m not in seen:
                    raise self.ctx.error(f"no item {m!r} in this file")
            per = _req(self.ctx, d, "per")
            if per not in ("entity_year", "org_year"):
                raise self.ctx.error("per must be entity_year or org_year")
            if per == "org_year":  # the engine groups payments by the entity's organisation
                self.book.reads["innovation_org_id"].add(cid)
            caps.append(
                SharedCap(
                    cid, members, per, self.param_ref(d.get("amount"), VType.MONEY, "amount"), self.source(d)
                )
            )
            self.ctx.where.pop()

        budgets = [self.budget(d, seen) for d in raw.get("budgets") or []]

        adopt = [str(a) for a in raw.get("adopt") or []]
        rs = RuleSet(
            doc_id, str(raw.get("title", "")), self.ctx.file, validity, self.params, items, provisions, caps
        )
        rs.budgets = budgets
        rs.not_encoded = [self.not_encoded(d) for d in raw.get("not_encoded") or []]
        if raw.get("cost_sharing") is not None:
            rs.cost_sharing = self.cost_sharing(raw["cost_sharing"], seen)
        return rs, adopt

    def load_unruled(self) -> dict[str, list[NotEncoded]]:
        """``not_encoded.yaml``: ``documents: {<doc id>: {title: …, not_encoded: [<entry>, …]}}``."""
        try:
            raw = yaml.safe_load(self.path.read_text("utf-8"))
        except yaml.YAMLError as exc:
            raise self.ctx.error(f"not valid YAML: {exc}") from None
        docs = raw.get("documents") if isinstance(raw, dict) else None
        if not isinstance(docs, dict):
            raise self.ctx.error("expected a mapping 'documents: {<doc id>: {title, not_encoded}}'")
        out: dict[str, list[NotEncoded]] = {}
        for doc_id, d in docs.items():
            self.ctx.where.append(f"document {doc_id}")
            entries = [self.not_encoded(e) for e in _req(self.ctx, d, "not_encoded", list)]
            if any(e.clause.split("/")[0] != str(doc_id) for e in entries):
                raise self.ctx.error("every clause must belong to the document it is listed under")
            out[str(doc_id)] = entries
            self.ctx.where.pop()
        return out

    def not_encoded(self, d: dict) -> NotEncoded:
        """A clause whose figures are deliberately left out (未编码): the clause exists, each figure text
        is in it, and the reason is written (a target, a fund size, a loan — never blank)."""
        clause = str(_req(self.ctx, d, "clause", (str,)))
        self.ctx.where.append(f"not_encoded {clause}")
        if not self.cites.has_clause(clause):
            raise self.ctx.error(f"clause {clause!r} is not in the corpus")
        reason = str(_req(self.ctx, d, "reason")).strip()
        if not reason:
            raise self.ctx.error("'reason' is empty: say why the figures are not encoded")
        figures = d.get("figures") or []
        if not isinstance(figures, list):
            raise self.ctx.error(f"'figures' should be a list of texts, found {figures!r}")
        for text in figures:
            if self.cites.locate(clause, str(text)) is None:
                raise self.ctx.error(f"figure {str(text)!r} is not in clause {clause}")
        self.ctx.where.pop()
        return NotEncoded(clause, tuple(str(t) for t in figures), reason)

    def cost_sharing(self, d: Any, seen: set[str]) -> CostSharing:
        """``cost_sharing:`` (市与区县（市）承担比例): the quote is verbatim in its clause, every district
        is named in the quote and the first ratio written after its name is the ratio given for it (so
        萧山区: "1:1" under "…萧山区…的承担比例为 1:3" is refused); a renamed district of today points to a
        district of the text and is not itself in the text's list."""
        self.ctx.where.append("cost_sharing")
        if not isinstance(d, dict):
            raise self.ctx.error("cost_sharing is a mapping {clause, quote, by_district, renamed, items}")
        src = self.source(d)
        by = _req(self.ctx, d, "by_district", dict)
        if not by:
            raise self.ctx.error("by_district is empty: name each district and its ratio, e.g. 滨江区: '1:1'")
        ratios: dict[str, tuple[int, int]] = {}
        for district, text in by.items():
            district, text = str(district), str(text)
            m = _RATIO.fullmatch(text.strip())
            if m is None:
                raise self.ctx.error(
                    f"{district}: a ratio is written city:district, e.g. '1:3', not {text!r}"
                )
            at = src.quote.find(district)
            if at < 0:
                raise self.ctx.error(f"the district {district!r} is not named in the quote")
            stated = _RATIO.search(src.quote, at)
            if stated is None or _ratio_parts(stated) != _ratio_parts(m):
                raise self.ctx.error(
                    f"{district}: the ratio {text!r} is not the one the quote gives it"
                    f" ({stated.group(0) if stated else 'none after its name'!r})"
                )
            city, own = _ratio_parts(m)
            if city + own == 0:
                raise self.ctx.error(f"{district}: a ratio of 0:0 shares nothing")
            ratios[district] = (city, own)
        renamed = {str(k): str(v) for k, v in (d.get("renamed") or {}).items()}
        for new, old in renamed.items():
            if old not in ratios:
                raise self.ctx.error(f"renamed {new}: {old!r} is not a district of by_district")
            if new in ratios:
                raise self.ctx.error(f"renamed {new}: the text names it itself; drop the renaming")
        items = tuple(str(i) for i in d.get("items") or [])
        for i in items:
            if i not in seen:
                raise self.ctx.error(f"no item {i!r} in this file")
        self.ctx.where.pop()
        return CostSharing(src, ratios, renamed, items)

    def budget(self, d: dict, seen: set[str]) -> Budget:
        """A yearly budget line: a cited figure (like a parameter) with its bound and the items it pays."""
        bid = str(_req(self.ctx, d, "id"))
        self.ctx.where.append(f"budget {bid}")
        bound = d.get("bound")
        if bound not in ("floor", "about", "exact"):
            raise self.ctx.error("bound must be floor (不少于/不低于), about (约) or exact (预算安排12亿元)")
        members = tuple(str(i) for i in d.get("items") or [])
        for m in members:
            if m not in seen:
                raise self.ctx.error(f"no item {m!r} in this file")
        param = self.parameter(bid, d)
        if param.vtype not in (VType.MONEY, VType.RATIO):
            raise self.ctx.error("a budget is an amount of money or a share (比例) of expenditure")
        self.ctx.where.pop()
        return Budget(bid, param, bound, members)

    def item(self, d: dict, doc_id: str, validity: Validity | None, seen: set[str]) -> Item:
        iid = str(_req(self.ctx, d, "id"))
        self.ctx.where.append(f"item {iid}")
        self.item_id = iid
        if not iid.startswith(doc_id + "/"):
            raise self.ctx.error(f"an item id starts with its document id {doc_id}/")
        if iid in seen:
            raise self.ctx.error("duplicate item id")
        seen.add(iid)
        src = self.source(d)
        entities = tuple(d.get("entities") or ["enterprise"])
        for e in entities:
            if e not in {k.value for k in vocab.EntityKind}:
                raise self.ctx.error(f"unknown entity kind {e!r}")
        event = None
        for_each = None
        if d.get("for_each"):
            fe = d["for_each"]
            et = _req(self.ctx, fe, "event")
            event = vocab.EVENTS_BY_TYPE.get(et)
            if event is None:
                raise self.ctx.error(vocab._unknown("event type", et, vocab.EVENTS_BY_TYPE))
            where = self.expr(fe["where"], "for_each.where", filt=event) if fe.get("where") else None
            for_each = ForEach(et, where)
            self.book.event_reads[et].add(iid)
        when = self.expr(d["when"], "when", event) if d.get("when") is not None else None
        amount = self.amount(d["amount"], event) if d.get("amount") is not None else None
        discretion = None
        if d.get("discretionary"):
            dd = d["discretionary"]
            basis = _req(self.ctx, dd, "basis")
            if basis not in src.quote:
                raise self.ctx.error(f"the discretionary basis {basis!r} is not in the quote")
            cap = self.amount(dd["cap"], event) if dd.get("cap") is not None else None
            discretion = Discretion(basis, cap)
        if (amount is None) == (discretion is None):
            raise self.ctx.error(
                "an item has exactly one of amount (computed) or discretionary (left to a decision)"
            )
        subject = d.get("subject")
        if subject is not None and subject != "event.subject" and not str(subject).startswith("ladder:"):
            raise self.ctx.error("subject is event.subject or ladder:<name>")
        if subject == "event.subject" and event is None:
            raise self.ctx.error("subject event.subject needs for_each")
        caps = []
        for c in d.get("caps") or []:
            try:
                kind = CapKind(_req(self.ctx, c, "kind"))
            except ValueError:
                raise self.ctx.error(
                    f"cap kind must be one of {', '.join(k.value for k in CapKind)}"
                ) from None
            want = VType.COUNT if kind is CapKind.MAX_YEARS else VType.MONEY
            caps.append(ItemCap(kind, self.param_ref(c.get("amount"), want, f"cap {kind}")))
        v = self.validity(d["validity"]) if d.get("validity") else validity
        if v is None:
            raise self.ctx.error("no validity window: give one for the document or for the item")
        self._check_params_in_quote(d, src)
        item = Item(
            iid,
            str(d.get("title", iid)),
            src,
            entities,
            when,
            for_each,
            amount,
            discretion,
            subject,
            tuple(caps),
            v,
            str(d.get("form", "奖励")),
            str(d.get("note", "")),
        )
        self.ctx.where.pop()
        self.item_id = None
        return item

    def _check_params_in_quote(self, d: dict, src: Source) -> None:
        """A figure used by an item and taken from the item's own clause must be in the item's quote."""
        used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", yaml.safe_dump(d, allow_unicode=True)))
        for name in used & set(self.params):
            p = self.params[name]
            if p.source.clause == src.clause and p.text not in src.quote and p.vtype is not VType.LIST:
                raise self.ctx.error(f"parameter {name} ({p.text!r}) is not in this item's quote")


# A city:district ratio as the texts write it: "1:1", "1 : 3", "1：3".
_RATIO = re.compile(r"(\d+)\s*[:：]\s*(\d+)")


def _ratio_parts(m: re.Match[str]) -> tuple[int, int]:
    return int(m.group(1)), int(m.group(2))


def rule_files(folder: Path | None = None) -> list[Path]:
    """Every rule file under the policies folder, in a stable order."""
    base = folder or policies_dir()
    return sorted([*base.glob("*/rules.yaml"), *base.glob("*/*.rules.yaml")])


def unruled_files(folder: Path | None = None) -> list[Path]:
    """``policies/<folder>/not_encoded.yaml``: documents without a rule file, each clause with figures
    and why nothing is encoded (003-16's targets…)."""
    return sorted((folder or policies_dir()).glob("*/not_encoded.yaml"))


def load_rules(paths: list[Path] | None = None, citations: Citations | None = None) -> RuleBook:
    """Load every rule file (or ``paths``) and resolve adopted provisions.

    A folder holding one document has ``rules.yaml``; the compendium 003 holds about forty, each with
    its own ``<doc-id>.rules.yaml`` (``policies/003/003-31.rules.yaml``).
    """
    cites = citations or default_citations()
    unruled = unruled_files() if paths is None else []  # explicit paths: those files only
    if paths is None:
        paths = rule_files()
    book = RuleBook({}, {})
    adoptions: dict[str, list[str]] = {}
    for p in paths:
        rs, adopt = _FileLoader(Path(p), cites, book).load()
        if rs.doc_id in book.rulesets:
            raise RuleLoadError(f"{p}: document {rs.doc_id} has two rule files")
        book.rulesets[rs.doc_id] = rs
        for prov in rs.provisions:
            book.provisions[prov.id] = prov
        adoptions[rs.doc_id] = adopt
    for doc_id, adopt in adoptions.items():
        rs = book.rulesets[doc_id]
        own = {p.id for p in rs.provisions}
        for pid in adopt:
            if pid not in book.provisions:
                raise RuleLoadError(f"{rs.file}: adopt: no provision {pid!r} in any rule file")
            if pid not in own:
                rs.provisions.append(book.provisions[pid])
        # a file's own provisions apply to it unless it lists what it adopts
        if adopt:
            rs.provisions[:] = [p for p in rs.provisions if p.id in adopt]
    for p in unruled:
        for doc_id, entries in _FileLoader(Path(p), cites, book).load_unruled().items():
            if doc_id in book.rulesets or doc_id in book.not_encoded:
                raise RuleLoadError(f"{p}: document {doc_id} is listed twice (or has a rule file)")
            book.not_encoded[doc_id] = entries
    return book
