"""Hand-checked SQL semantics of the compiler, each a situation from 002 with its figure.

- NULL is Unknown: a missing fact makes the item undetermined, but ``False and ?`` is False.
- Rounding: half-up to the fen on the exact DECIMAL product, once (round_fen).
- Inclusive thresholds: 1亿元以上 includes exactly 1亿元; one fen below does not.
- Upgrade difference (补差) and non-duplication (不重复) against past payments.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from huiqi.engine.profile import parse_profile
from huiqi.engine.vectorized import NotVectorized, compile_year, register_profiles, run
from huiqi.engine.vectorized.expressions import Scope, amount_sql, expr_sql, sql_decimal
from huiqi.rules.ast import Arith, Exists, FactRef, Fixed, Parameter, Ratio, Source, VType
from huiqi.rules.loader import load_rules

BOOK = load_rules()
YEAR = 2023
BASE = {"is_fiscal_revenue_in_district": True, "is_innovation_org_member": True, "is_chain_leader": False}


def rows(*profiles: dict, year: int = YEAR) -> dict[tuple[str, str], tuple[str, int, int | None]]:
    con = duckdb.connect()
    register_profiles(con, [parse_profile(p) for p in profiles])
    rel = run(con, BOOK, year, documents=["002"])
    return {(r[0], r[1]): (r[3], r[4], r[5]) for r in rel.fetchall()}


def ent(
    pid: str, years: dict | None = None, events: list | None = None, payments: list | None = None
) -> dict:
    return {
        "kind": "enterprise",
        "id": pid,
        "facts": {"industry": "人工智能"},
        "years": {str(YEAR): {**BASE, **(years or {})}},
        "events": events or [],
        "payments": payments or [],
    }


def test_voucher_30_percent_rounds_half_up_to_the_fen():
    # 002/五 创新券: 30% of the contract. 1,666.65元 × 30% = 499.995元 → 500.00元 (half-up);
    # 1,666.61元 × 30% = 499.983元 → 499.98元.
    got = rows(
        ent("half", {"tech_service_contract_fen": 166665}),
        ent("down", {"tech_service_contract_fen": 166661}),
    )
    assert got[("half", "002/五/创新券")] == ("eligible", 50000, None)
    assert got[("down", "002/五/创新券")] == ("eligible", 49998, None)


def test_voucher_capped_at_50_wan_a_year_after_this_years_payments():
    # 002/五: 单个企业年最高额度不超过50万元. Contract 300万元 → 90万元, capped at 50万元;
    # 30万元 already paid this year → 20万元 left.
    got = rows(
        ent("a", {"tech_service_contract_fen": 300_0000_00}),
        ent(
            "b",
            {"tech_service_contract_fen": 300_0000_00},
            payments=[{"item": "002/五/创新券", "year": YEAR, "amount_fen": 30_0000_00}],
        ),
    )
    assert got[("a", "002/五/创新券")] == ("eligible", 50_0000_00, None)
    assert got[("b", "002/五/创新券")] == ("eligible", 20_0000_00, None)


def test_order_increment_of_exactly_one_yi_is_included():
    # 002/八: 年度执行订单增量在1亿元以上 — 以上 includes 1亿元 itself; one fen less does not.
    chain = {"is_chain_leader": True}
    got = rows(
        ent("at", {**chain, "local_order_increment_fen": 1_0000_0000_00}),
        ent("below", {**chain, "local_order_increment_fen": 1_0000_0000_00 - 1}),
    )
    assert got[("at", "002/八/订单增量")] == ("discretionary", 0, 100_0000_00)
    assert ("below", "002/八/订单增量") not in got  # absent = not eligible


def test_null_is_unknown_but_false_and_unknown_is_false():
    # 订单增量: is_chain_leader and increment ≥ 1亿. Missing increment → undetermined for a chain
    # leader; for a non-leader the condition is False whatever the increment is.
    got = rows(
        ent("leader", {"is_chain_leader": True}),
        ent("other", {"is_chain_leader": False}),
    )
    assert got[("leader", "002/八/订单增量")] == ("undetermined", 0, None)
    assert ("other", "002/八/订单增量") not in got


def test_unknown_district_makes_paying_items_undetermined():
    # 002/一 区内: without is_fiscal_revenue_in_district the item that would pay cannot be decided.
    p = ent("x", {"tech_service_contract_fen": 100_0000_00})
    del p["years"][str(YEAR)]["is_fiscal_revenue_in_district"]
    assert rows(p)[("x", "002/五/创新券")] == ("undetermined", 0, None)


def missing(*profiles: dict) -> dict[tuple[str, str], list[str] | None]:
    con = duckdb.connect()
    register_profiles(con, [parse_profile(p) for p in profiles])
    return {(r[0], r[1]): r[6] for r in run(con, BOOK, YEAR, documents=["002"]).fetchall()}


def test_missing_names_what_an_undetermined_item_lacks_as_the_scalar_engine_does():
    # 链主研发: is_chain_leader and ever(牵头) and rd_expense_fen > 0, 20% of rd_expense_fen.
    # Leader unknown, R&D unknown: both, once each and sorted (R&D is read by the condition and the
    # amount). A non-leader lacks nothing: False and ? is False.
    lead = {"type": "innovation_org_recognized", "date": "2022-03-01", "org_type": "产业联盟"}
    lead |= {"role": "牵头", "level": "市"}
    a = ent("a", events=[lead])
    for fact in ("is_chain_leader", "rd_expense_fen"):
        a["years"][str(YEAR)].pop(fact, None)
    # 国家行业标准 per event: a 国家标准 without its drafter rank → the filter (前三位) cannot decide
    # that event, which names itself by its position in the profile
    std = {"type": "standard_published", "date": "2023-05-01", "scope": "国际标准", "role": "主导"}
    unranked = {"type": "standard_published", "date": "2023-06-01", "scope": "国家标准", "role": "参与"}
    b = ent("b", {"is_chain_leader": False}, events=[std, unranked])
    got = missing(a, b)
    assert got[("a", "002/六/链主研发")] == ["years.2023.is_chain_leader", "years.2023.rd_expense_fen"]
    assert ("b", "002/六/链主研发") not in got
    assert got[("b", "002/十一/国家行业标准")] == ["events[1].drafter_rank"]
    assert got[("b", "002/十一/国际标准")] is None  # eligible: nothing lacks


def test_little_giant_after_provincial_award_gets_the_difference():
    # 002/六 + 十六 补差: 省级专精特新 paid 20万元 in 2022; promoted to 小巨人 (100万元) in 2023 → 80万元.
    got = rows(
        ent(
            "g",
            events=[
                {"type": "enterprise_title", "date": "2023-05-01", "title": "专精特新小巨人", "level": "国家"}
            ],
            payments=[
                {
                    "item": "002/六/专精特新",
                    "year": 2022,
                    "amount_fen": 20_0000_00,
                    "subject": "ladder:专精特新",
                }
            ],
        )
    )
    assert got[("g", "002/六/专精特新")] == ("eligible", 80_0000_00, None)


def test_same_standard_twice_pays_the_higher_award_only():
    # 002/十一 + 十六 不重复: one standard (subject STD-1) counted as 国际标准主导 (100万元) and as
    # 国家标准 第一起草 (20万元): only the 100万元 is paid.
    got = rows(
        ent(
            "s",
            events=[
                {
                    "type": "standard_published",
                    "date": "2023-03-01",
                    "scope": "国际标准",
                    "role": "主导",
                    "subject": "STD-1",
                },
                {
                    "type": "standard_published",
                    "date": "2023-04-01",
                    "scope": "国家标准",
                    "role": "主导",
                    "drafter_rank": 1,
                    "subject": "STD-1",
                },
            ],
        )
    )
    assert got[("s", "002/十一/国际标准")] == ("eligible", 100_0000_00, None)
    assert got[("s", "002/十一/国家行业标准")] == ("eligible", 0, None)


def test_decimal_literals_keep_their_digits_and_products_stay_exact():
    con = duckdb.connect()
    assert con.execute(f"SELECT typeof({sql_decimal(Decimal('0.30'))})").fetchall()[0][0] == "DECIMAL(3,2)"
    rate = Parameter("r", Decimal("0.333333"), VType.RATIO, "%", "x", Source("c", "q"))
    a = amount_sql(
        Ratio(FactRef("m", VType.MONEY, True), rate), Scope("t", None, date(2023, 1, 1), date(2023, 12, 31))
    )
    # 3 fen × 0.333333 = 0.999999 → 1 fen; 1 fen × 0.333333 → 0; −3 fen → −1 (amounts round away from zero)
    got = con.sql(
        f"SELECT {a.value} FROM (VALUES (3), (1), (-3), (NULL)) t(m) ORDER BY m NULLS LAST"
    ).fetchall()
    assert got == [(-1,), (0,), (1,), (None,)]


def test_an_unknown_node_is_refused_with_its_name():
    class Strange:  # a node type the compiler has never seen
        pass

    s = Scope("b", None, date(2023, 1, 1), date(2023, 12, 31), "x/1")
    with pytest.raises(NotVectorized, match="Strange in x/1"):
        expr_sql(Strange(), s)  # type: ignore[arg-type]
    with pytest.raises(NotVectorized, match="Fixed"):
        expr_sql(Fixed(None), s)  # type: ignore[arg-type]
    # the known nodes compile
    assert "bool_or" in expr_sql(Exists("enterprise_title", None), s)
    assert expr_sql(
        Arith("+", FactRef("a", VType.MONEY, True), FactRef("b", VType.MONEY, True), VType.MONEY), s
    )


def test_plan_script_is_readable_sql():
    plan = compile_year(BOOK, YEAR, ["002"])
    assert len(plan.items) == len(BOOK.rulesets["002"].items)
    assert plan.script().count("INSERT INTO hq_occ") == len(plan.items)
