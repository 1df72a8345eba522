"""The mechanisms that compute a target from the data, each written once, as SQL over the
population tables (see :mod:`huiqi.indicators.sources`).

- ``title_holders``: enterprises holding a title (称号) at the end of the year — recognised on or
  before 31 December and not expired by then (``valid_until`` NULL or on/after that day).
- ``newly_titled``: enterprises whose *first* recognition with the title (新培育认定) falls after the
  end of the base year and on or before the end of the year. The base year is the caller's choice
  (004 states none) and is always reported beside the figure.
- ``ratio_of_sums``: sum(numerator) / sum(denominator) over the enterprises that report both facts
  for the year, scaled to the target's unit.

Each returns a :class:`Figure` — the value and, in words, what it was taken over — or ``None``
when the source holds no data for it at all, which the caller reports as "no data", never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb

from huiqi.indicators.targets import Measure, ratio_scale


@dataclass(frozen=True, slots=True)
class Figure:
    value: Decimal
    detail: str


class NeedsBaseYear(ValueError):
    """An increment ("新增…") asked for without a base year to count from."""


def _title_filter(measure: Measure) -> tuple[str, list]:
    sql = "type = 'enterprise_title' AND title = ?"
    params: list = [measure.title]
    if measure.level:
        sql += " AND level = ?"
        params.append(measure.level)
    return sql, params


def _has_title_data(con: duckdb.DuckDBPyConnection, measure: Measure) -> bool:
    where, params = _title_filter(measure)
    return con.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchone()[0] > 0


def title_holders(con: duckdb.DuckDBPyConnection, measure: Measure, year: int) -> Figure | None:
    """Enterprises holding ``measure.title`` on 31 December of ``year``."""
    if not _has_title_data(con, measure):
        return None
    where, params = _title_filter(measure)
    end = date(year, 12, 31)
    held, open_ended = con.execute(
        f"""
        SELECT count(DISTINCT entity_id),
               count(DISTINCT entity_id) FILTER (WHERE valid_until IS NULL)
        FROM events
        WHERE {where} AND date <= ? AND (valid_until IS NULL OR valid_until >= ?)
        """,
        [*params, end, end],
    ).fetchone()
    detail = f"enterprises holding {measure.title} on {end}"
    if open_ended:
        # The registry records no expiry: say how many were counted on trust.
        detail += f"; {open_ended} with no expiry date (valid_until) in the data, counted as still held"
    return Figure(Decimal(held), detail)


def newly_titled(
    con: duckdb.DuckDBPyConnection, measure: Measure, year: int, base_year: int | None
) -> Figure | None:
    """Enterprises first recognised with ``measure.title`` in base_year+1 … year."""
    if base_year is None:
        raise NeedsBaseYear("the text states no base year for this increment: choose one (--base-year)")
    if base_year >= year:
        raise ValueError(f"base year {base_year} must be before the year {year}")
    if not _has_title_data(con, measure):
        return None
    where, params = _title_filter(measure)
    start, end = date(base_year, 12, 31), date(year, 12, 31)
    (count,) = con.execute(
        f"""
        SELECT count(*) FROM (
            SELECT entity_id, min(date) AS first FROM events WHERE {where} GROUP BY entity_id
        ) WHERE first > ? AND first <= ?
        """,
        [*params, start, end],
    ).fetchone()
    return Figure(
        Decimal(count), f"enterprises first recognised {measure.title} from {base_year + 1} to {year}"
    )


def ratio_of_sums(con: duckdb.DuckDBPyConnection, measure: Measure, year: int, unit: str) -> Figure | None:
    """sum(numerator) / sum(denominator) for ``year``, in ``unit``; None without a denominator."""
    # Safe to interpolate: the loader admits only the column names of targets.RATIO_FACTS.
    num, den = measure.numerator, measure.denominator
    total_num, total_den, reporting = con.execute(
        f"""
        SELECT sum({num}), sum({den}), count(*) FROM entity_years
        WHERE year = ? AND {num} IS NOT NULL AND {den} IS NOT NULL
        """,
        [year],
    ).fetchone()
    if not reporting or not total_den:
        return None
    value = Decimal(int(total_num)) / Decimal(int(total_den)) * ratio_scale(num, den, unit)
    detail = f"sum {num} / sum {den} of {year} over {reporting} enterprises reporting both"
    if measure.scope:
        detail += f" ({measure.scope})"
    return Figure(value, detail)
