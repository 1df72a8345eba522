"""Indicators on a tiny hand-built population: five enterprises whose titles and R&D figures were
chosen so that each figure below can be checked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from huiqi.indicators import compute, load_targets
from huiqi.population import tables

WAN = 1_000_000  # fen in 1 万元


def _title(entity_id, title, level, on, until=None):
    return {"entity_id": entity_id, "type": "enterprise_title", "date": on, "title": title,
            "level": level, "valid_until": until}  # fmt: skip


EVENTS = [
    # 国家高新技术企业: 1 recognised in 2019, expired, renewed in 2022 — one enterprise, counted once;
    # 2 recognised in December 2024; 3 expired at the end of 2023; 4 only recognised in 2025.
    _title(1, "国家高新技术企业", "国家", date(2019, 12, 1), date(2022, 11, 30)),
    _title(1, "国家高新技术企业", "国家", date(2022, 12, 1), date(2025, 11, 30)),
    _title(2, "国家高新技术企业", "国家", date(2024, 12, 20), date(2027, 12, 19)),
    _title(3, "国家高新技术企业", "国家", date(2021, 1, 1), date(2023, 12, 31)),
    _title(4, "国家高新技术企业", "国家", date(2025, 3, 1), date(2028, 2, 28)),
    # 专精特新“小巨人”: 1 first in 2021 (re-examined 2024: not new), 2 in 2023, 5 in 2024.
    _title(1, "专精特新小巨人", "国家", date(2021, 6, 1), date(2024, 5, 31)),
    _title(1, "专精特新小巨人", "国家", date(2024, 6, 1), date(2027, 5, 31)),
    _title(2, "专精特新小巨人", "国家", date(2023, 6, 1), date(2026, 5, 31)),
    _title(5, "专精特新小巨人", "国家", date(2024, 7, 1), date(2027, 6, 30)),
    # A provincial 专精特新中小企业 is a different title: never counted as a 小巨人.
    _title(3, "专精特新中小企业", "省", date(2023, 1, 1), date(2025, 12, 31)),
]


# 2024: 1 spends 300万元 on R&D with 2000万元 value added and 30 staff; 2 spends 100万元 with
# 1000万元 and 20 staff; 3 reports R&D but no value added, so it is in neither sum.
def _year(entity_id, rd_wan, value_added_wan, employees):
    """One enterprise's 2024 facts, amounts given in 万元."""
    return {
        "entity_id": entity_id,
        "year": 2024,
        "rd_expense_fen": rd_wan * WAN,
        "value_added_fen": None if value_added_wan is None else value_added_wan * WAN,
        "employees": employees,
    }


YEARS = [_year(1, 300, 2000, 30), _year(2, 100, 1000, 20), _year(3, 50, None, None)]


@pytest.fixture
def con():
    con = duckdb.connect()
    tables.register_arrow(
        con,
        {
            "enterprises": tables.from_rows("enterprises", [{"entity_id": i} for i in range(1, 6)]),
            "enterprise_years": tables.from_rows("enterprise_years", YEARS),
            "events": tables.from_rows("events", EVENTS),
        },
    )
    return con


@pytest.fixture(scope="module")
def targets():
    return load_targets()


def _by_id(readings):
    return {r.target.id: r for r in readings}


def test_high_tech_enterprises_held_at_year_end(con, targets):
    # "国家高新技术企业数达3800家": on 31 Dec 2024, 1 (renewed) and 2 hold it; 3 expired, 4 is not yet.
    r = _by_id(compute(targets, con, 2024))["high_tech_enterprises"]
    assert (r.status, r.value) == ("computed", Decimal(2))
    assert r.gap == Decimal(3798)
    assert r.progress_pct == Decimal("0.1")  # 2 / 3800 = 0.05 %, rounded half up
    # End of 2025: 1 expired on 30 Nov, 2 and 4 hold it.
    assert _by_id(compute(targets, con, 2025))["high_tech_enterprises"].value == Decimal(2)
    # End of 2023: 1 (renewed) and 3 (valid to 31 Dec 2023 inclusive).
    assert _by_id(compute(targets, con, 2023))["high_tech_enterprises"].value == Decimal(2)


def test_new_little_giants_count_first_recognitions_after_the_base_year(con, targets):
    # "新培育认定专精特新“小巨人”企业45家以上": after 2022, up to 2024 → 2 and 5 (1's 2024 entry is
    # a re-examination of a 2021 title, not a new one).
    r = _by_id(compute(targets, con, 2024, base_year=2022))["new_little_giants"]
    assert (r.status, r.value, r.base_year, r.gap) == ("computed", Decimal(2), 2022, Decimal(43))
    assert "2023 to 2024" in r.detail
    # From 2020 all three are new.
    assert _by_id(compute(targets, con, 2024, base_year=2020))["new_little_giants"].value == Decimal(3)


def test_an_increment_without_a_base_year_is_not_guessed(con, targets):
    r = _by_id(compute(targets, con, 2024))["new_little_giants"]
    assert (r.status, r.value) == ("needs_base_year", None)


def test_a_base_year_after_the_year_is_refused(con, targets):
    with pytest.raises(ValueError, match="base year 2024 must be before the year 2024"):
        compute(targets, con, 2024, base_year=2024)


def test_rd_intensity_over_enterprises_reporting_both(con, targets):
    # "全社会R&D经费投入强度保持在9%以上": (300 + 100) / (2000 + 1000) = 13.33… %; enterprise 3 has no
    # value added, so its 50万元 are left out of the numerator too.
    r = _by_id(compute(targets, con, 2024))["rd_intensity"]
    assert r.value == Decimal(400) / Decimal(3000) * 100
    assert r.to_json()["value"] == "13.33"
    assert r.met is True and r.gap == 0
    assert "over 2 enterprises reporting both" in r.detail


def test_labour_productivity_exactly_at_target(con, targets):
    # "全员劳动生产率达60万元/人": 3000万元 / 50 people = 60万元/人 — "达" is met when equal.
    r = _by_id(compute(targets, con, 2024))["labour_productivity"]
    assert r.value == Decimal(60)
    assert (r.progress_pct, r.met) == (Decimal("100.0"), True)


def test_a_target_with_no_data_is_not_zero(con, targets):
    readings = _by_id(compute(targets, con, 2024))
    # No enterprise has ever been a 科技型中小企业 here: the source does not record it — not "0 of 6000".
    smes = readings["tech_smes"]
    assert (smes.status, smes.value, smes.progress_pct, smes.gap) == ("no_data", None, None, None)
    # No yearly facts for 2023 at all.
    assert _by_id(compute(targets, con, 2023))["rd_intensity"].status == "no_data"
    # Not computable from the vocabulary at all.
    land = readings["above_scale_industry_va_per_mu"]
    assert (land.status, land.value) == ("not_computable", None)
    assert land.to_json()["value"] is None


def test_zero_holders_is_a_figure_when_the_title_is_recorded(con, targets):
    # The source does record 国家高新技术企业, and at the end of 2018 nobody held it yet: 0 is the figure.
    r = _by_id(compute(targets, con, 2018))["high_tech_enterprises"]
    assert (r.status, r.value, r.gap, r.progress_pct) == (
        "computed",
        Decimal(0),
        Decimal(3800),
        Decimal("0.0"),
    )


def test_exceeding_means_strictly_more(targets):
    from huiqi.indicators.progress import Reading

    share = next(t for t in targets if t.id == "digital_core_share_of_gdp")  # "超过70%"
    assert Reading(share, 2026, "computed", Decimal(70), "").met is False
    assert Reading(share, 2026, "computed", Decimal("70.01"), "").met is True
