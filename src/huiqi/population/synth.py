"""A synthetic Binjiang-like population (合成人口), written as Parquet, deterministic per seed.

``huiqi synth --size N --seed S --out DIR`` writes the tables of :mod:`huiqi.population.tables`.
Enterprises are generated in chunks of :data:`CHUNK` rows; chunk ``k`` draws from its own stream
``SeedSequence(seed, spawn_key=(k,))``, so a population is the same for a seed whatever the machine,
and a large population starts with the whole chunks of a smaller one. Each chunk is written as it
is made (one row group per table, one per year for the yearly facts), so memory stays flat with N.

The calibration targets come from the documents (:mod:`huiqi.population.calibration`); the shapes
of the distributions below are *modelling assumptions*, marked as such, tuned so that the measured
population meets the targets (``docs/population.md``). Values are drawn in floating point and
rounded to whole fen once, when stored: no rule arithmetic happens here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from stdnum.cn import uscc

from huiqi.population import tables
from huiqi.rules.facts import ENCOURAGED_INDUSTRIES, INDUSTRIES

CHUNK = 250_000
FIRST_YEAR, LAST_YEAR = 2018, 2024  # 2018: the base year of 003's first redemption (2020)
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
FEN_PER_WAN = 1_000_000

# --- modelling assumptions (not from the documents) -------------------------------------------
# Industry shares: three quarters in the encouraged industries of 000 附则 3.
INDUSTRY_SHARES = dict(
    zip(INDUSTRIES, (25, 8, 8, 4, 5, 8, 5, 3, 2, 3, 2, 2, 25), strict=True)
)  # 信息技术 生命健康 文化创意 节能环保 高端装备制造 人工智能 集成电路 数据要素 新能源 新材料 其他… 其他
MEDIAN_EMPLOYEES = 3
ABOVE_SCALE_REVENUE_FEN = 2_000 * FEN_PER_WAN  # 规上工业 standard of the statistics bureau: 2000万元
HIGH_TECH_FIELDS = {  # 国家重点支持的高新技术领域 and their shares among 高新技术企业
    "电子信息": 0.55,
    "先进制造与自动化": 0.12,
    "高技术服务": 0.12,
    "生物与新药": 0.08,
    "新材料": 0.04,
    "新能源与节能": 0.04,
    "资源与环境": 0.03,
    "航空航天": 0.02,
}
TALENT_LEVELS = {"A": 0.005, "B": 0.03, "C": 0.10, "D": 0.30, "E": 0.565}
# Tuned against the calibration targets (see docs/population.md for the measured result).
P_HIGH_TECH_GIVEN_RD = 0.135  # share of R&D performers ever recognised 国家高新技术企业
P_HIGH_TECH_RENEW = 0.95  # a recognition is renewed after its three years
P_TECH_SME_GIVEN_RD = 0.156  # share of small R&D performers that enter the 科技型中小企业 list
P_TECH_SME_REPEAT = 0.85  # …and are evaluated again in a given year
RD_INTENSITY_MEDIAN = 0.15  # R&D / value added of an R&D performer (median)
CARRIER_SHARE = 0.00225  # enterprises running an incubator or 众创空间

EPOCH = np.datetime64("1970-01-01", "D")
# 统一社会信用代码 of a synthetic enterprise: 9 (工商) 1 (企业) 330108 (杭州市滨江区), then the
# entity_id as a 9-digit serial where the real code has the 组织机构代码, then the check digit
# (GB 32100-2015), so the registry's import accepts the codes as it would real ones.
CREDIT_CODE_PREFIX = "91330108"


def credit_code(entity_id: int) -> str:
    """The valid 统一社会信用代码 synth gives enterprise ``entity_id`` (1 … 999,999,999)."""
    body = f"{CREDIT_CODE_PREFIX}{entity_id:09d}"
    return body + uscc.calc_check_digit(body)


_USCC_ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"), dtype=object)
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)  # GB 32100-2015: 3^i mod 31


def credit_codes(ids: np.ndarray) -> pa.Array:
    """:func:`credit_code` for a whole array of ids, vectorised (a Python loop costs ~10 µs a code)."""
    serial = np.asarray(ids, dtype=np.int64)
    prefix = sum(int(c) * int(w) for c, w in zip(CREDIT_CODE_PREFIX, _USCC_WEIGHTS[:8], strict=True))
    total = np.full(len(serial), prefix, dtype=np.int64)
    for place in range(9):  # digit `place` of the 9-digit serial, most significant first
        total += (serial // 10 ** (8 - place) % 10) * _USCC_WEIGHTS[8 + place]
    check = _USCC_ALPHABET[(31 - total % 31) % 31]
    body = np.char.add(CREDIT_CODE_PREFIX, np.char.zfill(serial.astype(str), 9))
    return pa.array(np.char.add(body, check.astype(str)), pa.string())


@dataclass
class Summary:
    """Row counts written per table."""

    size: int
    seed: int
    rows: dict[str, int] = field(default_factory=dict)


def _day(year: np.ndarray | int, month: int = 1, day: int = 1) -> np.ndarray:
    """Days since 1970-01-01 of (year, month, day), vectorised over ``year``."""
    y = np.asarray(year, dtype=np.int64)
    first = (y - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
    return (first.astype("datetime64[D]") + (day - 1) - EPOCH).astype(np.int32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _fen(x: np.ndarray) -> np.ndarray:
    return np.rint(x).astype(np.int64)


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.date32())


def generate_chunk(seed: int, index: int, start: int, n: int) -> dict[str, list[pa.Table]]:
    """The tables of enterprises ``start+1 … start+n``; yearly facts as one table per year."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    ids = np.arange(start + 1, start + n + 1, dtype=np.int64)

    shares = np.array(list(INDUSTRY_SHARES.values()), dtype=float)
    industry = rng.choice(len(INDUSTRIES), size=n, p=shares / shares.sum())
    encouraged = industry < len(ENCOURAGED_INDUSTRIES)
    founded_year = np.clip(LAST_YEAR - np.floor(rng.exponential(7.0, n)).astype(np.int64), 1990, LAST_YEAR)
    founded = _day(founded_year) + rng.integers(0, 365, n).astype(np.int32)
    foreign = rng.random(n) < 0.04
    foreign_usd_cents = np.where(foreign, _fen(np.exp(np.log(1e8) + 1.2 * rng.standard_normal(n))), 0)

    quality = rng.standard_normal(n)  # a latent "how good is this firm": size, R&D and recognitions
    employees_last = np.clip(
        np.exp(np.log(MEDIAN_EMPLOYEES) + 0.6 * quality + 1.1 * rng.standard_normal(n)), 1, 30_000
    )
    productivity = 60 * FEN_PER_WAN * np.exp(0.5 * rng.standard_normal(n))  # 004: 全员劳动生产率 60万元/人
    va_share = rng.uniform(0.2, 0.5, n)  # value added / revenue
    asset_ratio = np.exp(np.log(0.8) + 0.7 * rng.standard_normal(n))  # assets / revenue
    growth = np.clip(rng.normal(0.08, 0.15, n), -0.5, 1.0)
    performer = rng.random(n) < _sigmoid(-1.2 + 1.3 * encouraged + 0.5 * quality)
    intensity = np.where(performer, np.exp(np.log(RD_INTENSITY_MEDIAN) + 0.6 * rng.standard_normal(n)), 0.0)
    gov_share = np.where(rng.random(n) < 0.15, rng.uniform(0.05, 0.4, n), 0.0)
    export_share = np.where(rng.random(n) < 0.12, rng.uniform(0.05, 0.6, n), 0.0)
    rent_per_employee = np.where(
        rng.random(n) < 0.7, 21_900 * 100 * np.exp(0.3 * rng.standard_normal(n)), 0.0
    )
    fiscal_in = rng.random(n) < 0.95

    enterprises = pa.table(
        {
            "entity_id": ids,
            "credit_code": credit_codes(ids),
            "industry": pa.array(np.array(INDUSTRIES, dtype=object)[industry], pa.string()),
            "founded": _dates(founded),
            "district": pa.array(np.full(n, "滨江区", dtype=object), pa.string()),
            "is_foreign_invested": foreign,
            "foreign_capital_usd_cents": foreign_usd_cents,
        },
        schema=tables.ENTERPRISES,
    )

    year_tables = []
    small_by_year = {}
    for y in YEARS:
        alive = founded_year <= y
        scale = (1 + growth) ** (y - LAST_YEAR) * np.exp(0.05 * rng.standard_normal(n))
        employees = np.maximum(1, np.rint(employees_last * scale)).astype(np.int32)
        value_added = employees_last * productivity * scale
        revenue = value_added / va_share
        assets = revenue * asset_ratio
        rd = value_added * intensity * np.exp(0.25 * rng.standard_normal(n))
        gov = rd * gov_share * (rng.random(n) < 0.6)
        small_by_year[y] = (
            (employees <= 500) & (revenue <= 20_000 * FEN_PER_WAN) & (assets <= 20_000 * FEN_PER_WAN)
        )
        cols = {
            "entity_id": ids,
            "year": np.full(n, y, dtype=np.int16),
            "revenue_fen": _fen(revenue),
            "value_added_fen": _fen(value_added),
            "total_assets_fen": _fen(assets),
            "employees": employees,
            "is_above_scale": revenue >= ABOVE_SCALE_REVENUE_FEN,
            "is_fiscal_revenue_in_district": fiscal_in,
            "export_fen": _fen(revenue * export_share),
            "rent_fen": _fen(employees * rent_per_employee),
            "rd_expense_fen": _fen(rd),
            "rd_expense_gov_funded_fen": np.minimum(_fen(gov), _fen(rd)),
        }
        year_tables.append(pa.table({k: v[alive] for k, v in cols.items()}, schema=tables.ENTERPRISE_YEARS))

    events = _qualifications(rng, ids, industry, founded_year, performer, small_by_year)
    return {
        "enterprises": [enterprises],
        "enterprise_years": year_tables,
        "events": [events],
        "talents": [_talents(rng, ids, employees_last)],
        "carriers": [_carriers(rng, ids)],
    }


