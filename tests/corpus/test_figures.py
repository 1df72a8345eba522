"""Figures read from the policy texts: each test quotes the sentence, its clause and the expected figure.

Amounts are in fen (分): 1万元 = 1,000,000 fen, 1亿元 = 10,000,000,000 fen.
"""

from __future__ import annotations

import re
import time
from dataclasses import fields
from datetime import date
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huiqi.corpus.figures import extract_figures, ratio_parts
from huiqi.corpus.figures.numbers import parse_chinese
from huiqi.corpus.model import Bound, Figure, FigureKind
from huiqi.paths import policies_dir

WAN = 10_000 * 100  # fen in 1万元
YI = 100_000_000 * 100  # fen in 1亿元
DOCS = ("000", "001", "002", "003", "004")


@cache
def policy(doc: str) -> str:
    (path,) = (policies_dir() / doc).glob("*.txt")
    return path.read_text(encoding="utf-8")


@cache
def all_figures(doc: str) -> tuple[Figure, ...]:
    return tuple(extract_figures(policy(doc)))


def figures_in(doc: str, phrase: str, kind: FigureKind | None = None) -> list[Figure]:
    """The figures where ``phrase`` first stands in document ``doc`` (extracted from that span only)."""
    text = policy(doc)
    start = text.index(phrase)
    found = extract_figures(text, start, start + len(phrase))
    return [f for f in found if kind is None or f.kind is kind]


def summary(figures: list[Figure]) -> list[tuple]:
    """(text, kind, bound, value) — the parts a reader checks against the sentence."""
    out = []
    for f in figures:
        if f.kind in (FigureKind.AMOUNT, FigureKind.BUDGET):
            value = f.value_fen if f.value_fen is not None else (f.low_fen, f.high_fen)
        elif f.kind is FigureKind.DATE:
            value = f.date
        elif f.kind is FigureKind.DEPARTMENT:
            value = (f.name, f.role)
        else:
            value = f.value if f.value is not None else (f.low, f.high)
        out.append((f.text, f.kind, f.bound, value))
    return out


E, CAP, FLOOR, APPROX = Bound.EXACT, Bound.CAP, Bound.FLOOR, Bound.APPROX
A, BUD, R, D, DT, Q, DEP = (
    FigureKind.AMOUNT,
    FigureKind.BUDGET,
    FigureKind.RATIO,
    FigureKind.DURATION,
    FigureKind.DATE,
    FigureKind.QUANTITY,
    FigureKind.DEPARTMENT,
)


# --- 000 关于策源新质生产力…若干政策意见 -------------------------------------------------------------


