"""Facts of 003-39, 杭州市新型研发机构管理办法 (杭科合〔2021〕99号)."""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, FactSpec, FactType, Period

FACTS = (
    FactSpec(
        "is_city_new_rd_institution",
        "市级新型研发机构（在名单内）",
        FactType.BOOL,
        Period.YEAR,
        ORGS,
        doc="003-39/四/（四）: on the city list that year (不合格 and not rectified → 取消资格 → false)",
    ),
)
