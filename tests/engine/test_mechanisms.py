"""Mechanisms 002 does not use, exercised over real sentences of 001 in a FIXTURE rule file.

The fixture is not an encoding of 001 (another engineer owns that): it borrows two sentences to
check per-unit amounts (每增加1亿元给予50万元), a yearly cap, a number-of-years cap (最长不超过3年)
and a cumulative cap (累计不超过500万元) against the payment history.
"""

from __future__ import annotations

import textwrap

import pytest

from huiqi.engine.evaluate import Status, calculate
from huiqi.engine.profile import parse_profile
from huiqi.rules.loader import load_rules

FIXTURE = textwrap.dedent(
    """
    document: "001"
    validity: {start: 2023-01-01, end: 2030-12-31, clause: 001/五/44, quote: 最长不超过3年}
    parameters:
      step: {value: 1, unit: 亿元, text: 1亿元, clause: 001/五/41}
      each: {value: 50, unit: 万元, text: 50万元, clause: 001/五/41}
      per_firm: {value: 750, unit: 万元, text: 750万元, clause: 001/五/41}
      rate: {value: 20, unit: "%", text: 20%, clause: 001/五/44}
      years: {value: 3, unit: 年, text: 3年, clause: 001/五/44}
      total: {value: 500, unit: 万元, text: 500万元, clause: 001/五/44}
    items:
      - id: 001/测试/外综服
        clause: 001/五/41
        quote: 其较去年同期新增出口部分按照每增加1亿元给予不高于50万元的奖励，单家企业不超过750万元。
        when: export_fen > 0
        amount: {per_unit: {base: export_fen, step: step, each: each}}
        caps: [{kind: per_year, amount: per_firm}]
      - id: 001/测试/新电商
        clause: 001/五/44
        quote: 每年按其实际投资额的20%给予资助，最长不超过3年，累计不超过500万元。
        when: investment_fen > 0
        amount: {ratio: {base: investment_fen, rate: rate}}
        caps: [{kind: max_years, amount: years}, {kind: cumulative, amount: total}]
    """
)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    p = tmp_path_factory.mktemp("r") / "rules.yaml"
    p.write_text(FIXTURE, "utf-8")
    return load_rules([p])


def run(book, year, payments=(), **facts):
    prof = parse_profile({"kind": "enterprise", "years": {str(year): facts}, "payments": list(payments)})
    return {r.item.id: r for r in calculate(book, prof, year, near_misses=False).items}


def test_per_unit_counts_whole_steps_only(book):
    # 2.99亿元 of new exports: 2 whole steps of 1亿元 → 2 × 50万元 = 100万元
    r = run(book, 2023, export_fen=29_900_000_000)["001/测试/外综服"]
    assert (r.status, r.amount_fen) == (Status.ELIGIBLE, 100_000_000)
    # 0.99亿元: no whole step → nothing promised
    assert run(book, 2023, export_fen=9_900_000_000)["001/测试/外综服"].status is Status.NOT_ELIGIBLE


def test_per_unit_capped_per_year(book):
    # 20亿元 → 20 × 50万元 = 1000万元, capped at 750万元
    assert run(book, 2023, export_fen=200_000_000_000)["001/测试/外综服"].amount_fen == 750 * 1_000_000


def test_at_most_three_years(book):
    paid = [{"item": "001/测试/新电商", "year": y, "amount_fen": 1_000_000} for y in (2023, 2024, 2025)]
    r = run(book, 2026, paid, investment_fen=100_000_000)["001/测试/新电商"]
    assert (r.status, r.amount_fen) == (Status.ELIGIBLE, 0)  # a fourth year pays nothing
    r = run(book, 2025, paid[:2], investment_fen=100_000_000)["001/测试/新电商"]
    assert r.amount_fen == 20_000_000  # third year: 100万元 × 20%


def test_cumulative_cap(book):
    # 480万元 already paid over two years; 20% of 1000万元 = 200万元, but only 20万元 remain of 500万元
    paid = [
        {"item": "001/测试/新电商", "year": 2023, "amount_fen": 300_000_000},
        {"item": "001/测试/新电商", "year": 2024, "amount_fen": 180_000_000},
    ]
    r = run(book, 2025, paid, investment_fen=1_000_000_000)["001/测试/新电商"]
    assert r.amount_fen == 20_000_000
