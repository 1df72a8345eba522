"""研发费用投入财政补助 (杭科资〔2020〕72号) on small, hand-computed populations.

Every case runs the three implementations (DuckDB stages, direct Python, numpy) and checks that they
agree row for row before checking the hand-computed figures. Redemption year 2021 assesses R&D year
2020 against 2019 unless a test says otherwise. 1万元 = 1,000,000 fen.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from huiqi.population import rd_subsidy as rd
from huiqi.population import rd_subsidy_direct, rd_subsidy_numpy, rd_subsidy_stages
from huiqi.population.tables import from_rows, register_arrow

WAN = 1_000_000  # fen in 1万元


def ent(entity_id: int, district: str = "滨江区") -> dict:
    return {"entity_id": entity_id, "district": district, "industry": "信息技术"}


def yr(
    entity_id, year, rd_wan, gov_wan=0, *, above=True, employees=100, assets_wan=10_000, revenue_wan=10_000
):
    """A yearly fact row; amounts in 万元 (assets and revenue default to 1亿元, inside the size limits)."""
    return {
        "entity_id": entity_id,
        "year": year,
        "rd_expense_fen": round(rd_wan * WAN),
        "rd_expense_gov_funded_fen": round(gov_wan * WAN),
        "is_above_scale": above,
        "employees": employees,
        "total_assets_fen": assets_wan * WAN,
        "revenue_fen": revenue_wan * WAN,
    }


def title(entity_id, name=rd.TECH_SME_TITLE, *, field=None, on=date(2019, 5, 1), until=date(2022, 12, 31)):
    return {
        "entity_id": entity_id,
        "type": "enterprise_title",
        "title": name,
        "date": on,
        "valid_until": until,
        "tech_field": field,
    }


def run_all(ents, years, events, year=2021, budget_fen=None):
    """Run the three implementations; assert they agree; return (rows by entity_id, ratio_ppm, run)."""
    tables = {
        "enterprises": from_rows("enterprises", ents),
        "enterprise_years": from_rows("enterprise_years", years),
        "events": from_rows("events", events),
    }
    con = duckdb.connect()
    register_arrow(con, tables)
    run = rd_subsidy_stages.run(con, year, budget_fen)
    sql_rows = run.result.to_pylist()
    direct_rows, direct_ratio = rd_subsidy_direct.compute(*tables.values(), year, budget_fen)
    np_table, np_ratio = rd_subsidy_numpy.compute(*tables.values(), year, budget_fen)
    assert sql_rows == direct_rows
    assert np_table.to_pylist() == direct_rows
    assert run.ratio_ppm == direct_ratio == np_ratio
    return {r["entity_id"]: r for r in sql_rows}, run.ratio_ppm, run


def test_sme_above_threshold_is_inclusive_at_exactly_200_wan():
    # 第八条（一）: 新增200万元以上 — 200万元 itself qualifies; 199.99万元 does not.
    rows, ratio, _ = run_all(
        [ent(1), ent(2)],
        [yr(1, 2019, 100), yr(1, 2020, 300), yr(2, 2019, 100), yr(2, 2020, 299.99)],
        [title(1), title(2)],
    )
    assert ratio == 200_000
    assert rows[1]["class_code"] == "sme_above" and rows[1]["growth_fen"] == 200 * WAN
    assert rows[1]["selected"] and rows[1]["amount_fen"] == 40 * WAN  # 20 % of 200万 = 40万
    assert not rows[2]["meets_threshold"] and rows[2]["amount_fen"] == 0


def test_sme_below_threshold_50_wan_and_its_cap_50_wan():
    # 第八条（二）: 规下 growth 50万 → 10万; growth 300万 → 60万, capped at 50万.
    rows, _, _ = run_all(
        [ent(1), ent(2), ent(3)],
        [
            yr(1, 2019, 10, above=False),
            yr(1, 2020, 60, above=False),
            yr(2, 2019, 0, above=False),
            yr(2, 2020, 300, above=False),
            yr(3, 2019, 10, above=False),
            yr(3, 2020, 59.99, above=False),
        ],
        [title(1), title(2), title(3)],
    )
    assert rows[1]["class_code"] == "sme_below" and rows[1]["amount_fen"] == 10 * WAN
    assert rows[2]["nominal_fen"] == 50 * WAN and rows[2]["amount_fen"] == 50 * WAN
    assert not rows[3]["selected"]


def test_sme_above_cap_200_wan():
    # 第八条（一）: growth 1500万 → 20 % = 300万, capped at 单个企业最高补助200万元.
    rows, _, _ = run_all([ent(1)], [yr(1, 2019, 500), yr(1, 2020, 2000)], [title(1)])
    assert rows[1]["amount_fen"] == 200 * WAN


def test_government_funded_rd_is_not_in_the_base():
    # 第五条: 2020 R&D 500万 of which 300万 government grants; 2019 100万 own → own growth 100万 < 200万.
    rows, _, _ = run_all([ent(1)], [yr(1, 2019, 100), yr(1, 2020, 500, gov_wan=300)], [title(1)])
    assert rows[1]["own_rd_fen"] == 200 * WAN
    assert rows[1]["growth_fen"] == 100 * WAN
    assert not rows[1]["meets_threshold"] and rows[1]["amount_fen"] == 0


def test_advanced_manufacturing_high_tech_exception():
    # 第七条（3）/第八条（三）: a 先进制造与自动化 high-tech enterprise with 800 employees is not held to the
    # size limits: growth 1000万 → 200万 (20 %, at the cap). A large high-tech enterprise of another
    # field gets nothing; a small 先进制造与自动化 one is ranked with the SMEs.
    ht = rd.HIGH_TECH_TITLE
    rows, _, _ = run_all(
        [ent(1), ent(2), ent(3)],
        [
            yr(1, 2019, 1000, employees=800),
            yr(1, 2020, 2000, employees=800),
            yr(2, 2019, 1000, employees=800),
            yr(2, 2020, 2000, employees=800),
            yr(3, 2019, 0, above=False),
            yr(3, 2020, 100, above=False),
        ],
        [title(1, ht, field=rd.AMT_FIELD), title(2, ht, field="电子信息"), title(3, ht, field=rd.AMT_FIELD)],
    )
    assert rows[1]["class_code"] == "amt_large" and rows[1]["class_rank"] is None
    assert rows[1]["amount_fen"] == 200 * WAN
    assert 2 not in rows
    assert rows[3]["class_code"] == "sme_below" and rows[3]["amount_fen"] == 20 * WAN


def test_large_advanced_manufacturing_needs_200_wan_growth():
    # 第七条（3）: 企业当年研发费用投入额较上年增长应达到补助基准 — 150万 growth is below it.
    ht = rd.HIGH_TECH_TITLE
    rows, _, _ = run_all(
        [ent(1)],
        [yr(1, 2019, 1000, revenue_wan=30_000), yr(1, 2020, 1150, revenue_wan=30_000)],
        [title(1, ht, field=rd.AMT_FIELD)],
    )
    assert rows[1]["class_code"] == "amt_large" and not rows[1]["selected"]


def test_top_400_with_tie_broken_by_entity_id():
    # 第八条（二）: 居前 400 位. 399 enterprises grow 100万+i; 1000 and 1001 both grow 60万 and share
    # rank 400: the smaller id is ranked 400th and paid, 1001 is 401st; both are flagged.
    ents, years, events = [], [], []
    for i in range(399):
        ents.append(ent(i + 1))
        years += [yr(i + 1, 2019, 0, above=False), yr(i + 1, 2020, 100 + i, above=False)]
        events.append(title(i + 1))
    for eid in (1001, 1000):
        ents.append(ent(eid))
        years += [yr(eid, 2019, 0, above=False), yr(eid, 2020, 60, above=False)]
        events.append(title(eid))
    rows, _, _ = run_all(ents, years, events)
    assert rows[1000]["class_rank"] == 400 and rows[1000]["selected"] and rows[1000]["amount_fen"] == 12 * WAN
    assert rows[1001]["class_rank"] == 401 and not rows[1001]["selected"] and rows[1001]["amount_fen"] == 0
    assert rows[1000]["tied_at_cutoff"] and rows[1001]["tied_at_cutoff"]
    assert not rows[1]["tied_at_cutoff"]
    assert sum(r["selected"] for r in rows.values()) == 400


def test_budget_short_lowers_the_actual_ratio():
    # 第九条: A grows 1000万 (200万 at 20 %), B grows 300万 (60万); budget 200万. All awards below their
    # caps scale with the ratio: 1300万 × r ≤ 200万 → r = 153,846 ppm; A = 1000万 × 0.153846 = 153.846万,
    # B = 300万 × 0.153846 = 46.1538万; total 199.9980万 ≤ 200万 (153,847 ppm would pay 200.0011万).
    rows, ratio, run = run_all(
        [ent(1), ent(2)],
        [yr(1, 2019, 0), yr(1, 2020, 1000), yr(2, 2019, 0), yr(2, 2020, 300)],
        [title(1), title(2)],
        budget_fen=200 * WAN,
    )
    assert ratio == 153_846
    assert rows[1]["nominal_fen"] == 200 * WAN and rows[1]["amount_fen"] == 153_846_000
    assert rows[2]["nominal_fen"] == 60 * WAN and rows[2]["amount_fen"] == 46_153_800
    assert run.total_fen == 199_999_800


def test_budget_short_keeps_the_cap_binding():
    # A grows 2000万 (capped at 200万 down to r = 10 %), B grows 300万; budget 200万. Above 10 % A stays
    # at 200万 and B alone overflows, so r < 10 %: 2300万 × r ≤ 200万 → 86,956 ppm → A 173.912万, B 26.0868万.
    rows, ratio, _ = run_all(
        [ent(1), ent(2)],
        [yr(1, 2019, 0), yr(1, 2020, 2000), yr(2, 2019, 0), yr(2, 2020, 300)],
        [title(1), title(2)],
        budget_fen=200 * WAN,
    )
    assert ratio == 86_956
    assert rows[1]["amount_fen"] == 173_912_000 and rows[2]["amount_fen"] == 26_086_800


def test_budget_large_enough_keeps_20_percent():
    rows, ratio, _ = run_all([ent(1)], [yr(1, 2019, 0), yr(1, 2020, 1000)], [title(1)], budget_fen=200 * WAN)
    assert ratio == 200_000 and rows[1]["amount_fen"] == 200 * WAN


def test_city_district_split_and_rounding():
    # 第十条: growth 200万元 + 3分 → 20 % = 40万元 + 0.6分 → 40,000,001 fen (四舍五入).
    # 滨江区 1:1 → city 20,000,000.5 → 20,000,001, district 20,000,000.
    # 萧山区 1:3 → city 10,000,000.25 → 10,000,000, district 30,000,001.
    # 临平区 (carved out of 余杭区 in 2021) takes 余杭区's 1:3. An enterprise of 绍兴市 is outside Hangzhou.
    growth_wan = 200 + 3 / WAN
    ents = [ent(1, "滨江区"), ent(2, "萧山区"), ent(3, "临平区"), ent(4, "绍兴市")]
    years = [row for e in (1, 2, 3, 4) for row in (yr(e, 2019, 0), yr(e, 2020, growth_wan))]
    rows, _, _ = run_all(ents, years, [title(e) for e in (1, 2, 3, 4)])
    assert rows[1]["amount_fen"] == 40_000_001
    assert (rows[1]["city_fen"], rows[1]["district_fen"]) == (20_000_001, 20_000_000)
    assert (rows[2]["city_fen"], rows[2]["district_fen"]) == (10_000_000, 30_000_001)
    assert (rows[3]["city_fen"], rows[3]["district_fen"]) == (10_000_000, 30_000_001)
    assert 4 not in rows


@pytest.mark.parametrize("year", [2019, 2023, 2024])
def test_years_outside_validity_pay_nothing(year):
    # 第十六条: 自2020年8月9日起生效，有效期至2022年12月31日.
    rows, ratio, run = run_all(
        [ent(1)], [yr(1, year - 2, 0), yr(1, year - 1, 1000)], [title(1, until=date(2030, 1, 1))], year=year
    )
    assert rows == {} and ratio == 0 and not run.in_force


def test_first_year_of_validity_2020_assesses_2019():
    rows, _, run = run_all([ent(1)], [yr(1, 2018, 0), yr(1, 2019, 250)], [title(1)], year=2020)
    assert run.rd_year == 2019 and rows[1]["amount_fen"] == 50 * WAN


def test_expired_or_future_recognition_does_not_count():
    # 第六条（一）: 经认定并公告有效 — valid on 31 December of the R&D year.
    rows, _, _ = run_all(
        [ent(1), ent(2)],
        [yr(1, 2019, 0), yr(1, 2020, 300), yr(2, 2019, 0), yr(2, 2020, 300)],
        [title(1, until=date(2020, 6, 30)), title(2, on=date(2021, 3, 1))],
    )
    assert rows == {}


def test_no_prior_year_counts_as_zero():
    rows, _, _ = run_all([ent(1)], [yr(1, 2020, 250)], [title(1)])
    assert rows[1]["own_rd_prev_fen"] == 0 and rows[1]["amount_fen"] == 50 * WAN


def test_size_limit_is_inclusive_and_needs_all_three():
    # 第七条（1）: 不超过2亿元 / 不超过500人 — exactly at the limits is small; 501 employees is not.
    rows, _, _ = run_all(
        [ent(1), ent(2)],
        [
            yr(1, 2019, 0, employees=500, assets_wan=20_000, revenue_wan=20_000),
            yr(1, 2020, 300, employees=500, assets_wan=20_000, revenue_wan=20_000),
            yr(2, 2019, 0, employees=501),
            yr(2, 2020, 300, employees=501),
        ],
        [title(1), title(2)],
    )
    assert rows[1]["class_code"] == "sme_above"
    assert 2 not in rows  # too big and not 先进制造与自动化


def test_bad_parameters_are_clear_errors():
    con = duckdb.connect()
    with pytest.raises(ValueError, match="budget"):
        rd_subsidy_stages.run(con, 2021, budget_fen=-1)


def test_trace_names_each_stage_with_its_clauses_and_what_it_did():
    # Enterprise 1 grows 300万 (selected: 60万, city half 30万); enterprise 2 grows 100万 (< 200万).
    _, _, run = run_all(
        [ent(1), ent(2)],
        [yr(1, 2019, 0), yr(1, 2020, 300), yr(2, 2019, 0), yr(2, 2020, 100)],
        [title(1), title(2)],
    )
    assert [(t.name, t.value) for t in run.trace] == [
        ("rd_classified", 2),
        ("rd_base", 2),
        ("rd_threshold", 1),
        ("rd_ranked", 1),
        ("rd_nominal", 60 * WAN),
        ("rd_ratio", 200_000),
        ("rd_prorated", 60 * WAN),
        ("rd_split", 30 * WAN),
    ]
    assert all(t.clauses for t in run.trace)


def test_timed_run_gives_the_same_result_with_stage_times():
    tables = {
        "enterprises": from_rows("enterprises", [ent(1)]),
        "enterprise_years": from_rows("enterprise_years", [yr(1, 2019, 0), yr(1, 2020, 300)]),
        "events": from_rows("events", [title(1)]),
    }
    con = duckdb.connect()
    register_arrow(con, tables)
    fast = rd_subsidy_stages.run(con, 2021)
    timed = rd_subsidy_stages.run(con, 2021, timed=True)
    assert fast.result.equals(timed.result)
    assert all(t.seconds is not None for t in timed.trace if t.name != "rd_ratio")
