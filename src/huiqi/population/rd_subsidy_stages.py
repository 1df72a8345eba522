"""研发费用投入财政补助 as population stages in DuckDB SQL: classify → base → threshold → rank →
ratio/cap → prorate → split.

Input: DuckDB relations ``entities``, ``entity_years`` and ``events`` (the population's
enterprises, their years and events: see :mod:`huiqi.population.tables`;
:func:`huiqi.population.tables.attach` makes them from a population directory). Money stays in
``BIGINT`` fen, products in ``HUGEINT``; no ``DOUBLE`` touches money.
The readings of the text that are ours are listed in :mod:`huiqi.population.rd_subsidy`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from huiqi.population import rd_subsidy as rd
from huiqi.population.stages import StageTrace, Tracer, fetch_arrow


@dataclass
class RdSubsidyRun:
    """The outcome of one redemption year: per-entity rows, the actual ratio and the stage trace."""

    year: int
    rd_year: int
    in_force: bool
    budget_fen: int | None
    ratio_ppm: int
    result: pa.Table  # columns rd.RESULT_COLUMNS plus ``district``, ordered by entity_id
    trace: list[StageTrace]

    @property
    def total_fen(self) -> int:
        return sum(self.result.column("amount_fen").to_pylist())


def _quotes(*keys: str) -> tuple[tuple[str, str], ...]:
    return tuple((rd.CLAUSES[k].article, rd.CLAUSES[k].quote) for k in keys)


def _class_values(params: rd.Parameters) -> str:
    """The 第八条 table as a SQL VALUES list (integers from the parameters only)."""
    rows = []
    for c in params.classes.values():
        top_n = "NULL" if c.top_n is None else str(int(c.top_n))
        rows.append(f"('{c.code}', {int(c.min_growth_fen)}, {top_n}::BIGINT, {int(c.cap_fen)})")
    return "VALUES " + ", ".join(rows)


def _classes(params: rd.Parameters) -> str:
    """The 第八条 table as a relation ``k`` to join on ``class_code``."""
    return f"({_class_values(params)}) k(class_code, min_growth_fen, top_n, cap_fen)"


def _split_values() -> str:
    rows = [f"('{d}', {int(c)}, {int(k)})" for d, (c, k) in rd.SPLIT.items()]
    return "VALUES " + ", ".join(rows)


def _amount_sql(ratio_ppm: int) -> str:
    """Growth × ratio rounded half-up to the fen (the project's rule), then the class cap."""
    p = int(ratio_ppm)
    return f"least(CAST((b.growth_fen::HUGEINT * {p} + {rd.PPM // 2}) // {rd.PPM} AS BIGINT), k.cap_fen)"


def run(
    con, year: int, budget_fen: int | None = None, params: rd.Parameters | None = None, timed: bool = False
) -> RdSubsidyRun:
    """Compute the subsidy of redemption year ``year`` for every enterprise in the population.

    ``budget_fen`` is the year's 市科技发展专项资金 for this subsidy (第九条); ``None`` means the
    budget does not bind and the ratio is the full 20 %. ``params`` replaces the document's figures
    (a reform); by default they are the document's. ``timed`` materialises and times every stage.
    """
    rd.validate_inputs(year, budget_fen)
    params = params or rd.parameters()
    tracer = Tracer(con, timed=timed)
    ry = rd.rd_year_of(year)
    if not rd.in_force(year):
        note = f"{year} is outside the 办法's validity"
        trace = [StageTrace("validity", _quotes("validity"), "entities computed", 0, None, note)]
        return RdSubsidyRun(year, ry, False, budget_fen, 0, _empty_result(), trace)

    year_end = f"DATE '{ry:04d}-12-31'"
    tracer.stage(
        "rd_classified",
        f"""
        WITH titles AS (
            SELECT entity_id,
                   bool_or(title = '{rd.HIGH_TECH_TITLE}') AS is_high_tech,
                   bool_or(title = '{rd.HIGH_TECH_TITLE}' AND tech_field = '{rd.AMT_FIELD}') AS is_amt,
                   bool_or(title = '{rd.TECH_SME_TITLE}') AS is_tech_sme
            FROM events
            WHERE type = 'enterprise_title'
              AND title IN ('{rd.HIGH_TECH_TITLE}', '{rd.TECH_SME_TITLE}')
              AND date <= {year_end}
              AND (valid_until IS NULL OR valid_until >= {year_end})
            GROUP BY entity_id
        ),
        split(district, city_parts, district_parts) AS ({_split_values()}),
        sized AS (
            SELECT y.entity_id, e.district, y.is_above_scale, t.is_high_tech, t.is_amt, t.is_tech_sme,
                   y.rd_expense_fen, y.rd_expense_gov_funded_fen,
                   (y.total_assets_fen <= {rd.MAX_TOTAL_ASSETS_FEN}
                    AND y.revenue_fen <= {rd.MAX_REVENUE_FEN}
                    AND y.employees <= {rd.MAX_EMPLOYEES}) AS is_small
            FROM entity_years y
            JOIN titles t USING (entity_id)
            JOIN entities e USING (entity_id)
            JOIN split s ON s.district = e.district
            WHERE y.year = {ry}
        )
        SELECT entity_id, district, rd_expense_fen, rd_expense_gov_funded_fen,
               CASE WHEN is_small AND (is_high_tech OR is_tech_sme)
                         THEN CASE WHEN is_above_scale THEN 'sme_above' ELSE 'sme_below' END
                    WHEN NOT is_small AND is_amt THEN 'amt_large'
               END AS class_code
        FROM sized
        WHERE (is_small AND (is_high_tech OR is_tech_sme)) OR (NOT is_small AND is_amt)
        """,
        _quotes("tech_enterprise", "size_limit", "classes", "amt_exception", "amt_in_sme"),
        ("count(*)", "科技型企业 in a class (candidates)"),
        note=f"科技型企业 registered in Hangzhou, sized on {ry}",
        materialize=True,  # small (the 科技型企业 only): joins after it stay cheap
    )
    tracer.stage(
        "rd_base",
        f"""
        SELECT c.entity_id, c.district, c.class_code,
               c.rd_expense_fen - c.rd_expense_gov_funded_fen AS own_rd_fen,
               coalesce(p.rd_expense_fen - p.rd_expense_gov_funded_fen, 0) AS own_rd_prev_fen,
               (c.rd_expense_fen - c.rd_expense_gov_funded_fen)
                 - coalesce(p.rd_expense_fen - p.rd_expense_gov_funded_fen, 0) AS growth_fen
        FROM rd_classified c
        LEFT JOIN (SELECT entity_id, rd_expense_fen, rd_expense_gov_funded_fen
                   FROM entity_years WHERE year = {ry - 1}) p USING (entity_id)
        """,
        _quotes("own_funds", "growth"),
        ("count(*) FILTER (WHERE growth_fen > 0)", "candidates whose own-funded R&D grew"),
        note=f"own funds {ry} minus own funds {ry - 1}",
    )
    tracer.stage(
        "rd_threshold",
        f"""
        SELECT b.*, b.growth_fen >= k.min_growth_fen AS meets_threshold
        FROM rd_base b JOIN {_classes(params)} USING (class_code)
        """,
        _quotes("sme_above", "sme_below", "amt_large"),
        ("count(*) FILTER (WHERE meets_threshold)", "meeting the growth threshold"),
        note="新增…以上 read as ≥",
    )
    tracer.stage(
        "rd_ranked",
        f"""
        WITH k(class_code, min_growth_fen, top_n, cap_fen) AS ({_class_values(params)}),
        ranked AS (
            SELECT t.*, k.top_n,
                   CASE WHEN t.meets_threshold AND k.top_n IS NOT NULL THEN
                        row_number() OVER (PARTITION BY t.class_code, t.meets_threshold
                                           ORDER BY t.growth_fen DESC, t.entity_id)
                   END AS class_rank
            FROM rd_threshold t JOIN k USING (class_code)
        ),
        edges AS (  -- the growth at rank N and at rank N+1: equal means a tie straddles the cutoff
            SELECT *,
                   max(growth_fen) FILTER (WHERE class_rank = top_n) OVER w AS g_last,
                   max(growth_fen) FILTER (WHERE class_rank = top_n + 1) OVER w AS g_next
            FROM ranked
            WINDOW w AS (PARTITION BY class_code)
        )
        SELECT * EXCLUDE (top_n, g_last, g_next),
               coalesce(meets_threshold AND g_last = g_next AND growth_fen = g_last, false) AS tied_at_cutoff,
               meets_threshold AND (top_n IS NULL OR class_rank <= top_n) AS selected
        FROM edges
        """,
        _quotes("classes", "sme_above", "sme_below"),
        ("count(*) FILTER (WHERE selected)", "selected (threshold met, within the top N)"),
        note="ties broken by entity_id ascending; ties across the cutoff flagged",
    )
    tracer.stage(
        "rd_nominal",
        f"""
        SELECT b.*, CASE WHEN b.selected THEN {_amount_sql(params.ratio_ppm)} ELSE 0 END AS nominal_fen
        FROM rd_ranked b JOIN {_classes(params)} USING (class_code)
        """,
        _quotes("sme_above", "sme_below", "amt_large"),
        ("sum(nominal_fen)", "fen due at the full ratio, capped"),
        note="20 % of growth, rounded half-up to the fen, capped per class",
        materialize=True,  # the ratio search reads it once per probe
    )

    ratio_ppm = _budget_ratio(con, budget_fen, params)
    tracer.record(
        "rd_ratio",
        _quotes("budget", "yearly_budget"),
        "actual ratio (parts per million)",
        ratio_ppm,
        f"budget {'unbounded' if budget_fen is None else f'{budget_fen} fen'}",
    )
    tracer.stage(
        "rd_prorated",
        f"""
        SELECT b.*, CASE WHEN b.selected THEN {_amount_sql(ratio_ppm)} ELSE 0 END AS amount_fen
        FROM rd_nominal b JOIN {_classes(params)} USING (class_code)
        """,
        _quotes("budget"),
        ("sum(amount_fen)", "fen awarded at the actual ratio"),
    )
    tracer.stage(
        "rd_split",
        f"""
        WITH split(district, city_parts, district_parts) AS ({_split_values()}),
        city AS (
            SELECT b.*,
                   CAST((2 * b.amount_fen::HUGEINT * s.city_parts + (s.city_parts + s.district_parts))
                        // (2 * (s.city_parts + s.district_parts)) AS BIGINT) AS city_fen
            FROM rd_prorated b JOIN split s USING (district)
        )
        SELECT {", ".join(c for c in rd.RESULT_COLUMNS if c != "district_fen")},
               amount_fen - city_fen AS district_fen, district
        FROM city
        """,
        _quotes("split", "split_adjust"),
        ("sum(city_fen)", "fen paid by the city (the districts pay the rest)"),
        note="city share rounded half-up, district pays the rest",
    )
    con.execute("CREATE OR REPLACE TEMP TABLE rd_result AS SELECT * FROM rd_split ORDER BY entity_id")
    trace = tracer.finish("rd_result")
    result = fetch_arrow(con, "SELECT * FROM rd_result ORDER BY entity_id")
    return RdSubsidyRun(year, ry, True, budget_fen, ratio_ppm, result, trace)


def _budget_ratio(con, budget_fen: int | None, params: rd.Parameters) -> int:
    """第九条: the largest ratio (ppm, ≤ 20 %) whose awards fit in the budget; a binary search.

    The awards are monotone in the ratio, so the search is exact; each probe is one aggregate over
    the selected entities (at most 600 plus the 先进制造与自动化 large ones).
    """
    if budget_fen is None:
        return params.ratio_ppm
    classes = _classes(params)

    def total(ppm: int) -> int:
        sql = (
            f"SELECT coalesce(sum({_amount_sql(ppm)}), 0) FROM rd_nominal b JOIN {classes} "
            "USING (class_code) WHERE b.selected"
        )
        return int(con.execute(sql).fetchall()[0][0])

    if total(params.ratio_ppm) <= budget_fen:
        return params.ratio_ppm
    low, high = 0, params.ratio_ppm  # total(low) <= budget < total(high)
    while high - low > 1:
        mid = (low + high) // 2
        if total(mid) <= budget_fen:
            low = mid
        else:
            high = mid
    return low


def _empty_result() -> pa.Table:
    types = {
        "entity_id": pa.int64(),
        "class_code": pa.string(),
        "meets_threshold": pa.bool_(),
        "class_rank": pa.int64(),
        "tied_at_cutoff": pa.bool_(),
        "selected": pa.bool_(),
    }
    fields = [(c, types.get(c, pa.int64())) for c in rd.RESULT_COLUMNS] + [("district", pa.string())]
    return pa.schema(fields).empty_table()
