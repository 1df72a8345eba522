"""Facts of 003-10, 杭州市创业投资引导基金管理办法 (杭政办函〔2019〕47号).

The one payment the rules compute is the yearly management fee (管理费) of the guide fund's entrusted
manager (受托管理机构), set by its assessment grade (考核结果) on the fund's investment of the year before.
"""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, FactSpec, FactType, Period, money_fact

FACTS = (
    money_fact(
        "guide_fund_prior_year_investment_fen",
        "上一年度引导基金实际投资额",
        ORGS,
        doc="003-10/五/（三）: the base of the entrusted manager's fee for the year",
    ),
    FactSpec(
        "guide_fund_assessment_grade",
        "引导基金受托管理机构考核结果",
        FactType.CODE,
        Period.YEAR,
        ORGS,
        allowed=("优秀", "合格", "不合格"),
        doc="003-10/五/（三）、（四）: by the 市创投办; 不合格 → 解聘",
    ),
)
