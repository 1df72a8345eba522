"""Near-misses come from the AST and are verified by evaluation, with the exact gain."""

from __future__ import annotations

import pytest

from huiqi.engine.evaluate import calculate
from huiqi.engine.profile import parse_profile
from huiqi.rules.loader import load_rules


@pytest.fixture(scope="module")
def book():
    return load_rules()


def profile(events=(), payments=(), **facts):
    yearly = {
        "is_fiscal_revenue_in_district": True,
        "is_innovation_org_member": True,
        "is_chain_leader": False,
        **facts,
    }
    return parse_profile(
        {"kind": "enterprise", "years": {"2023": yearly}, "events": list(events), "payments": list(payments)}
    )


def by_change(calc):
    return {n.change: n for n in calc.near_misses}


def test_little_giant_unlocks_the_difference(book):
    """省级专精特新 paid 20万元 in 2022; a 国家级‘小巨人’ in 2023 adds 100 − 20 = 80万元 (六, 十六)."""
    p = profile(
        events=[
            {"type": "enterprise_title", "date": "2022-10-12", "title": "专精特新中小企业", "level": "省"}
        ],
        payments=[
            {"item": "002/六/专精特新", "year": 2022, "amount_fen": 20_000_000, "subject": "ladder:专精特新"}
        ],
    )
    # 002 alone: the city's 003-22 (不超过100万元, discretionary) is unlocked by the same title too
    n = by_change(calculate(book, p, 2023, documents=["002"]))["取得企业培育称号认定（称号：专精特新小巨人）"]
    assert n.gain_fen == 80_000_000
    assert n.items == ["002/六/专精特新"]
    assert n.text() == "取得企业培育称号认定（称号：专精特新小巨人） → +80万元"


def test_threshold_near_miss_is_the_threshold_itself(book):
    """Chain leader with 8000万元 of new local orders: reaching 1亿元 (以上, inclusive) opens 八's award."""
    p = profile(is_chain_leader=True, local_order_increment_fen=8_000_000_000)
    n = by_change(calculate(book, p, 2023))["年度执行本地上下游配套订单增量达到1亿元（现为8,000万元）"]
    assert n.gain_fen == 0 and n.discretionary_cap_fen == 100_000_000
    assert n.items == ["002/八/订单增量"]


def test_rank_near_miss_for_a_standard(book):
    """A 国家标准 drafted at rank 4 pays nothing; a 国家标准 at rank 3 (前三位) would pay 20万元."""
    p = profile(
        events=[
            {
                "type": "standard_published",
                "date": "2023-03-01",
                "scope": "国家标准",
                "role": "参与",
                "drafter_rank": 4,
                "subject": "GB-1",
            }
        ]
    )
    gains = {
        n.change: n.gain_fen
        for n in calculate(book, p, 2023).near_misses
        if n.items == ["002/十一/国家行业标准"]
    }
    assert gains["取得标准制定并发布（标准类别：国家标准，起草单位排名：3）"] == 20_000_000


def test_no_near_miss_without_gain(book):
    """Already paid in full for 单项冠军 this year: proposing it again gains nothing, so it is not listed."""
    p = profile(
        events=[{"type": "enterprise_title", "date": "2023-05-01", "title": "单项冠军", "level": "国家"}],
        payments=[
            {"item": "002/六/单项冠军", "year": 2023, "amount_fen": 200_000_000, "subject": "ladder:单项冠军"}
        ],
    )
    calc = calculate(book, p, 2023)
    assert all("单项冠军" not in n.change for n in calc.near_misses)
    assert all(n.gain_fen > 0 or n.opens_discretionary for n in calc.near_misses)


def test_money_attributes_of_a_proposed_event_read_in_yuan_not_fen():
    # 003-21 (生物医药): a project's 实际固定资产投资总额 of 2亿元 is 20,000,000,000 fen in a profile;
    # the near-miss sentence must say 2亿元 the way the text does, not the raw fen.
    from huiqi.engine.nearmiss import _describe_event
    from huiqi.rules import facts as vocab

    spec = next(e for e in vocab.EVENTS if e.attr("fixed_asset_investment_fen") is not None)
    text = _describe_event(spec, {"fixed_asset_investment_fen": 20_000_000_000})
    assert "实际固定资产投资总额：20,000万元" in text
    assert "20000000000" not in text
