"""研发费用投入财政补助 written by hand in numpy: the benchmark's baseline and a second check.

Joins are sorted-key lookups (``searchsorted``), strings are handled by Arrow compute, money stays in
``int64`` fen; the products ratio × growth are done in Python integers on the few hundred selected
entities only, so nothing overflows and nothing is a float.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from huiqi.population import rd_subsidy as rd


def _np(table: pa.Table, column: str) -> np.ndarray:
    return table.column(column).to_numpy()


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``keys`` in ``sorted_keys`` and whether each was found."""
    pos = np.searchsorted(sorted_keys, keys)
    pos_clipped = np.minimum(pos, max(len(sorted_keys) - 1, 0))
    found = (pos < len(sorted_keys)) & (sorted_keys[pos_clipped] == keys) if len(sorted_keys) else pos < 0
    return pos_clipped, found


def _awards(growth: np.ndarray, ppm: int, cap: np.ndarray) -> np.ndarray:
    # Half-up rounding of growth·ppm/10⁶ in Python ints (growth·ppm can pass 2⁶³ for huge growth).
    out = [min((int(g) * ppm + rd.PPM // 2) // rd.PPM, int(c)) for g, c in zip(growth, cap, strict=True)]
    return np.array(out, dtype=np.int64)


def compute(
    enterprises: pa.Table,
    enterprise_years: pa.Table,
    events: pa.Table,
    year: int,
    budget_fen: int | None = None,
) -> tuple[pa.Table, int]:
    """The same per-entity result as the SQL stages, as an Arrow table, and the ratio in ppm."""
    rd.validate_inputs(year, budget_fen)
    if not rd.in_force(year):
        return _table({c: np.array([], dtype=np.int64) for c in rd.RESULT_COLUMNS}, []), 0
    ry = rd.rd_year_of(year)

    # Recognitions valid on 31 December of the R&D year (dates as days since 1970-01-01).
    end_day = (date(ry, 12, 31) - date(1970, 1, 1)).days
    ev_day = pc.cast(events.column("date"), pa.int32()).to_numpy(zero_copy_only=False)
    until_day = pc.fill_null(pc.cast(events.column("valid_until"), pa.int32()), 2**31 - 1).to_numpy()
    valid = (
        pc.equal(events.column("type"), "enterprise_title").to_numpy(zero_copy_only=False)
        & (ev_day <= end_day)
        & (until_day >= end_day)
    )
    title = events.column("title")
    is_ht = valid & pc.fill_null(pc.equal(title, rd.HIGH_TECH_TITLE), False).to_numpy(zero_copy_only=False)
    is_sme = valid & pc.fill_null(pc.equal(title, rd.TECH_SME_TITLE), False).to_numpy(zero_copy_only=False)
    is_amt = is_ht & pc.fill_null(pc.equal(events.column("tech_field"), rd.AMT_FIELD), False).to_numpy(
        zero_copy_only=False
    )
    ev_ids = _np(events, "entity_id")
    ht_ids, amt_ids, sme_ids = np.unique(ev_ids[is_ht]), np.unique(ev_ids[is_amt]), np.unique(ev_ids[is_sme])

    # The R&D year's facts, and the district of each enterprise.
    years = _np(enterprise_years, "year")
    cur = enterprise_years.filter(pa.array(years == ry))
    ids = _np(cur, "entity_id")
    districts = list(rd.SPLIT)
    e_ids = _np(enterprises, "entity_id")
    e_order = np.argsort(e_ids, kind="stable")
    e_district = pc.fill_null(pc.index_in(enterprises.column("district"), pa.array(districts)), -1).to_numpy()
    pos, found = _lookup(e_ids[e_order], ids)
    district_idx = np.where(found, e_district[e_order][pos], -1)

    small = (
        (_np(cur, "total_assets_fen") <= rd.MAX_TOTAL_ASSETS_FEN)
        & (_np(cur, "revenue_fen") <= rd.MAX_REVENUE_FEN)
        & (_np(cur, "employees") <= rd.MAX_EMPLOYEES)
    )
    tech = np.isin(ids, ht_ids) | np.isin(ids, sme_ids)
    amt = np.isin(ids, amt_ids)
    above = _np(cur, "is_above_scale").astype(bool)
    in_city = district_idx >= 0
    code = np.full(len(ids), -1, dtype=np.int8)  # index into rd.CLASS_ORDER
    code[in_city & small & tech & above] = 0
    code[in_city & small & tech & ~above] = 1
    code[in_city & ~small & amt] = 2
    keep = code >= 0
    ids, code, district_idx, cur = ids[keep], code[keep], district_idx[keep], cur.filter(pa.array(keep))

    # 第五条: own funds; growth against the year before (absent → 0).
    own = _np(cur, "rd_expense_fen") - _np(cur, "rd_expense_gov_funded_fen")
    prev = enterprise_years.filter(pa.array(years == ry - 1))
    p_ids = _np(prev, "entity_id")
    p_order = np.argsort(p_ids, kind="stable")
    p_own = (_np(prev, "rd_expense_fen") - _np(prev, "rd_expense_gov_funded_fen"))[p_order]
    pos, found = _lookup(p_ids[p_order], ids)
    own_prev = np.where(found, p_own[pos] if len(p_own) else 0, 0)
    growth = own - own_prev

    rules = [rd.CLASS_RULES[c] for c in rd.CLASS_ORDER]
    min_growth = np.array([r.min_growth_fen for r in rules], dtype=np.int64)[code]
    cap = np.array([r.cap_fen for r in rules], dtype=np.int64)[code]
    meets = growth >= min_growth
    rank = np.zeros(len(ids), dtype=np.int64)
    has_rank = np.zeros(len(ids), dtype=bool)
    selected = meets.copy()
    tied = np.zeros(len(ids), dtype=bool)
    for ci, rule in enumerate(rules):
        if rule.top_n is None:
            continue
        members = np.flatnonzero((code == ci) & meets)
        order = members[np.lexsort((ids[members], -growth[members]))]
        rank[order] = np.arange(1, len(order) + 1)
        has_rank[order] = True
        selected[order[rule.top_n :]] = False
        if len(order) > rule.top_n and growth[order[rule.top_n - 1]] == growth[order[rule.top_n]]:
            tied[members] = growth[members] == growth[order[rule.top_n]]

    sel = np.flatnonzero(selected)
    nominal = np.zeros(len(ids), dtype=np.int64)
    nominal[sel] = _awards(growth[sel], rd.RATIO_PPM, cap[sel])
    ratio = rd.RATIO_PPM
    if budget_fen is not None and int(nominal.sum()) > budget_fen:
        low, high = 0, rd.RATIO_PPM
        while high - low > 1:
            mid = (low + high) // 2
            if int(_awards(growth[sel], mid, cap[sel]).sum()) <= budget_fen:
                low = mid
            else:
                high = mid
        ratio = low
    amount = np.zeros(len(ids), dtype=np.int64)
    amount[sel] = _awards(growth[sel], ratio, cap[sel])

    parts = np.array([rd.SPLIT[d] for d in districts], dtype=np.int64)
    c_parts, total_parts = parts[district_idx, 0], parts[district_idx].sum(axis=1)
    city = (2 * amount * c_parts + total_parts) // (2 * total_parts)  # half-up; amounts ≤ 200万元

    order = np.argsort(ids, kind="stable")
    cols = {
        "entity_id": ids,
        "class_code": np.array(rd.CLASS_ORDER, dtype=object)[code],
        "own_rd_fen": own,
        "own_rd_prev_fen": own_prev,
        "growth_fen": growth,
        "meets_threshold": meets,
        "class_rank": np.ma.masked_array(rank, mask=~has_rank),
        "tied_at_cutoff": tied,
        "selected": selected,
        "nominal_fen": nominal,
        "amount_fen": amount,
        "city_fen": city,
        "district_fen": amount - city,
    }
    cols = {k: v[order] for k, v in cols.items()}
    return _table(cols, np.array(districts, dtype=object)[district_idx][order].tolist()), ratio


def _table(cols: dict[str, np.ndarray], district: list[str]) -> pa.Table:
    arrays = {}
    for name in rd.RESULT_COLUMNS:
        v = cols[name]
        if name == "class_code":
            arrays[name] = pa.array(list(v), pa.string())
        elif name in ("meets_threshold", "tied_at_cutoff", "selected"):
            arrays[name] = pa.array(np.asarray(v, dtype=bool))
        elif isinstance(v, np.ma.MaskedArray):
            arrays[name] = pa.array(v.data.astype(np.int64), mask=np.ma.getmaskarray(v))
        else:
            arrays[name] = pa.array(np.asarray(v, dtype=np.int64))
    arrays["district"] = pa.array(district, pa.string())
    return pa.table(arrays)
