"""Calibration targets (校准目标) of the synthetic population, each with the sentence it comes from.

The documents give district totals and intensities, never the number of enterprises, so one
assumption sets the scale: :data:`DISTRICT_ENTERPRISES`. At ``--size N`` every count target is
multiplied by ``N / DISTRICT_ENTERPRISES``. ``docs/population.md`` shows targets against measured
values; a test checks each quote against its policy file.
"""

from __future__ import annotations

from dataclasses import dataclass

# ASSUMPTION, not from the documents: the number of enterprises (独立法人) of 高新区（滨江） that the
# targets below refer to. A round order of magnitude; change it here and every count target scales.
DISTRICT_ENTERPRISES = 100_000


@dataclass(frozen=True, slots=True)
class Target:
    """A figure of the documents the generator is tuned to reproduce."""

    key: str
    value: float  # a count at DISTRICT_ENTERPRISES, or a ratio
    unit: str
    policy_file: str  # under policies/
    quote: str
    how: str  # what is measured in the population to compare


TARGETS: tuple[Target, ...] = (
    Target(
        "high_tech_enterprises",
        3800,
        "家",
        "004/004_dc0e827fd534e4fe.txt",
        "国家高新技术企业数达3800家",
        "enterprises with a 国家高新技术企业 recognition valid on 2024-12-31",
    ),
    Target(
        "tech_smes",
        6000,
        "家",
        "004/004_dc0e827fd534e4fe.txt",
        "科技型中小企业6000家以上",
        "enterprises evaluated 科技型中小企业 for 2024",
    ),
    Target(
        "rd_intensity",
        0.095,
        "ratio",
        "004/004_dc0e827fd534e4fe.txt",
        "全社会R&D经费投入强度保持在9%以上",
        "Σ rd_expense_fen / Σ value_added_fen in 2023 (value added stands in for GDP)",
    ),
    Target(
        "rd_intensity_2023",
        0.10,
        "ratio",
        "001/001_d1d7da49c784f207.txt",
        "2023年，全区研发投入强度力争10%",
        "same measure; the generator aims between the two (9.5 %)",
    ),
    Target(
        "labour_productivity_fen",
        60_000_000,
        "分/人",
        "004/004_dc0e827fd534e4fe.txt",
        "全员劳动生产率达60万元/人",
        "median value added per employee (the generator's centre)",
    ),
    Target(
        "new_high_tech_per_year",
        350,
        "家/年",
        "001/001_d1d7da49c784f207.txt",
        "新认定高新技术企业350家",
        "first 国家高新技术企业 recognitions dated 2023",
    ),
    Target(
        "new_carriers_per_year",
        15,
        "个/年",
        "001/001_d1d7da49c784f207.txt",
        "新认定各级孵化器、众创空间15个",
        "carriers recognised in 2023",
    ),
)

TARGETS_BY_KEY = {t.key: t for t in TARGETS}


def scaled(key: str, size: int) -> float:
    """A count target at population ``size`` (ratios are returned unchanged)."""
    t = TARGETS_BY_KEY[key]
    return t.value if t.unit == "ratio" else t.value * size / DISTRICT_ENTERPRISES
