"""The one typed AST of huiqi rules (规则语法树).

Every rule of every document is built from these nodes, and two evaluators walk them: the scalar
evaluator (``huiqi.engine.evaluate``, one entity, with an explanation trace) and the vectorized
compiler (population, DuckDB). The exact semantics of each node — rounding, inclusive bounds, what a
missing value does — are written in ``docs/rules.md``; the short form is in each docstring.

Two families:

- *Expressions* (``Expr``) are pure functions of one entity's facts for one period (a calendar year
  intersected with the item's validity window): literals, parameters, facts, event attributes,
  comparisons, boolean logic, exact arithmetic, membership, event existence. A missing fact makes the
  expression *undetermined* (three-valued logic, Kleene: ``False and ?`` is False).
- *Amounts* (``Amount``) are the mechanisms that turn facts into money, each written once: fixed,
  grid (tiers by category), scale (tiers by number), ratio of a base, per-unit, multiplier, cap.
  Every amount is integer fen; the only rounding is ``huiqi.money.round_fen`` (四舍五入) at the
  end of a ``Ratio`` / ``Multiply`` / ``PerUnit``.

Population-level steps (ranking, proration) are deliberately absent: they are not properties of one
entity and live in the population engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

# ---------------------------------------------------------------------------------------------------
# Value types the loader checks expressions against (a tiny dimension system).


class VType(StrEnum):
    MONEY = "money"  # integer fen (or an exact Decimal of fen inside arithmetic)
    RATIO = "ratio"  # a dimensionless Decimal: 30% → 0.30, 减半 → 0.5
    COUNT = "count"  # an integer: a rank (第几位), a number of years, a head count
    BOOL = "bool"
    CODE = "code"  # a string from an allowed list
    TEXT = "text"
    DATE = "date"
    LIST = "list"  # a tuple of codes (membership only)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a rule element comes from: the clause id and the verbatim sentence (原文)."""

    clause: str
    quote: str
    span: tuple[int, int] | None = None  # offsets of the quote in the source file, once located


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named figure of a document (参数): an amount, ratio, cap, threshold, rank or list.

    ``value`` is int fen for MONEY, Decimal for RATIO, int for COUNT, tuple[str, ...] for LIST.
    ``text`` is the figure as the quote writes it ("50万元", "30%", "减半", "前三位"); the loader
    checks it appears in ``source.quote``.
    """

    name: str
    value: int | Decimal | tuple[str, ...]
    vtype: VType
    unit: str  # 元 / 万元 / 亿元 / % / 比例 / 位 / 年 / 项 … as written in the rule file
    text: str
    source: Source


# ---------------------------------------------------------------------------------------------------
# Expressions


class Expr:
    """Base of expression nodes. ``pos`` is the character offset in the rule's expression string."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Lit(Expr):
    """A literal: a code string ("国家"), ``true``/``false``, or a list of codes. Never a figure."""

    value: str | bool | tuple[str, ...]
    vtype: VType


@dataclass(frozen=True, slots=True)
class ParamRef(Expr):
    param: Parameter


@dataclass(frozen=True, slots=True)
class FactRef(Expr):
    """A fact of the entity: static facts as is, yearly facts for the evaluation year."""

    name: str
    vtype: VType
    yearly: bool


@dataclass(frozen=True, slots=True)
class AttrRef(Expr):
    """An attribute of the event in scope (``event.level`` in ``for_each``, bare names in a filter)."""

    name: str
    vtype: VType


class CmpOp(StrEnum):
    GE = ">="  # 以上 / 不低于 / 不少于 (inclusive)
    GT = ">"  # 超过 / 高于 (exclusive)
    LE = "<="  # 以下 / 不超过 / 以内 (inclusive)
    LT = "<"  # 不足 / 低于 (exclusive)
    EQ = "=="
    NE = "!="


@dataclass(frozen=True, slots=True)
class Compare(Expr):
    op: CmpOp
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Logic(Expr):
    """``and`` / ``or`` over two or more operands, Kleene three-valued."""

    op: str  # "and" | "or"
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not(Expr):
    arg: Expr


@dataclass(frozen=True, slots=True)
class In(Expr):
    """Membership of a code in a list (a literal list or a LIST parameter)."""

    item: Expr
    options: Expr


@dataclass(frozen=True, slots=True)
class Arith(Expr):
    """Exact Decimal arithmetic: ``+ - *``. No rounding here (only amounts round)."""

    op: str
    left: Expr
    right: Expr
    vtype: VType