def test_000_each_measure_has_its_annual_budget_floor():
    # 二、政策措施 1. "每年安排预算不少于2亿元，用于科技型企业培育。"
    assert summary(figures_in("000", "每年安排预算不少于2亿元")) == [("2亿元", BUD, FLOOR, 2 * YI)]
    # 2. 知识产权: "每年安排预算不少于6000万元"
    assert summary(figures_in("000", "每年安排预算不少于6000万元")) == [("6000万元", BUD, FLOOR, 6000 * WAN)]
    # 10. 人才: "每年安排预算不少于1.5亿元" — 1.5亿 is exactly 150,000,000 元.
    assert summary(figures_in("000", "每年安排预算不少于1.5亿元")) == [
        ("1.5亿元", BUD, FLOOR, 150_000_000 * 100)
    ]
    # 13. the one line that is approximate, not a floor: "每年安排预算约7.5亿元"
    assert summary(figures_in("000", "每年安排预算约7.5亿元")) == [("7.5亿元", BUD, APPROX, 75 * YI // 10)]
    # Every measure 1–21 states one budget line; 22 (发展空间) states none.
    budgets = [f for f in all_figures("000") if f.kind is BUD]
    assert len(budgets) == 21


def test_000_fifteen_percent_of_spending_is_a_floor():
    # 一、目标任务: "每年从财政支出中安排不低于15%比例用于产业扶持资金"
    assert summary(figures_in("000", "安排不低于15%比例", R)) == [("15%", R, FLOOR, Decimal("0.15"))]


def test_000_annex_ways_of_paying():
    # 附则 5.(2): 1亿元 registered capital or 1000万美元 and more, 5—10% of the paid-in capital.
    phrase = "新引进或新增注册资本1亿元人民币或1000万美元以上重大项目，可按实到注册资本5—10%予以支持"
    assert summary(figures_in("000", phrase)) == [
        ("1亿元", A, E, 1 * YI),
        ("1000万美元", Q, FLOOR, Decimal(10_000_000)),
        ("5—10%", R, E, (Decimal("0.05"), Decimal("0.10"))),
    ]
    # 附则 5.(4): both shares are capped by the one 最高不超过 written before the list.
    assert summary(figures_in("000", "按最高不超过实际发生费用的20%、50%予以支持")) == [
        ("20%", R, CAP, Decimal("0.20")),
        ("50%", R, CAP, Decimal("0.50")),
    ]
    # 附则 5.(1) "按实际研发投入最高30%" and (2) "给予最高100%贴息资助"
    assert summary(figures_in("000", "可按实际研发投入最高30%予以支持")) == [("30%", R, CAP, Decimal("0.30"))]
    assert summary(figures_in("000", "给予最高100%贴息资助")) == [("100%", R, CAP, Decimal("1.00"))]


def test_000_one_off_amounts_and_start_date():
    # 10. "诺奖、图灵奖、院士等人才领衔的项目，可给予“一事一议”，最高1亿元扶持"
    assert summary(figures_in("000", "最高1亿元扶持")) == [("1亿元", A, CAP, 1 * YI)]
    # 7. "对拟上市企业进行分阶段、按进度给予400万元奖励"
    assert summary(figures_in("000", "按进度给予400万元奖励")) == [("400万元", A, E, 400 * WAN)]
    # 附则 6. "本意见自发布后30日施行" — a duration, not a date; "[2019]25号" is a 文号, not a figure.
    assert summary(figures_in("000", "本意见自发布后30日施行。原区党委[2019]25号文件废止")) == [
        ("30日", D, E, Decimal(30))
    ]


# --- 001 关于推动经济高质量发展的若干政策 ------------------------------------------------------------


def test_001_new_ecommerce_capped_in_years_and_total():
    # 44. "每年按其实际投资额的20%给予资助，最长不超过3年，累计不超过500万元"
    assert summary(
        figures_in("001", "每年按其实际投资额的20%给予资助，最长不超过3年，累计不超过500万元")
    ) == [
        ("20%", R, E, Decimal("0.20")),
        ("3年", D, CAP, Decimal(3)),
        ("500万元", A, CAP, 500 * WAN),
    ]


def test_001_technology_transfer_share_and_cap():
    # 19. "按其年度输出技术合同交易额的5%，给予最高200万元奖励"
    assert summary(figures_in("001", "按其年度输出技术合同交易额的5%，给予最高200万元奖励")) == [
        ("5%", R, E, Decimal("0.05")),
        ("200万元", A, CAP, 200 * WAN),
    ]
    # 17. three years of a 50% rent subsidy, in Chinese numerals: "给予三年50%的房租补贴"
    assert summary(figures_in("001", "给予三年50%的房租补贴")) == [
        ("三年", D, E, Decimal(3)),
        ("50%", R, E, Decimal("0.50")),
    ]


def test_001_foreign_investment_rent_subsidy_tiers():
    # 39. paid-in capital tiers in US dollars (not RMB fen), each tier's share capped.
    phrase = (
        "实到注册资本达到200万美元、500万美元、1000万美元的外资项目，"
        "自设立（或增资）年度起三年内分别按最高不超过企业租赁经营场所的50%、80%、100%给予房租补贴"
    )
    assert summary(figures_in("001", phrase)) == [
        ("200万美元", Q, E, Decimal(2_000_000)),
        ("500万美元", Q, E, Decimal(5_000_000)),
        ("1000万美元", Q, E, Decimal(10_000_000)),
        ("三年", D, E, Decimal(3)),
        ("50%", R, CAP, Decimal("0.50")),
        ("80%", R, CAP, Decimal("0.80")),
        ("100%", R, CAP, Decimal("1.00")),
    ]


def test_001_export_service_reward():
    # 41. "对1-2季度出口超2亿元的外综服企业，其较去年同期新增出口部分按照每增加1亿元给予不高于50万元的奖励，
    # 单家企业不超过750万元" — 超 is a threshold (FLOOR); "1-2季度" is a period, not a figure.
    phrase = (
        "对1-2季度出口超2亿元的外综服企业，其较去年同期新增出口部分按照每增加1亿元"
        "给予不高于50万元的奖励，单家企业不超过750万元"
    )
    assert summary(figures_in("001", phrase)) == [
        ("2亿元", A, FLOOR, 2 * YI),
        ("1亿元", A, E, 1 * YI),
        ("50万元", A, CAP, 50 * WAN),
        ("750万元", A, CAP, 750 * WAN),
    ]


def test_001_budget_lines_rates_and_bare_wan():
    # 9. "区财政2023年预算安排12亿元" — the year is a DATE, the money a BUDGET line.
    assert summary(figures_in("001", "区财政2023年预算安排12亿元")) == [
        ("2023年", DT, E, date(2023, 1, 1)),
        ("12亿元", BUD, E, 12 * YI),
    ]
    # 三 preamble: a rate per 亩 keeps its denominator in ``unit``.
    (rate,) = figures_in("001", "规上工业亩均增加值达1900万元/亩", A)
    assert (rate.text, rate.value_fen, rate.unit) == ("1900万元/亩", 1900 * WAN, "/亩")
    # 35. "对科技型中小企业300万以下的贷款" — 万 with no 元 is still money; 以下 makes it a cap.
    assert summary(figures_in("001", "对科技型中小企业300万以下的贷款")) == [("300万", A, CAP, 300 * WAN)]


def test_001_finance_service_counts_more_than_n():
    # 35. "组织50余家金融机构、60余个服务网点、20余名金融顾问及助理深入500家以上企业" — 余 means "more than".
    assert summary(
        figures_in("001", "组织50余家金融机构、60余个服务网点、20余名金融顾问及助理深入500家以上企业")
    ) == [
        ("50余家", Q, FLOOR, Decimal(50)),
        ("60余个", Q, FLOOR, Decimal(60)),
        ("20余名", Q, FLOOR, Decimal(20)),
        ("500家", Q, FLOOR, Decimal(500)),
    ]


# --- 002 推动创新链产业链“两链”深度融合的若干政策 ------------------------------------------------------


def test_002_two_special_budget_floor_of_3_yi():
    # 二、设立专项资金: "每年安排专项资金不少于3亿元"
    assert summary(figures_in("002", "每年安排专项资金不少于3亿元")) == [("3亿元", BUD, FLOOR, 3 * YI)]


def test_002_three_recognition_awards_and_departments():
    # 三、给予认定奖励
    assert summary(figures_in("002", "分别给予50万元、30万元一次性奖励")) == [
        ("50万元", A, E, 50 * WAN),
        ("30万元", A, E, 30 * WAN),
    ]
    assert summary(figures_in("002", "给予最高不超过30万元一次性开办经费奖励")) == [
        ("30万元", A, CAP, 30 * WAN)
    ]
    assert summary(figures_in("002", "分别给予100万元、50万元、20万元奖励")) == [
        ("100万元", A, E, 100 * WAN),
        ("50万元", A, E, 50 * WAN),
        ("20万元", A, E, 20 * WAN),
    ]
    # "财政局" keeps its written text; its name takes the district level of the list.
    assert summary(figures_in("002", "（牵头单位：区科技局；责任单位：区发改局、财政局）")) == [
        ("区科技局", DEP, E, ("区科技局", "牵头")),
        ("区发改局", DEP, E, ("区发改局", "责任")),
        ("财政局", DEP, E, ("区财政局", "责任")),
    ]


def test_002_four_unveiling_the_list_caps_share_and_project():
    # 四、实施揭榜挂帅: a RATIO cap and an AMOUNT cap in one phrase.
    assert summary(figures_in("002", "给予最高不超过研发总投入30%、单个项目不超过500万元的后补助")) == [
        ("30%", R, CAP, Decimal("0.30")),
        ("500万元", A, CAP, 500 * WAN),
    ]


def test_002_nine_half_award_and_eleven_top_three_ranks():
    # 九: "第二至第五责任单位减半奖励"
    assert summary(figures_in("002", "第二至第五责任单位减半奖励")) == [("减半", R, E, Decimal("0.5"))]
    # 十一: "企业主要参与国家标准（前三位）、行业标准（前二位）" — a rank is at most N.
    assert summary(figures_in("002", "国家标准（前三位）、行业标准（前二位）")) == [
        ("前三位", Q, CAP, Decimal(3)),
        ("前二位", Q, CAP, Decimal(2)),
    ]


def test_002_sixteen_effective_date_and_validity():
    # 十六、其他条款: "本政策自2022年9月6日起施行，有效期三年。"
    assert summary(figures_in("002", "本政策自2022年9月6日起施行，有效期三年")) == [
        ("2022年9月6日", DT, E, date(2022, 9, 6)),
        ("三年", D, E, Decimal(3)),
    ]


# --- 003 杭州市 compendium ------------------------------------------------------------------------


def test_003_rd_expense_subsidy_top_200_20_percent_200_wan():
    # 杭科资〔2020〕72号 研发费用补助, 第…条（一）规上/限上 enterprises.
    phrase = (
        "新增200万元以上，且在全市同类企业研发经费增加额排序中居前200位"
        "的工业、服务业企业，按不超过新增研发经费额的20%给予补助，单个企业最高补助200万元"
    )
    assert summary(figures_in("003", phrase)) == [
        ("200万元", A, FLOOR, 200 * WAN),
        ("前200位", Q, CAP, Decimal(200)),
        ("20%", R, CAP, Decimal("0.20")),
        ("200万元", A, CAP, 200 * WAN),
    ]
    # （二）规下/限下 enterprises, written with spaces: "居前 400 位 … 20% … 最高补助 50 万元"
    phrase = (
        "排序中居前 400 位的工业和服务业企业，按不超过新增研发经费额的 20% 给予补助，单个企业最高补助 50 万元"
    )
    assert summary(figures_in("003", phrase)) == [
        ("前 400 位", Q, CAP, Decimal(400)),
        ("20%", R, CAP, Decimal("0.20")),
        ("50 万元", A, CAP, 50 * WAN),
    ]


def test_003_city_district_cost_sharing_ratios():
    # 杭科合〔2020〕65号: "市与…的承担比例为 1:1；市与萧山区…的承担比例为 1:3"
    one_one, one_three = figures_in(
        "003", "承担比例为 1:1；市与萧山区、余杭区、临安区、桐庐县、建德市、淳安县的承担比例为 1:3"
    )
    assert (one_one.text, one_one.unit, one_one.value) == ("1:1", "比", Decimal("0.5"))
    assert (one_three.text, one_three.value, ratio_parts(one_three)) == ("1:3", Decimal("0.25"), (1, 3))
    # 1:1.2 (an area ratio) has no finite decimal share; its parts are still exact.
    (area,) = figures_in("003", "按 1:1.2 比率执行占补平衡", R)
    assert area.value is None and ratio_parts(area) == (Decimal(1), Decimal("1.2"))


def test_003_ranges_chinese_numerals_and_spaced_dates():
    # 大学生创业: "直接申请享受 5 万—100 万元无偿资助" — the 元 of the second number applies to the first.
    assert summary(figures_in("003", "直接申请享受 5 万—100 万元无偿资助")) == [
        ("5 万—100 万元", A, E, (5 * WAN, 100 * WAN))
    ]
    # 外国专家: "60（含）-80万元"
    (salary,) = figures_in("003", "年薪高低分为60（含）-80万元", A)
    assert (salary.low_fen, salary.high_fen) == (60 * WAN, 80 * WAN)
    # 科技型中小企业周转资金 第六条: "单笔申请额度最高不超过二千万元"
    assert summary(figures_in("003", "单笔申请额度最高不超过二千万元")) == [("二千万元", A, CAP, 2000 * WAN)]
    # "有效期至 2025 年 12 月 31 日" with the spaces the 003 conversion left.
    assert summary(figures_in("003", "有效期至 2025 年 12 月 31 日")) == [
        ("2025 年 12 月 31 日", DT, E, date(2025, 12, 31))
    ]
    # "2018 年 7 月" (year and month only) is the first day of the month, unit "month".
    (month,) = figures_in("003", "2018 年 7 月至 2019 年 12 月", DT)[:1]
    assert (month.date, month.unit) == (date(2018, 7, 1), "month")


def test_003_caps_floors_and_periods():
    # 工业用地: "不得超过地上总建筑面积的15%" is a cap, never a floor (超过 inside 不得超过).
    assert summary(figures_in("003", "建筑面积不得超过地上总建筑面积的15%")) == [
        ("15%", R, CAP, Decimal("0.15"))
    ]
    # 活动券: "申领活动券的创业者需年满 18 周岁"
    assert summary(figures_in("003", "创业者需年满 18 周岁")) == [("18 周岁", Q, FLOOR, Decimal(18))]
    # 周转资金: "应在收到申请后的3个工作日内答复"
    assert summary(figures_in("003", "应在收到申请后的3个工作日内答复")) == [("3个工作日", D, E, Decimal(3))]


def test_003_duty_notes_in_three_forms():
    # 商事制度改革: 〔责任单位：…，各区、县（市）政府（管委会）〕 — one body although it contains 、.
    found = figures_in(
        "003",
        "〔责任单位：市市场监管局、市规划和自然资源局、市住保房管局、市委政法委，各区、县（市）政府（管委会）〕",
    )
    assert [f.text for f in found] == [
        "市市场监管局",
        "市规划和自然资源局",
        "市住保房管局",
        "市委政法委",
        "各区、县（市）政府（管委会）",
    ]
    assert {f.role for f in found} == {"责任"}
    # 凤凰行动: no label, "…按职责分工负责" — every body is responsible.
    found = figures_in("003", "（市地方金融监管局、市财政局、市经信局、市市场监管局按职责分工负责）")
    assert [(f.text, f.role) for f in found] == [
        ("市地方金融监管局", "责任"),
        ("市财政局", "责任"),
        ("市经信局", "责任"),
        ("市市场监管局", "责任"),
    ]
    # 生物医药: 牵头单位 … ，配合单位 …
    found = figures_in("003", "（牵头单位：市生态环境局，配合单位：市发改委）")
    assert [(f.name, f.role) for f in found] == [("市生态环境局", "牵头"), ("市发改委", "配合")]


def test_003_first_listed_is_lead_only_inside_its_own_document():
    # 高耗低效 document: "[责任单\n\n位：市经信局、…。列第一位的为牵头单位，下同。…]"
    # (the conversion broke the label across lines).
    text = policy("003")
    start = text.index("动态更新杭州市高耗低效整治企业清单。[责任单")
    found = extract_figures(text, start, text.index("]", start) + 1)
    assert [(f.text, f.role) for f in found] == [
        ("市经信局", "牵头"),
        ("市发改委", "责任"),
        ("市规划和自然资源局", "责任"),
        ("各区、县（市）政府", "责任"),
    ]
    # A later document of the compendium does not inherit that note.
    later_start = text.index("〔责任单位：市市场监管局、市规划和自然资源局、市住保房管局")
    assert later_start > start
    later = extract_figures(text, later_start, text.index("〕", later_start) + 1)
    assert [f.role for f in later] == ["责任"] * 5


# --- 004 关于建设创新滨江 加快形成新质生产力的实施意见 -------------------------------------------------


def test_004_first_responsible_unit_is_the_lead():
    # （一）: "（责任单位：区科技局、…、零磁科学谷 排第一责任单位为牵头单位，下同）"
    found = figures_in(
        "004",
        "（责任单位：区科技局、区发改局、区经信局、区财政局、零磁科学谷 排第一责任单位为牵头单位，下同）",
    )
    assert [(f.text, f.role) for f in found] == [
        ("区科技局", "牵头"),
        ("区发改局", "责任"),
        ("区经信局", "责任"),
        ("区财政局", "责任"),
        ("零磁科学谷", "责任"),
    ]
    # （二）: "下同" carries over; "区委组织部（人才办）" is one body with its own parentheses.
    found = figures_in("004", "（责任单位：区委组织部（人才办）、区人力社保局、区科技局、区经信局）")
    assert [(f.text, f.role) for f in found][:2] == [
        ("区委组织部（人才办）", "牵头"),
        ("区人力社保局", "责任"),
    ]


def test_004_targets():
    # 一、总体要求: targets to 2027.
    assert summary(figures_in("004", "到2027年，科技创新强")) == [("2027年", DT, E, date(2027, 1, 1))]
    assert summary(figures_in("004", "全区数字经济核心产业增加值占GDP比重超过70%")) == [
        ("70%", R, FLOOR, Decimal("0.70"))
    ]
    assert summary(figures_in("004", "每万名人才中研发人员数1300人年以上")) == [
        ("1300人年", Q, FLOOR, Decimal(1300))
    ]
    assert summary(figures_in("004", "力争遴选支持200名左右")) == [("200名", Q, APPROX, Decimal(200))]
    (rate,) = figures_in("004", "全员劳动生产率达60万元/人")
    assert (rate.value_fen, rate.unit) == (60 * WAN, "/人")


# --- what is never a figure -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "杭科资〔2020〕72号",  # a 文号
        "《杭州市大学生创业三年行动计划（2017—2019）的通知》",  # a title
        "《浙江省深入实施促进经济高质量发展“凤凰行动”计划（2021—2025 年）的通知》",
        "第十七条 本办法",  # an article number
        "新获得省级科技进步奖一、二、三等奖的",  # prize grades
        "落实省委十四届八次全会",
        "一园三谷五镇",
        "（1）研发资助：",
    ],
)
def test_numbers_that_are_not_figures(phrase):
    assert extract_figures(phrase) == []


