"""研发费用投入财政补助, read directly: plain Python over a small population, article by article.

The reference the SQL stages and the numpy version are checked against. It shares nothing with them
but the parameters of :mod:`huiqi.population.rd_subsidy` (and the readings listed there); it is
written for clarity, not speed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa

from huiqi.money import round_fen
from huiqi.population import rd_subsidy as rd


def _award(growth_fen: int, ratio_ppm: int, cap_fen: int) -> int:
    """不超过新增研发经费额的20%…单个企业最高补助…: ratio × growth to the fen, then the cap."""
    return min(round_fen(Decimal(growth_fen) * ratio_ppm / rd.PPM), cap_fen)


def compute(
    enterprises: pa.Table,
    enterprise_years: pa.Table,
    events: pa.Table,
    year: int,
    budget_fen: int | None = None,
) -> tuple[list[dict], int]:
    """Per-entity rows (``rd.RESULT_COLUMNS`` + ``district``, by entity_id) and the actual ratio in ppm."""
    rd.validate_inputs(year, budget_fen)
    if not rd.in_force(year):  # 第十六条
        return [], 0
    ry = rd.rd_year_of(year)
    year_end = date(ry, 12, 31)

    # 第六条（一）: recognitions valid at the end of the R&D year.
    high_tech: set[int] = set()
    amt: set[int] = set()
    tech_sme: set[int] = set()
    for ev in events.to_pylist():
        if ev["type"] != "enterprise_title" or ev["date"] > year_end:
            continue
        if ev["valid_until"] is not None and ev["valid_until"] < year_end:
            continue
        if ev["title"] == rd.HIGH_TECH_TITLE:
            high_tech.add(ev["entity_id"])
            if ev["tech_field"] == rd.AMT_FIELD:
                amt.add(ev["entity_id"])
        elif ev["title"] == rd.TECH_SME_TITLE:
            tech_sme.add(ev["entity_id"])

    district = {e["entity_id"]: e["district"] for e in enterprises.to_pylist()}
    facts: dict[tuple[int, int], dict] = {}
    for row in enterprise_years.to_pylist():
        facts[(row["entity_id"], row["year"])] = row

    rows: list[dict] = []
    for (entity_id, fact_year), f in facts.items():
        if fact_year != ry or district.get(entity_id) not in rd.SPLIT:
            continue
        # 第七条（1）: all three size limits.
        small = (
            f["total_assets_fen"] <= rd.MAX_TOTAL_ASSETS_FEN
            and f["revenue_fen"] <= rd.MAX_REVENUE_FEN
            and f["employees"] <= rd.MAX_EMPLOYEES
        )
        if small and (entity_id in high_tech or entity_id in tech_sme):
            # 第七条（2）, 第八条（三）: a small 先进制造与自动化 enterprise is ranked with the SMEs.
            class_code = "sme_above" if f["is_above_scale"] else "sme_below"
        elif not small and entity_id in amt:  # 第七条（3）
            class_code = "amt_large"
        else:
            continue
        own = f["rd_expense_fen"] - f["rd_expense_gov_funded_fen"]  # 第五条
        prev = facts.get((entity_id, ry - 1))
        own_prev = prev["rd_expense_fen"] - prev["rd_expense_gov_funded_fen"] if prev else 0
        growth = own - own_prev
        rule = rd.CLASS_RULES[class_code]
        rows.append(
            {
                "entity_id": entity_id,
                "class_code": class_code,
                "own_rd_fen": own,
                "own_rd_prev_fen": own_prev,
                "growth_fen": growth,
                "meets_threshold": growth >= rule.min_growth_fen,
                "class_rank": None,
                "tied_at_cutoff": False,
                "selected": False,
                "district": district[entity_id],
            }
        )

    # 第七条（2）: rank within class by growth; equal growth → smaller entity_id first.
    for rule in rd.CLASS_RULES.values():
        members = [r for r in rows if r["class_code"] == rule.code and r["meets_threshold"]]
        if rule.top_n is None:
            for r in members:
                r["selected"] = True
            continue
        members.sort(key=lambda r: (-r["growth_fen"], r["entity_id"]))
        for rank, r in enumerate(members, start=1):
            r["class_rank"] = rank
            r["selected"] = rank <= rule.top_n
        if (
            len(members) > rule.top_n
            and members[rule.top_n - 1]["growth_fen"] == members[rule.top_n]["growth_fen"]
        ):
            tied = members[rule.top_n]["growth_fen"]
            for r in members:
                r["tied_at_cutoff"] = r["growth_fen"] == tied

    selected = [r for r in rows if r["selected"]]

    def total(ppm: int) -> int:
        return sum(_award(r["growth_fen"], ppm, rd.CLASS_RULES[r["class_code"]].cap_fen) for r in selected)

    # 第九条: the largest ratio in ppm up to 20 % that the budget covers.
    ratio = rd.RATIO_PPM
    if budget_fen is not None and total(ratio) > budget_fen:
        low, high = 0, rd.RATIO_PPM
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if total(mid) <= budget_fen else (low, mid)
        ratio = low

    for r in rows:
        cap = rd.CLASS_RULES[r["class_code"]].cap_fen
        r["nominal_fen"] = _award(r["growth_fen"], rd.RATIO_PPM, cap) if r["selected"] else 0
        r["amount_fen"] = _award(r["growth_fen"], ratio, cap) if r["selected"] else 0
        city_parts, district_parts = rd.SPLIT[r["district"]]  # 第十条
        r["city_fen"] = round_fen(Decimal(r["amount_fen"]) * city_parts / (city_parts + district_parts))
        r["district_fen"] = r["amount_fen"] - r["city_fen"]
    rows.sort(key=lambda r: r["entity_id"])
    return [{c: r[c] for c in (*rd.RESULT_COLUMNS, "district")} for r in rows], ratio