def _qualifications(rng, ids, industry, founded_year, performer, small_by_year) -> pa.Table:
    """国家高新技术企业 (three-year cycles), 科技型中小企业 (yearly), 专精特新, 雏鹰企业."""
    n = len(ids)
    parts: list[dict[str, np.ndarray]] = []

    def add(mask, title, level, year, valid_years, field=None, month=12, day_span=20):
        k = int(mask.sum())
        if not k:
            return
        y = np.asarray(year)[mask] if np.ndim(year) else np.full(k, year)
        start = _day(y, month, 1) + rng.integers(0, day_span, k).astype(np.int32)
        until = _day(y + valid_years, month, 1) - 1  # the day before the anniversary month
        parts.append(
            {
                "entity_id": ids[mask],
                "title": np.full(k, title, dtype=object),
                "level": np.full(k, level, dtype=object),
                "date": start,
                "valid_until": until,
                "tech_field": field[mask] if field is not None else np.full(k, None, dtype=object),
            }
        )

    # 国家高新技术企业: first recognised a few years after founding (not before 2008, when the present
    # recognition regime began), then renewed every three years.
    first = founded_year + rng.geometric(1 / 3, n)
    first = np.where(first < 2008, 2008 + rng.integers(0, 8, n), first)
    ever = performer & (rng.random(n) < P_HIGH_TECH_GIVEN_RD) & (first <= LAST_YEAR)
    fields = np.array(list(HIGH_TECH_FIELDS), dtype=object)
    p_fields = np.array(list(HIGH_TECH_FIELDS.values()))
    tech_field = fields[rng.choice(len(fields), size=n, p=p_fields / p_fields.sum())]
    equipment = np.array(INDUSTRIES, dtype=object)[industry] == "高端装备制造"
    tech_field = np.where(equipment & (rng.random(n) < 0.7), "先进制造与自动化", tech_field)
    renewing = ever.copy()
    for cycle in range(6):
        year = first + 3 * cycle
        active = renewing & (year <= LAST_YEAR)
        add(active, "国家高新技术企业", "国家", year, 3, field=tech_field)
        renewing &= rng.random(n) < P_HIGH_TECH_RENEW

    # 科技型中小企业: evaluated every year; a small R&D performer that entered once mostly comes back.
    sme_prone = performer & (rng.random(n) < P_TECH_SME_GIVEN_RD)
    for y in YEARS:
        mask = sme_prone & (founded_year <= y) & small_by_year[y] & (rng.random(n) < P_TECH_SME_REPEAT)
        add(mask, "科技型中小企业", "国家", y, 1, month=1, day_span=150)

    # 专精特新 and 雏鹰企业: small shares, dated 2019–2024, valid three years.
    for title, level, share in (
        ("专精特新中小企业", "省", 0.01),
        ("专精特新小巨人", "国家", 0.002),
        ("雏鹰企业", "市", 0.01),
    ):
        year = rng.integers(2019, LAST_YEAR + 1, n)
        add(performer & (rng.random(n) < share) & (founded_year < year), title, level, year, 3, month=6)

    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.argsort(cols["entity_id"], kind="stable")
    k = len(order)
    return pa.table(
        {
            "entity_id": cols["entity_id"][order],
            "type": pa.array(np.full(k, "enterprise_title", dtype=object), pa.string()),
            "date": _dates(cols["date"][order]),
            "title": pa.array(cols["title"][order], pa.string()),
            "level": pa.array(cols["level"][order], pa.string()),
            "tech_field": pa.array(cols["tech_field"][order], pa.string()),
            "valid_until": _dates(cols["valid_until"][order]),
        },
        schema=tables.EVENTS,
    )


