"""研发费用投入财政补助 (R&D expense subsidy) of 杭科资〔2020〕72号: its parameters and their clauses.

Document: 《杭州市科技型企业研发费用投入财政补助资金管理办法》, ``policies/003/003_4e297dd621b20189.txt``
(articles 第一条–第十六条, around lines 2787–2890). Every number below is quoted from that text in
:data:`CLAUSES`; a test checks that each quote is found verbatim (line breaks and spaces ignored).

This module holds only *what the document says*. The three implementations that compute it read
these values and nothing else:

- :mod:`huiqi.population.rd_subsidy_stages` — the population stages in DuckDB SQL (classify → base
  → threshold → rank → ratio/cap → prorate → split), each traced;
- :mod:`huiqi.population.rd_subsidy_direct` — a direct, plain-Python reading, article by article;
- :mod:`huiqi.population.rd_subsidy_numpy` — a hand-written numpy version (benchmark baseline).

Readings of the text that are ours (the document leaves them open), used by all three:

1. *Years.* ``year`` is the redemption year (兑现年度, whose 财政科技专项预算 pays, 第三条). Its
   facts are those of the year before (``rd_year = year - 1``, 汇算清缴 of 上年度), and the growth is
   measured against ``rd_year - 1``. An enterprise with no row for ``rd_year - 1`` counts 0 there.
2. *Qualifications* (第六条（一）) are the ``enterprise_title`` events 国家高新技术企业 and 科技型中小企业
   valid on 31 December of ``rd_year`` (``date <= that day <= valid_until``).
   A 国家高新技术企业 of any field within the size limits of 第七条（1） is a 市科技型中小微企业;
   beyond them only the 先进制造与自动化 field qualifies (第七条（3）). ``is_above_scale`` stands for
   规上 and 限上 alike (one class in 第七条（2）).
3. *以上 includes the number itself* (新增200万元以上 means ≥ 200万元), the convention of Chinese
   legal texts (《民法典》第一千二百五十九条).
4. *Tie-break.* The text ranks by growth only; equal growth is broken by the smaller ``entity_id``
   (a stand-in for the earlier application), and every entity tied with the last ranked one is
   flagged ``tied_at_cutoff`` so that an official sees the choice.
5. *Actual ratio* (第九条): the largest ratio, in whole parts per million (ppm) and at most 20 %,
   at which the sum of the per-entity amounts (ratio × growth, rounded to the fen by the project's
   rule, then capped) fits in the year's budget. Caps keep binding, so a short budget lowers the
   uncapped awards first (the ratio applies to growth, the cap to the award).
6. *Split* (第十条): the city share is ``amount × city/(city+district)`` rounded to the fen, the
   district pays the rest, so the two always add up to the award.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huiqi.money import to_fen

POLICY_FILE = "003/003_4e297dd621b20189.txt"
DOCUMENT = "杭科资〔2020〕72号《杭州市科技型企业研发费用投入财政补助资金管理办法》"


@dataclass(frozen=True, slots=True)
class Clause:
    """A sentence of the document, quoted verbatim, that a stage or a parameter implements."""

    article: str  # 第七条（1） …
    quote: str


CLAUSES: dict[str, Clause] = {
    "validity": Clause("第十六条", "本办法自2020年8月9日起生效，有效期至2022年12月31日"),
    "tech_enterprise": Clause(
        "第六条（一）",
        "包括经认定并公告有效的国家重点扶持高新技术企业、科技型中小微型科技企业",
    ),
    "size_limit": Clause(
        "第七条（1）",
        "企业资产总额不超过2亿元、年销售收入不超过2亿元、职工总数不超过500人",
    ),
    "classes": Clause(
        "第七条（2）",
        "规模以上工业企业、限上服务业企业（简称规上/限上企业）为排序列前200家，"
        "规模以下工业企业、限下服务业企业（简称规下/限下企业）为排序列前400家",
    ),
    "amt_exception": Clause(
        "第七条（3）",
        "国家重点扶持“先进制造与自动化”领域的高新技术企业不受企业经营规模限制",
    ),
    "amt_in_sme": Clause(
        "第八条（三）",
        "企业经营规模符合市科技型中小微企业限定条件的，纳入市科技型中小微企业序列补助",
    ),
    "amt_large": Clause(
        "第八条（三）",
        "企业经营规模超过中小微企业规模上限的，经核定的当年企业研发经费额较上年度新增 200 万元以上，"
        "可按不超过新增研发经费额的 20% 给予补助，单个企业最高补助 200 万元",
    ),
    "sme_above": Clause(
        "第八条（一）",
        "对经核定当年企业研发经费额较上年度新增200万元以上，且在全市同类企业研发经费增加额排序中居前200位"
        "的工业、服务业企业，按不超过新增研发经费额的20%给予补助，单个企业最高补助200万元",
    ),
    "sme_below": Clause(
        "第八条（二）",
        "对经核定当年企业研发经费额较上年度新增 50 万元以上，且在全市同类企业研发经费增加额排序中居前 400 位"
        "的工业和服务业企业，按不超过新增研发经费额的 20% 给予补助，单个企业最高补助 50 万元",
    ),
    "own_funds": Clause(
        "第五条",
        "获得财政补助的企业研发费用投入为企业自有资金投入部分，不包含来自各级政府部门资助的财政性资金",
    ),
    "growth": Clause(
        "第七条（2）", "市科技型中小微企业补助对象为当年研发费用投入额较上年增长排序列前的600家"
    ),
    "budget": Clause(
        "第九条",
        "企业研发费用财政补助的实际比例，由市科技局按符合条件的企业研发经费增加额、"
        "当年度市科技发展专项资金预算等测算确定",
    ),
    "yearly_budget": Clause("第三条", "按当年度财政科技专项预算，兑现企业研发费用投入财政补助"),
    "split": Clause(
        "第十条",
        "市与上城区、下城区、江干区、拱墅区、西湖区、滨江区、富阳区和钱塘新区的承担比例为 1:1 承担，"
        "市与萧山区、余杭区、临安区、桐庐县、建德市、淳安县的承担比例为 1:3",
    ),
    "split_adjust": Clause("第十条", "如市区财政管理体制调整，由本文件明确的承担比例作相应调整和完善"),
}

# 第十六条: in force from 2020-08-09 to 2022-12-31.
VALID_FROM = date(2020, 8, 9)
VALID_UNTIL = date(2022, 12, 31)

# 第七条（1）: the size limits of a 市科技型中小微企业 (all three must hold; 不超过 = at most).
MAX_TOTAL_ASSETS_FEN = to_fen(2, "亿元")
MAX_REVENUE_FEN = to_fen(2, "亿元")
MAX_EMPLOYEES = 500

# 第八条: one row per class — growth threshold, top-N (None: not ranked), ratio, cap.
RATIO_PPM = 200_000  # 20 % = 200,000 parts per million
PPM = 1_000_000


@dataclass(frozen=True, slots=True)
class ClassRule:
    """The conditions and standard (补助条件和标准) of one class of 第八条."""

    code: str
    label: str
    clause: str  # key into CLAUSES
    min_growth_fen: int
    top_n: int | None
    cap_fen: int


CLASS_RULES: dict[str, ClassRule] = {
    "sme_above": ClassRule(
        "sme_above", "规上/限上市科技型中小微企业", "sme_above", to_fen(200, "万元"), 200, to_fen(200, "万元")
    ),
    "sme_below": ClassRule(
        "sme_below", "规下/限下市科技型中小微企业", "sme_below", to_fen(50, "万元"), 400, to_fen(50, "万元")
    ),
    "amt_large": ClassRule(
        "amt_large",
        "“先进制造与自动化”领域高新技术企业（超规模）",
        "amt_large",
        to_fen(200, "万元"),
        None,
        to_fen(200, "万元"),
    ),
}
CLASS_ORDER = ("sme_above", "sme_below", "amt_large")


@dataclass(frozen=True, slots=True)
class Parameters:
    """The figures of 第八条 a run uses: the document's by default, changed ones in a reform."""

    classes: dict[str, ClassRule]
    ratio_ppm: int  # the 20 % of 第八条, the ceiling of 第九条's actual ratio