# --- properties over every figure of the five texts ------------------------------------------------


def _independent_value(f: Figure) -> Decimal | None:
    """The value of a single Arabic amount, read by a deliberately naive second parser."""
    m = re.fullmatch(r"([\d,.]+)\s*(万亿|万|亿)?\s*元?(?:/.)?", f.text)
    if not m:
        return None
    mul = {"万亿": 10**12, "万": 10**4, "亿": 10**8, None: 1}[m.group(2)]
    return Decimal(m.group(1).replace(",", "")) * mul * 100


@pytest.mark.parametrize("doc", DOCS)
def test_every_figure_quotes_its_span_and_says_what_its_text_says(doc):
    text = policy(doc)
    figures = all_figures(doc)
    assert figures, f"no figures in {doc}"
    assert [f.start for f in figures] == sorted(f.start for f in figures)
    for f in figures:
        assert text[f.start : f.end] == f.text, f
        assert f.text.strip() == f.text and f.text, f
        if f.kind in (A, BUD) and f.value_fen is not None:
            expected = _independent_value(f)
            if expected is not None:
                assert Decimal(f.value_fen) == expected, f
        # A figure whose text carries its own unit reads the same out of context (bound and budget aside).
        if f.kind in (A, R, D, Q) and not re.fullmatch(r"[\d.,]+", f.text):
            (alone,) = extract_figures(f.text)
            assert alone.kind is f.kind, f
            keys = ("value_fen", "low_fen", "high_fen", "value", "low", "high", "unit")
            assert [getattr(alone, k) for k in keys] == [getattr(f, k) for k in keys], f
        if f.kind is DT:
            assert str(f.date.year) in f.text.replace(" ", ""), f


