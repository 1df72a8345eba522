"""Facts of 003-30, 杭州市“雏鹰计划”企业培育工程实施意见 (杭科高〔2020〕71号).

The recognition itself is the shared ``enterprise_title`` event with title 雏鹰企业 (level 市).
"""

from __future__ import annotations

from huiqi.rules.factspec import EntityKind, FactSpec, FactType, Period

_ENT = (EntityKind.ENTERPRISE,)

FACTS = (
    FactSpec(
        "chuying_cultivation_year",
        "“雏鹰企业”培育期第几年（认定当年为第1年）",
        FactType.INT,
        Period.YEAR,
        _ENT,
        unit="年",
        doc="003-30/五/（一）: 培育期3年; 0 or absent = not a 雏鹰企业 that year (撤销 ends it)",
    ),
    FactSpec(
        "chuying_annual_filing_done",
        "“雏鹰企业”已做年度备案",
        FactType.BOOL,
        Period.YEAR,
        _ENT,
        doc="003-30/五/（一）: 不做年度备案的，取消企业享受上年度的贷款贴息资助资格",
    ),
)