@dataclass(frozen=True, slots=True)
class MinMax(Expr):
    fn: str  # "min" | "max"
    args: tuple[Expr, ...]
    vtype: VType


@dataclass(frozen=True, slots=True)
class Exists(Expr):
    """True when the entity has an event of ``event_type`` dated inside the period (``ever``: on or
    before the period's last day) that satisfies ``where`` (bare names there are the event's attributes).
    """

    event_type: str
    where: Expr | None
    ever: bool = False


# ---------------------------------------------------------------------------------------------------
# Amount mechanisms


class Amount:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Fixed(Amount):
    """A fixed amount (or a fixed factor when inside ``Multiply.factor``): one parameter."""

    param: Parameter


@dataclass(frozen=True, slots=True)
class Grid(Amount):
    """Tiers by category (分别给予…): the value of ``on`` picks a case. No case → the item does not
    pay for that value (reported as a gap by ``huiqi check``, as a why-not at run time)."""

    on: Expr
    cases: tuple[tuple[str, Amount], ...]


@dataclass(frozen=True, slots=True)
class Bracket:
    """One tier of a ``Scale``: ``low``..``high`` with explicit inclusivity (以上 includes the number
    unless the rule says otherwise). ``None`` bound = unbounded on that side."""

    low: Parameter | None
    low_inclusive: bool
    high: Parameter | None
    high_inclusive: bool
    then: Amount


@dataclass(frozen=True, slots=True)
class Scale(Amount):
    """Tiers by a number: the first bracket containing ``on`` applies; none → no payment."""

    on: Expr
    brackets: tuple[Bracket, ...]


@dataclass(frozen=True, slots=True)
class Ratio(Amount):
    """``round_fen(base × rate)``: a share of a money base (研发投入的20%)."""

    base: Expr
    rate: Parameter


@dataclass(frozen=True, slots=True)
class PerUnit(Amount):
    """``floor(base / step) × each``: 每增加1亿元给予50万元 — only whole steps count."""

    base: Expr
    step: Parameter
    each: Parameter


@dataclass(frozen=True, slots=True)
class Multiply(Amount):
    """``round_fen(amount × factor)``: 第二至第五责任单位减半. ``factor`` yields a RATIO."""

    amount: Amount
    factor: Amount


@dataclass(frozen=True, slots=True)
class Cap(Amount):
    """``min(amount, at)``: a cap per occurrence (单个项目不超过500万元)."""

    amount: Amount
    at: Parameter


# ---------------------------------------------------------------------------------------------------
# Items, documents, cross-cutting provisions


class CapKind(StrEnum):
    PER_YEAR = "per_year"  # 单个企业年最高 / 每年最高: the item's total for one entity in one year
    CUMULATIVE = "cumulative"  # 累计不超过: the item's total for one entity over all years
    MAX_YEARS = "max_years"  # 最长不超过N年: the item pays in at most N distinct years


@dataclass(frozen=True, slots=True)
class ItemCap:
    kind: CapKind
    param: Parameter


@dataclass(frozen=True, slots=True)
class Discretion:
    """The text leaves the amount to a decision (择优 / 按要求进行资助 / 按规定给予配套 / 一事一议).

    ``cap`` is the ceiling the text states (``None`` when it states none); never an invented amount.
    """

    basis: str  # the words of the text that leave it open, e.g. "择优"
    cap: Amount | None


@dataclass(frozen=True, slots=True)
class ForEach:
    """The item pays once per matching event dated inside the period."""

    event_type: str
    where: Expr | None


@dataclass(frozen=True, slots=True)
class Validity:
    """The window an item is in force, both ends inclusive.

    ``start`` is ``None`` when the text sets no date: a draft (征求意见稿) "自发布后30日施行" whose
    publication date is unknown. Such an item is in force in no year, unless the document is
    evaluated as if in force (``huiqi.rules.drafts.assume_in_force``). ``end`` is ``None`` when the
    text states no expiry (有效期); only an unknown start allows it (``有效期至2025年12月31日`` with no
    issue date is ``start=None, end=2025-12-31``).
    """

    start: date | None
    end: date | None  # inclusive
    source: Source