@pytest.mark.parametrize("doc", DOCS)
def test_no_float_anywhere(doc):
    for f in all_figures(doc):
        for field in fields(Figure):
            assert not isinstance(getattr(f, field.name), float), (field.name, f)
        if f.kind in (A, BUD):
            assert isinstance(f.value_fen if f.value_fen is not None else f.low_fen, int), f
        if f.kind in (R, D, Q) and f.value is not None:
            assert isinstance(f.value, Decimal), f


def test_clause_window_offsets_are_absolute():
    text = policy("002")
    start = text.index("四、实施揭榜挂帅")
    end = text.index("五、开放创新平台")
    inside = extract_figures(text, start, end)
    assert inside and all(start <= f.start and f.end <= end for f in inside)
    assert [f for f in all_figures("002") if start <= f.start and f.end <= end] == inside


def test_all_five_texts_in_well_under_a_second():
    texts = [policy(d) for d in DOCS]
    runs = []
    for _ in range(3):  # best of three: the machine is shared
        t0 = time.perf_counter()
        total = sum(len(extract_figures(t)) for t in texts)
        runs.append(time.perf_counter() - t0)
    assert total > 1500
    assert min(runs) < 1.0, f"{min(runs):.3f}s for {total} figures"


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="outside a text"):
        extract_figures("给予50万元", 5, 2)
    with pytest.raises(TypeError, match="str"):
        extract_figures("给予50万元".encode())