def _talents(rng, ids, employees) -> pa.Table:
    """人才: about 2 % of employees hold a talent level A–E; ids are employer_id × 1000 + k."""
    counts = rng.binomial(np.minimum(employees, 10_000).astype(np.int64), 0.02)
    counts = np.minimum(counts, 999)
    employer = np.repeat(ids, counts)
    k = len(employer)
    within = np.arange(k) - np.repeat(np.cumsum(counts) - counts, counts)
    levels = np.array(list(TALENT_LEVELS), dtype=object)
    p = np.array(list(TALENT_LEVELS.values()))
    birth = _day(rng.integers(1960, 2001, k)) + rng.integers(0, 365, k).astype(np.int32)
    arrived = _day(rng.integers(2010, LAST_YEAR + 1, k)) + rng.integers(0, 365, k).astype(np.int32)
    return pa.table(
        {
            "talent_id": employer * 1000 + within,
            "employer_entity_id": employer,
            "talent_level": pa.array(levels[rng.choice(len(levels), size=k, p=p / p.sum())], pa.string()),
            "birth_date": _dates(birth),
            "arrived": _dates(arrived),
        },
        schema=tables.TALENTS,
    )


def _carriers(rng, ids) -> pa.Table:
    """孵化器 and 众创空间, recognised 2010–2024 (about 15 a year at the district's size)."""
    operator = ids[rng.random(len(ids)) < CARRIER_SHARE]
    k = len(operator)
    return pa.table(
        {
            "carrier_id": operator,
            "operator_entity_id": operator,
            "carrier_type": pa.array(
                rng.choice(np.array(["孵化器", "众创空间"], dtype=object), k), pa.string()
            ),
            "level": pa.array(
                rng.choice(np.array(["国家", "省", "市", "区"], dtype=object), k, p=[0.1, 0.3, 0.4, 0.2]),
                pa.string(),
            ),
            "recognized": _dates(
                _day(rng.integers(2010, LAST_YEAR + 1, k)) + rng.integers(0, 365, k).astype(np.int32)
            ),
            "incubated_enterprises": rng.integers(5, 101, k).astype(np.int32),
        },
        schema=tables.CARRIERS,
    )


def synthesize(
    size: int, seed: int, out: Path, progress: Callable[[int], None] | None = None, chunk: int = CHUNK
) -> Summary:
    """Write a population of ``size`` enterprises to ``out`` (created if needed).

    ``progress`` is called with the number of enterprises written after each chunk.
    """
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = Summary(size, seed, {name: 0 for name in tables.SCHEMAS})
    writers = {
        name: pq.ParquetWriter(tables.table_path(out, name), schema, compression="snappy")
        for name, schema in tables.SCHEMAS.items()
    }
    try:
        for index, start in enumerate(range(0, size, chunk)):
            n = min(chunk, size - start)
            for name, parts in generate_chunk(seed, index, start, n).items():
                for part in parts:
                    writers[name].write_table(part, row_group_size=max(part.num_rows, 1))
                    summary.rows[name] += part.num_rows
            if progress:
                progress(start + n)
    finally:
        for w in writers.values():
            w.close()
    return summary
