"""Facts of 003-27, 杭州市共性技术研发平台建设与运行管理暂行办法 (杭科合〔2020〕61号), and the yearly
assessment grade (年度考核/绩效评价等次) that the city's carrier documents (003-33 孵化器, 003-38 众创空间)
read as well.
"""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, FactSpec, FactType, Period, money_fact

FACTS = (
    FactSpec(
        "common_platform_build_year",
        "共性技术研发平台新列入建设名单后的第几个年度",
        FactType.INT,
        Period.YEAR,
        ORGS,
        unit="年",
        doc="003-27/第二十三条 连续3年: 1 = the year the platform was newly listed, 0 or absent = not listed",
    ),
    money_fact(
        "new_rd_equipment_fen",
        "新购置研发设备总价",
        doc="003-27/第二十三条: R&D equipment newly bought in the year (事后补助 on the price paid)",
    ),
    FactSpec(
        "annual_assessment_grade",
        "年度考核（绩效评价）等次",
        FactType.CODE,
        Period.YEAR,
        ORGS,
        allowed=("优秀", "良好", "合格", "不合格"),
        doc=(
            "the yearly assessment of a platform / carrier by the "
            "city bureau; 不合格 stops that year's funding"
        ),
    ),
)