# --- generated phrases ----------------------------------------------------------------------------

amounts = st.integers(min_value=1, max_value=99_999)


@given(n=amounts)
def test_generated_cap_in_wan(n):
    (f,) = extract_figures(f"给予最高不超过{n}万元的奖励")
    assert (f.kind, f.bound, f.value_fen, f.text) == (A, CAP, n * 10_000 * 100, f"{n}万元")


@given(n=amounts, tenths=st.integers(min_value=0, max_value=9))
def test_generated_budget_floor_in_yi(n, tenths):
    written = f"{n}.{tenths}" if tenths else str(n)
    (f,) = extract_figures(f"每年安排预算不少于{written}亿元，用于")
    assert (f.kind, f.bound, f.value_fen) == (BUD, FLOOR, (n * 10 + tenths) * 10_000_000 * 100)


@given(pct=st.integers(min_value=1, max_value=100), wide=st.booleans())
def test_generated_percent(pct, wide):
    sign = "％" if wide else "%"
    (f,) = extract_figures(f"按实际支出的{pct}{sign}给予补助")
    assert (f.kind, f.bound, f.value) == (R, E, Decimal(pct) / 100)


@given(n=st.integers(min_value=1, max_value=999), per=st.sampled_from(["百", "千", "万"]))
def test_generated_share_in_words(n, per):
    # "千分之五" = 5/1000; written with Arabic or Chinese digits.
    denominator = {"百": 100, "千": 1000, "万": 10_000}[per]
    for written in (str(n), _to_chinese(n)):
        (f,) = extract_figures(f"按交易额的{per}分之{written}收取")
        assert (f.kind, f.value, f.text) == (R, Decimal(n) / denominator, f"{per}分之{written}")


@given(lo=amounts, span=amounts)
def test_generated_range(lo, span):
    (f,) = extract_figures(f"给予{lo}—{lo + span}万元资助")
    assert (f.low_fen, f.high_fen, f.value_fen) == (lo * WAN, (lo + span) * WAN, None)


@given(a=amounts, b=amounts)
def test_generated_shared_unit_list(a, b):
    # "500、100万元": the bare first number takes the unit written at the end of the list.
    first, second = extract_figures(f"分别给予{a}、{b}万元奖励")
    assert (first.text, first.value_fen) == (str(a), a * WAN)
    assert (second.text, second.value_fen) == (f"{b}万元", b * WAN)


def _to_chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            out += ("零" if zero and out else "") + digits[d] + unit
            zero = False
        elif out:
            zero = True
    return out


@given(n=st.integers(min_value=1, max_value=9999))
def test_chinese_numerals(n):
    assert parse_chinese(_to_chinese(n)) == n
