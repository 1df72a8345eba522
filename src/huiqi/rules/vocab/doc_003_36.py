"""Facts and events of 003-36, 杭州市天使投资引导基金管理办法 (杭科资〔2021〕3号): the entrusted
manager's fee (管理费) and the profit share (让利) to a partner angel investor."""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EventSpec, FactSpec, FactType, Period, money_fact

FACTS = (
    money_fact(
        "angel_fund_paid_in_fen",
        "考评年度末市天使投资引导基金实到资金总额",
        doc="003-36/四/（六）: the base of the entrusted manager's fee for the assessed year",
    ),
    FactSpec(
        "angel_fund_assessment_grade",
        "市天使投资引导基金年度绩效评价等次",
        FactType.CODE,
        Period.YEAR,
        ORGS,
        allowed=("优秀", "合格", "不合格"),
        doc="003-36/四/（六）: 管理机构在绩效评价通过后按年收取管理费",
    ),
)

EVENTS = (
    EventSpec(
        "angel_subfund_closed",
        "天使投资子基金存续期结束清算",
        ORGS,
        (
            AttrSpec("capital_recovered", "市引导基金已全额收回出资本金及相应利息", FactType.BOOL),
            AttrSpec(
                "excess_return_fen",
                "同股同权出资中超过6%（年化）部分的收益",
                FactType.MONEY,
                unit="分",
            ),
            AttrSpec("subject", "子基金编号", FactType.TEXT, required=False),
        ),
        doc="003-36/五/（十二）: the partner angel investor (合作的天使投资机构) is the payee",
    ),
)