def parameters() -> Parameters:
    """The document's own figures (read at call time, so a test may scale them down)."""
    return Parameters(dict(CLASS_RULES), RATIO_PPM)


HIGH_TECH_TITLE = "国家高新技术企业"
TECH_SME_TITLE = "科技型中小企业"
AMT_FIELD = "先进制造与自动化"  # 国家重点支持的高新技术领域: advanced manufacturing and automation

# 第十条: (city parts, district parts). The text names the districts of 2020; the 2021 reorganisation
# of Hangzhou's districts (国务院 2021: 下城区 into 拱墅区, 江干区 into 上城区, 余杭区 split into 余杭区
# and 临平区, 钱塘新区 became 钱塘区) leaves the text's own rule "作相应调整和完善" open. We map a new
# district to the share of the old one it came from; both merged-in old districts were 1:1 already.
SPLIT_TEXT: dict[str, tuple[int, int]] = {
    **{d: (1, 1) for d in ("上城区", "下城区", "江干区", "拱墅区", "西湖区", "滨江区", "富阳区", "钱塘新区")},
    **{d: (1, 3) for d in ("萧山区", "余杭区", "临安区", "桐庐县", "建德市", "淳安县")},
}
SPLIT_DERIVED: dict[str, tuple[int, int]] = {
    "钱塘区": SPLIT_TEXT["钱塘新区"],  # renamed 2021
    "临平区": SPLIT_TEXT["余杭区"],  # carved out of 余杭区 in 2021
}
SPLIT: dict[str, tuple[int, int]] = {**SPLIT_TEXT, **SPLIT_DERIVED}


def rd_year_of(year: int) -> int:
    """The R&D year assessed in redemption year ``year`` (汇算清缴 of 上年度, 第三条)."""
    return year - 1


def in_force(year: int) -> bool:
    """Whether the 办法 is in force in redemption year ``year`` (第十六条)."""
    return VALID_FROM.year <= year <= VALID_UNTIL.year


def validate_inputs(year: int, budget_fen: int | None) -> None:
    """Clear errors for bad parameters (never a traceback deep in SQL)."""
    if not isinstance(year, int) or isinstance(year, bool):
        raise ValueError(f"year must be an integer, got {year!r}")
    if budget_fen is not None and (not isinstance(budget_fen, int) or budget_fen < 0):
        raise ValueError(f"budget must be a non-negative whole number of fen, got {budget_fen!r}")


# The per-entity result, column by column, shared by the three implementations (equality tests
# compare them row for row).
RESULT_COLUMNS: tuple[str, ...] = (
    "entity_id",
    "class_code",  # sme_above / sme_below / amt_large
    "own_rd_fen",  # own-funded R&D of rd_year (第五条)
    "own_rd_prev_fen",  # of rd_year - 1
    "growth_fen",  # 研发经费增加额
    "meets_threshold",
    "class_rank",  # 1-based rank among those meeting the threshold; NULL for amt_large / below
    "tied_at_cutoff",
    "selected",  # meets threshold and within top N
    "nominal_fen",  # 20 % of growth, capped (第八条)
    "amount_fen",  # after the budget ratio (第九条)
    "city_fen",
    "district_fen",
)