@dataclass(frozen=True, slots=True)
class Budget:
    """A yearly budget line (预算): money a document sets aside for a measure, e.g. 每年安排预算不少于
    2亿元. Not an award: no entity is owed it; the ledger books the items it names against it.

    ``bound`` says how the text states the figure: ``floor`` (不少于 / 不低于, at least), ``about``
    (约) or ``exact`` (a plain 预算安排12亿元). ``param`` is money, or a ratio of the district's
    fiscal expenditure (不低于15%比例).
    """

    id: str
    param: Parameter
    bound: str  # "floor" | "about" | "exact" (a plain "预算安排12亿元", 001)
    items: tuple[str, ...]  # the items of the document paid from this line


@dataclass(frozen=True, slots=True)
class Item:
    """One benefit item (兑现事项): who, when, how much, citing the sentence that promises it."""

    id: str
    title: str
    source: Source
    entities: tuple[str, ...]
    when: Expr | None
    for_each: ForEach | None
    amount: Amount | None  # None only when ``discretion`` is set
    discretion: Discretion | None
    subject: str | None  # "event.subject" | a fixed ladder key | None (each occurrence is its own)
    caps: tuple[ItemCap, ...]
    validity: Validity
    form: str = "奖励"  # 奖励 / 补助 / 资助 / 后补助 / 股权投资 …
    note: str = ""


@dataclass(frozen=True, slots=True)
class SharedCap:
    """A cap spanning several items (单个新型产业创新组织每年累计最高奖励不超过100万元)."""

    id: str
    items: tuple[str, ...]
    per: str  # "entity_year" | "org_year"
    param: Parameter
    source: Source


class ProvisionKind(StrEnum):
    BENEFICIARY = "beneficiary"  # 资助对象 conditions every item must meet
    NON_DUPLICATION = "non_duplication"  # 从优、从高、不重复
    UPGRADE = "upgrade"  # 晋升到高等次时补足差额
    BAN = "ban"  # 弄虚作假 → N年内不得申报


@dataclass(frozen=True, slots=True)
class Provision:
    """A cross-cutting rule (附则 / 其他条款), written once and adopted by documents."""

    id: str
    kind: ProvisionKind
    source: Source
    condition: Expr | None = None  # BENEFICIARY
    years: Parameter | None = None  # BAN
    why_not: str = ""  # plain Chinese for a failed BENEFICIARY condition


@dataclass(frozen=True, slots=True)
class CostSharing:
    """City:district cost sharing (市与区县（市）两级财政按比例承担) set by a document.

    ``by_district`` maps each district the text names to its (city parts, district parts), e.g.
    滨江区 → (1, 1), 萧山区 → (1, 3). ``renamed`` maps a district of today to the one of the text it
    came from (the 2021 reorganisation: 临平区 → 余杭区, 钱塘区 → 钱塘新区), so a beneficiary registered
    under today's name is shared as the text says for the old one. ``items`` limits the sharing to
    those items when the text shares only some (003-28 七: the others are 市本级财政全额承担); empty
    means every item of the document."""

    source: Source
    by_district: dict[str, tuple[int, int]]
    renamed: dict[str, str] = field(default_factory=dict)
    items: tuple[str, ...] = ()

    def applies_to(self, item: str) -> bool:
        return not self.items or item in self.items

    def ratio(self, district: str) -> tuple[int, int, str] | None:
        """(city parts, district parts, the district as the text names it), or None when the text does
        not name ``district`` (nor the district it came from)."""
        named = district if district in self.by_district else self.renamed.get(district)
        if named is None:
            return None
        city, own = self.by_district[named]
        return city, own, named


@dataclass(frozen=True, slots=True)
class NotEncoded:
    """A clause whose figures the rule file deliberately leaves out (未编码), and why: a target (目标),
    a fund size, a loan, a budget line's parts… ``figures`` are texts as written in the clause; empty
    means every counted figure of the clause (``huiqi.rules.coverage``)."""

    clause: str
    figures: tuple[str, ...]
    reason: str


@dataclass(slots=True)
class RuleSet:
    """The rules of one document (``policies/<doc>/rules.yaml``)."""

    doc_id: str
    title: str
    file: str
    validity: Validity | None
    parameters: dict[str, Parameter]
    items: list[Item]
    provisions: list[Provision]  # defined here or adopted from another document
    shared_caps: list[SharedCap] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)  # yearly budget lines (000: one per measure)
    not_encoded: list[NotEncoded] = field(default_factory=list)  # figures left out, with the reason
    cost_sharing: CostSharing | None = None  # 市与区县（市）承担比例, when the document sets it
    # evaluators memoise per-year derived data here (items in force in a year…); never rule content
    cache: dict = field(default_factory=dict, repr=False, compare=False)
