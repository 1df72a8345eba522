"""On random small populations the DuckDB stages, the numpy version and the direct reading agree on
every entity and every column.

The top-N of 第七条（2） is scaled down (200 → 2, 400 → 3) so that a population of a few dozen
enterprises exercises ranking and ties; amounts are drawn around the thresholds and caps so that the
boundaries are hit often.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from unittest import mock

import duckdb
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from huiqi.population import rd_subsidy as rd
from huiqi.population import rd_subsidy_direct, rd_subsidy_numpy, rd_subsidy_stages
from huiqi.population.tables import from_rows, register_arrow

WAN = 1_000_000
GROWTHS = st.sampled_from(
    [
        0,
        50 * WAN - 1,
        50 * WAN,
        60 * WAN,
        200 * WAN - 1,
        200 * WAN,
        250 * WAN + 3,
        300 * WAN,
        1000 * WAN,
        2000 * WAN,
    ]
)
SIZES = st.sampled_from([100 * WAN, 100 * WAN, 20_000 * WAN, 20_000 * WAN + 1])


@st.composite
def populations(draw):
    n = draw(st.integers(6, 30))
    ents, years, events = [], [], []
    for eid in draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True)):
        ents.append(
            {"entity_id": eid, "district": draw(st.sampled_from(["滨江区", "萧山区", "临平区", "绍兴市"]))}
        )
        base, growth = draw(st.sampled_from([0, 10 * WAN, 500 * WAN])), draw(GROWTHS)
        for y in range(2018, 2023):
            if draw(st.integers(0, 9)) == 0:  # a missing year now and then
                continue
            total = base + (y - 2018) * growth
            years.append(
                {
                    "entity_id": eid,
                    "year": y,
                    "rd_expense_fen": total,
                    "rd_expense_gov_funded_fen": draw(st.sampled_from([0, 0, 0, total // 3, total])),
                    "is_above_scale": draw(st.booleans()),
                    "employees": draw(st.sampled_from([10, 10, 500, 501])),
                    "total_assets_fen": draw(SIZES),
                    "revenue_fen": draw(SIZES),
                }
            )
        for _ in range(draw(st.sampled_from([1, 1, 1, 0, 2]))):
            name = draw(
                st.sampled_from([rd.HIGH_TECH_TITLE, rd.TECH_SME_TITLE, rd.TECH_SME_TITLE, "雏鹰企业"])
            )
            events.append(
                {
                    "entity_id": eid,
                    "type": draw(st.sampled_from(["enterprise_title"] * 4 + ["fraud_finding"])),
                    "title": name,
                    "date": draw(
                        st.sampled_from([date(2017, 1, 1)] * 4 + [date(2020, 12, 31), date(2021, 6, 1)])
                    ),
                    "valid_until": draw(
                        st.sampled_from([None] * 4 + [date(2019, 12, 31), date(2020, 12, 31)])
                    ),
                    "tech_field": draw(st.sampled_from([None, rd.AMT_FIELD, rd.AMT_FIELD, "电子信息"])),
                }
            )
    # A cohort of identical candidates (new ids, same facts) makes ties at the cutoff common.
    growth, above = draw(st.sampled_from([60 * WAN, 250 * WAN + 3, 300 * WAN])), draw(st.booleans())
    for member in range(draw(st.sampled_from([0, 2, 3, 4]))):
        eid = 20_000 + member
        ents.append({"entity_id": eid, "district": "滨江区"})
        events.append(
            {
                "entity_id": eid,
                "type": "enterprise_title",
                "title": rd.TECH_SME_TITLE,
                "date": date(2017, 1, 1),
            }
        )
        for y in range(2018, 2023):
            years.append(
                {
                    "entity_id": eid,
                    "year": y,
                    "rd_expense_fen": (y - 2018) * growth,
                    "rd_expense_gov_funded_fen": 0,
                    "is_above_scale": above,
                    "employees": 10,
                    "total_assets_fen": 100 * WAN,
                    "revenue_fen": 100 * WAN,
                }
            )
    return ents, years, events


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pop=populations(),
    year=st.sampled_from([2020, 2021, 2021, 2022, 2022, 2023]),
    budget=st.one_of(st.none(), st.integers(0, 2000 * WAN)),
)
def test_three_implementations_agree(pop, year, budget):
    ents, years, events = pop
    tables = (
        from_rows("enterprises", ents),
        from_rows("enterprise_years", years),
        from_rows("events", events),
    )
    small_top = {
        "sme_above": dataclasses.replace(rd.CLASS_RULES["sme_above"], top_n=2),
        "sme_below": dataclasses.replace(rd.CLASS_RULES["sme_below"], top_n=3),
    }
    with mock.patch.dict(rd.CLASS_RULES, small_top):
        con = duckdb.connect()
        register_arrow(con, dict(zip(("enterprises", "enterprise_years", "events"), tables, strict=True)))
        run = rd_subsidy_stages.run(con, year, budget)
        direct, direct_ratio = rd_subsidy_direct.compute(*tables, year, budget)
        vectorized, np_ratio = rd_subsidy_numpy.compute(*tables, year, budget)
    assert run.result.to_pylist() == direct
    assert vectorized.to_pylist() == direct
    assert run.ratio_ppm == direct_ratio == np_ratio
    # Shown by ``pytest --hypothesis-show-statistics``: how often ranking, ties and proration occur.
    event(f"selected: {min(sum(r['selected'] for r in direct), 4)}+")
    event(f"tie at cutoff: {any(r['tied_at_cutoff'] for r in direct)}")
    event(f"budget binds: {0 < run.ratio_ppm < rd.RATIO_PPM}")
    paid = sum(r["amount_fen"] for r in direct)
    if budget is not None:
        assert paid <= budget  # 第九条: never more than the year's budget
    assert all(r["city_fen"] + r["district_fen"] == r["amount_fen"] for r in direct)
