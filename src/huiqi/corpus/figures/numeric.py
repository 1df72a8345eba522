"""Numbers with units in a clause: amounts, budgets, ratios, durations, dates and counts.

How each form is read (docs/figures.md has the full table):

- ``500万元`` / ``1.5亿元`` / ``2000元`` / ``二千万元`` → AMOUNT in exact fen; ``100 万`` with no 元 before a
  punctuation mark is read as 万元 (``奖励总额最高不超过 100 万。``). ``60万元/人`` is a rate: unit ``/人``.
- an AMOUNT whose sentence says 安排 or 预算 (``每年安排预算不少于2亿元``) is a BUDGET line.
- ``30%`` / ``20％`` / ``千分之五`` → RATIO 0.30 / 0.20 / 0.005; ``2倍`` → RATIO 2 with unit ``倍``;
  ``减半`` → RATIO 0.5;
  ``1:3`` → RATIO with unit ``比`` and value the first party's share 1/(1+3) = 0.25 (None when that share is
  not a finite decimal, as for 1:1.2); ``ratio_parts`` gives the parts.
- ``3年`` / ``三年`` / ``6个月`` / ``7个工作日`` / ``30日`` → DURATION (value + unit as written).
- ``2022年9月6日`` → DATE (unit ``day``); ``2022年9月`` → DATE unit ``month``, date = the 1st;
  ``2023年`` → DATE unit ``year``, date = 1 January. ``2018—2020年`` → two year DATEs.
- ``500人`` / ``50家`` / ``前200位`` (rank, a CAP) / ``4.8万人次`` → QUANTITY; ``200万美元`` → QUANTITY with
  unit ``美元`` (not money in fen: the projects' money is RMB only).
- ranges ``5—10%`` / ``5 万—100 万元`` / ``3—5年`` → one figure with low/high (the unit of the second number
  applies to the first when the first has none).
- ``500、100万元``: the bare ``500`` becomes its own figure, span ``500``, with the unit of the number
  that ends the list.

The bound comes from the words just before the number (back to the previous punctuation mark or
figure): 最高 / 不超过 / 不高于 / 上限 / 小于 … → CAP; 不少于 / 不低于 / 至少 / 超过 / 超 … → FLOOR;
约 → APPROX; or just after it: 以上 → FLOOR, 以下 / 以内 → CAP, 左右 → APPROX. In a list
(``最高不超过…的50%、80%、100%``) each later member takes the bound written before the first.
Numbers inside 《》 titles and 文号 brackets 〔2020〕 are never read.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, Inexact, localcontext

from huiqi.corpus.figures.numbers import ARABIC, CHINESE, MULTIPLIER, is_chinese_numeral, parse_number
from huiqi.corpus.model import Bound, Figure, FigureKind
from huiqi.money import to_fen

_SP = r"[ \t\u3000]*"
_N = rf"(?:{ARABIC}|{CHINESE})"
_MUL = r"(?:万亿|万|亿)"
# Units in the order they must be tried (a longer unit before its prefix: 个工作日 before 个).
_UNIT = (
    r"(?:元?美元|元/亩|元/人|元/吨标煤|元|[%％]|倍(?![增差数])"
    r"|个工作日|工作日|个月|年(?![级代度])|天|日"
    r"|人次|人年|周岁|岁|名(?![单称义额录])|人(?![民才员工均])|家次|家(?!庭)|项(?!目)"
    r"|个(?![人体性百])|位(?![于置])|件|支(?![持付出撑])|宗|亩|户|所(?![属在得有以])|套|台|座"
    r"|千瓦|吨|平方公里|平方米|平方|立方米)"
)
_NOT_INSIDE_NUMBER = r"(?<![\d.,A-Za-z零〇一二两三四五六七八九十百千])(?<!第)"
_YEAR = r"(?:19|20)\d{2}"
_RANGE_SEP = r"[—–\-－~～至到]"

_PATTERN = re.compile(
    # Every figure starts with a digit, a Chinese numeral, 前 or 减: checking that first is what keeps
    # the scan over the 485,000 characters of 003 fast.
    r"(?=[\d零〇一二两三四五六七八九十百千万前减])"
    + _NOT_INSIDE_NUMBER
    + "(?:"
    # 2018—2020年: two years.
    + rf"(?P<y1>{_YEAR}){_SP}{_RANGE_SEP}{_SP}(?P<y2>{_YEAR}){_SP}年"
    # 2022年9月6日 / 2022年9月 / 2023年 (never followed by 第: 公告2017年第40号 is a document number).
    + rf"|(?P<y>{_YEAR}){_SP}年(?!第)(?:{_SP}(?P<mo>1[0-2]|0?[1-9]){_SP}月"
    + rf"(?:{_SP}(?P<d>3[01]|[12]\d|0?[1-9]){_SP}日)?)?"
    # 10月31日 without a year: a day of some year, not a figure (matched only so that 31日 is not a duration).
    + rf"|(?P<md>(?:1[0-2]|0?[1-9]){_SP}月{_SP}(?:3[01]|[12]\d|0?[1-9]){_SP}日)"
    # 1:3 / 1：1 / 4:2:2:2 cost sharing.
    + rf"|(?P<parts>{ARABIC}(?:{_SP}[:∶：]{_SP}{ARABIC})+)"
    # 5—10% / 5 万—100 万元 / 60（含）-80万元 / 3—5年.
    + rf"|(?P<n1>{_N}){_SP}(?:(?P<m1>{_MUL}){_SP})?(?:(?P<u1>{_UNIT}){_SP})?(?:[（(]含[)）]{_SP})?"
    + rf"{_RANGE_SEP}{_SP}(?P<n2>{_N}){_SP}(?:(?P<m2>{_MUL}){_SP})?(?P<u2>{_UNIT})"
    # 千分之五 / 百分之三十: a share written in words.
    + rf"|(?P<per>[百千万])分之(?P<pn>{_N})"
    # 前200位 / 前三位: a rank.
    + rf"|前{_SP}(?P<rank>{_N}){_SP}(?P<ru>[名位])"
    # 500万元 / 30% / 三年 / 100 万。 / 50余家 ("more than 50": a floor).
    + rf"|(?P<n>{_N}){_SP}(?:(?P<m>{_MUL}){_SP})?(?P<yu>余)?"
    + r"(?:(?P<u>"
    + _UNIT
    + r")|(?<=[万亿])(?=[。，；、）)]|以下|以上|以内|$))"
    + "|(?P<half>减半)"
    + ")"
)

# Bound words, longest first within each group. The groups are tried in this order at each position and
# the text is scanned left to right, so "不超过" / "不得超过" are read at their 不 (as caps) before the
# floor "超过" could be read at their 超; likewise "不低于" is read as a floor before the cap "低于".
_CAP_NEGATED = (
    "最高不超过|最多不超过|最长不超过|原则上不超过|一般不超过|不得超过|不应超过|不超过"
    "|不得高于|不高于|不多于|不大于|不满|未满"
)
_FLOOR_WORDS = "不少于|不低于|不得低于|不得少于|不小于|至少|最低|超过|超|突破|高于|大于|年满|满(?!意)"
_CAP_WORDS = "小于|低于|最高可达|最高|最多|最长|至多|上限"
_BOUND_BEFORE = re.compile(
    rf"(?P<cap>{_CAP_NEGATED})|(?P<floor>{_FLOOR_WORDS})|(?P<cap2>{_CAP_WORDS})|(?P<approx>约(?![定束]))"
)
_BOUND_AFTER = re.compile(rf"^{_SP}(?:人民币)?(?:[（(]含[)）])?{_SP}(?:及)?(?P<w>以上|以下|以内|左右)")
_WINDOW = 20  # characters looked back for a bound word
_STOPS = "，。；、：:;！？\n（("
_BUDGET_WORDS = ("安排", "预算")
_SENTENCE_STOPS = "，。；\n"
_TITLE = re.compile(r"《[^》\n]*》|〔\d{4}〕")

_DURATION_UNITS = {"个工作日", "工作日", "个月", "年", "天", "日"}


@dataclass(slots=True)
class _Found:
    figure: Figure
    own_bound: bool  # the bound was written at this figure (not inherited from a list)


def _fen(n: Decimal, mul: str | None) -> int:
    if mul == "万亿":
        return to_fen(n * 10_000, "亿元")
    return to_fen(n, f"{mul}元" if mul else "元")


def _bound(text: str, start: int, end: int, lo: int) -> Bound | None:
    """The bound written right before text[start:end] (back to a stop mark, ``lo`` or _WINDOW) or after it."""
    s = start
    while s > max(lo, start - _WINDOW) and text[s - 1] not in _STOPS:
        s -= 1
    last = None
    for m in _BOUND_BEFORE.finditer(text, s, start):
        last = m
    if last is not None:
        kind = last.lastgroup
        return Bound.CAP if kind in ("cap", "cap2") else Bound.FLOOR if kind == "floor" else Bound.APPROX
    after = _BOUND_AFTER.match(text[end : end + 8])
    if after:
        w = after.group("w")
        return Bound.FLOOR if w == "以上" else Bound.APPROX if w == "左右" else Bound.CAP
    return None


def _is_budget(text: str, start: int, lo: int) -> bool:
    s = start
    while s > lo and text[s - 1] not in _SENTENCE_STOPS:
        s -= 1
    return any(w in text[s:start] for w in _BUDGET_WORDS)


def ratio_parts(figure: Figure) -> tuple[Decimal, ...]:
    """The parts of a ``1:3``-style RATIO figure, as written: ``(Decimal(1), Decimal(3))``."""
    if figure.kind is not FigureKind.RATIO or figure.unit != "比":
        raise ValueError(f"not a 比 ratio figure: {figure.text!r}")
    return tuple(parse_number(p) for p in re.split(r"[:∶：]", figure.text))


def _first_share(parts: list[Decimal]) -> Decimal | None:
    with localcontext() as ctx:
        ctx.prec = 28
        ctx.traps[Inexact] = True
        try:
            return parts[0] / sum(parts)
        except Inexact:
            return None


def _unit_kind(unit: str | None, mul: str | None) -> FigureKind | None:
    if unit is None:
        return FigureKind.AMOUNT if mul else None  # "100 万。": a bare 万 before punctuation is money
    if unit.endswith("美元"):
        return FigureKind.QUANTITY
    if unit.startswith("元"):
        return FigureKind.AMOUNT
    if unit in ("%", "％", "倍"):
        return FigureKind.RATIO if mul is None else None
    if unit in _DURATION_UNITS:
        return FigureKind.DURATION if mul is None else None
    return FigureKind.QUANTITY


def _single(kind: FigureKind, n: Decimal, mul: str | None, unit: str | None) -> dict:
    """The value fields of one number of ``kind``."""
    if kind is FigureKind.AMOUNT:
        rate = unit[1:] if unit and "/" in unit else None  # 元/亩 → "/亩"
        return {"value_fen": _fen(n, mul), "unit": rate}
    if kind is FigureKind.RATIO:
        if unit == "倍":
            return {"value": n, "unit": "倍"}
        return {"value": n.scaleb(-2)}
    if kind is FigureKind.DURATION:
        return {"value": n, "unit": unit}
    # QUANTITY: 4.8万人次 → 48000 人次; 200万美元 → 2000000 美元.
    value = n * MULTIPLIER[mul] if mul else n
    if mul and value == value.to_integral_value():
        value = value.quantize(Decimal(1))  # 1000万 → 10000000, not 1.0E+7
    return {"value": value, "unit": "美元" if unit.endswith("美元") else unit}


def _chinese_ok(kind: FigureKind, numeral: str) -> bool:
    """Chinese numerals are read only where the texts use them for values: 三年, 二千万元, 三倍."""
    if not is_chinese_numeral(numeral):
        return True
    if kind is FigureKind.DURATION:
        return numeral[0] not in "百千"  # 百年企业 / 千年古城 are not durations
    return kind in (FigureKind.AMOUNT, FigureKind.RATIO)


def _range_fields(kind: FigureKind, lo: dict, hi: dict) -> dict:
    if kind is FigureKind.AMOUNT:
        return {"low_fen": lo["value_fen"], "high_fen": hi["value_fen"], "unit": hi.get("unit")}
    return {"low": lo["value"], "high": hi["value"], "unit": hi.get("unit")}


def _from_match(text: str, m: re.Match[str]) -> list[Figure]:
    g = m.groupdict()
    s, e = m.span()
    if g["y1"]:
        # Two years: each its own DATE, the first one's span without the shared 年.
        y1_end = m.end("y1")
        return [
            Figure(FigureKind.DATE, text[s:y1_end], s, y1_end, date=date(int(g["y1"]), 1, 1), unit="year"),
            Figure(
                FigureKind.DATE,
                text[m.start("y2") : e],
                m.start("y2"),
                e,
                date=date(int(g["y2"]), 1, 1),
                unit="year",
            ),
        ]
    if g["y"]:
        year, month, day = int(g["y"]), g["mo"], g["d"]
        try:
            d = date(year, int(month) if month else 1, int(day) if day else 1)
        except ValueError:
            return []
        unit = "day" if day else "month" if month else "year"
        return [Figure(FigureKind.DATE, text[s:e], s, e, date=d, unit=unit)]
    if g["md"]:
        return []
    if g["parts"]:
        parts = [parse_number(p) for p in re.split(r"[:∶：]", g["parts"])]
        if any(p <= 0 for p in parts):
            return []
        return [Figure(FigureKind.RATIO, text[s:e], s, e, value=_first_share(parts), unit="比")]
    if g["n1"]:
        kind = _unit_kind(g["u2"], g["m2"])
        if g["u1"] and _unit_kind(g["u1"], g["m1"] or g["m2"]) is not kind:
            return []
        if kind is None or not (_chinese_ok(kind, g["n1"]) and _chinese_ok(kind, g["n2"])):
            return []
        if kind is FigureKind.QUANTITY and (is_chinese_numeral(g["n1"]) or is_chinese_numeral(g["n2"])):
            return []
        lo = _single(
            kind, parse_number(g["n1"]), g["m1"] or (None if g["u1"] else g["m2"]), g["u1"] or g["u2"]
        )
        hi = _single(kind, parse_number(g["n2"]), g["m2"], g["u2"])
        return [Figure(kind, text[s:e], s, e, **_range_fields(kind, lo, hi))]
    if g["rank"]:
        return [
            Figure(
                FigureKind.QUANTITY, text[s:e], s, e, Bound.CAP, value=parse_number(g["rank"]), unit=g["ru"]
            )
        ]
    if g["per"]:
        places = {"百": -2, "千": -3, "万": -4}[g["per"]]
        return [Figure(FigureKind.RATIO, text[s:e], s, e, value=parse_number(g["pn"]).scaleb(places))]
    if g["half"]:
        return [Figure(FigureKind.RATIO, text[s:e], s, e, value=Decimal("0.5"))]
    kind = _unit_kind(g["u"], g["m"])
    if kind is None or not _chinese_ok(kind, g["n"]):
        return []
    if kind is FigureKind.DURATION and re.fullmatch(_YEAR, g["n"]):
        return []  # 公告2017年第40号: a year inside a document number, neither a date nor 2017 years
    if g["u"] is None:
        e = m.end("m")  # "100 万": the span ends at 万
    fields = _single(kind, parse_number(g["n"]), g["m"], g["u"])
    bound = Bound.FLOOR if g["yu"] else Bound.EXACT
    return [Figure(kind, text[s:e], s, e, bound, **fields)]


_BARE_BEFORE = re.compile(rf"(?<![\d.,A-Za-z])(?<!第)({ARABIC}){_SP}、{_SP}$")


def _bare_list_members(text: str, f: Figure, lo: int) -> list[Figure]:
    """``500、100万元``: bare numbers listed before a figure, each with the unit of the figure."""
    if f.kind not in (FigureKind.AMOUNT, FigureKind.RATIO, FigureKind.DURATION, FigureKind.QUANTITY):
        return []
    if f.low is not None or f.low_fen is not None or f.unit == "比" or f.text == "减半":
        return []
    m_unit = re.match(rf"{ARABIC}{_SP}(?P<mul>{_MUL})?{_SP}(?P<u>.*)$", f.text)
    if not m_unit:
        return []
    mul, unit = m_unit.group("mul"), m_unit.group("u") or None
    out: list[Figure] = []
    pos = f.start
    while True:
        m = _BARE_BEFORE.search(text, max(lo, pos - 40), pos)
        if not m:
            break
        n = parse_number(m.group(1))
        out.append(Figure(f.kind, m.group(1), m.start(1), m.end(1), **_single(f.kind, n, mul, unit)))
        pos = m.start()
    return out


class _Masks:
    """The 《》 titles and 〔year〕 brackets of a span, where no number is a figure."""

    def __init__(self, text: str, start: int, end: int) -> None:
        spans = [m.span() for m in _TITLE.finditer(text, start, end)]
        self._starts = [a for a, _ in spans]
        self._ends = [b for _, b in spans]

    def __contains__(self, pos: int) -> bool:
        k = bisect_right(self._starts, pos)
        return k > 0 and pos < self._ends[k - 1]


def extract_numeric(text: str, start: int, end: int) -> list[Figure]:
    """Every number-with-unit figure in text[start:end], bounds and budget lines resolved, sorted by start."""
    masks = _Masks(text, start, end)
    found: list[_Found] = []
    for m in _PATTERN.finditer(text, start, end):
        if m.start() in masks:
            continue
        for f in _from_match(text, m):
            found.extend(_Found(x, False) for x in _bare_list_members(text, f, start))
            found.append(_Found(f, False))
    found.sort(key=lambda x: x.figure.start)
    out: list[_Found] = []
    prev_end = start
    for item in found:
        f = item.figure
        if f.start < prev_end:
            continue  # a bare list member already read as part of another figure
        if f.kind in (FigureKind.AMOUNT, FigureKind.RATIO, FigureKind.DURATION, FigureKind.QUANTITY):
            bound = f.bound if f.bound is not Bound.EXACT else _bound(text, f.start, f.end, prev_end)
            if bound is not None:
                f = replace(f, bound=bound)
            item = _Found(f, bound is not None)
        if f.kind is FigureKind.AMOUNT and _is_budget(text, f.start, start):
            f = replace(f, kind=FigureKind.BUDGET)
            item = _Found(f, item.own_bound)
        # A list member takes the bound written before the list's first member: 最高不超过…50%、80%、100%.
        if out and not item.own_bound:
            last = out[-1]
            between = text[last.figure.end : f.start]
            if (
                last.figure.kind is f.kind
                and re.fullmatch(rf"{_SP}、{_SP}", between)
                and last.figure.bound is not Bound.EXACT
            ):
                f = replace(f, bound=last.figure.bound)
                item = _Found(f, False)
        out.append(item)
        prev_end = f.end
    return [x.figure for x in out]
