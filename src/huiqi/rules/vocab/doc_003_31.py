"""Facts of 003-31, 杭州市科技型企业研发费用投入财政补助资金管理办法 (杭科资〔2020〕72号), for the
single-enterprise rule. The ranking and the budget ratio (第七条（2）, 第九条) are population steps
(``huiqi.population.rd_subsidy_stages``); the facts below carry their results for one enterprise.

Year convention, as in ``huiqi.population.rd_subsidy``: a profile's year Y is the redemption year
(兑现年度, 第三条: after the 汇算清缴 of 上年度); the figures are those of the R&D year Y-1.
"""

from __future__ import annotations

from huiqi.rules.factspec import EntityKind, FactSpec, FactType, Period, money_fact

_ENT = (EntityKind.ENTERPRISE,)

FACTS = (
    money_fact(
        "rd_increase_verified_fen",
        "经核定的研发经费较上年度新增额（自有资金）",
        _ENT,
        doc=(
            "003-31/第八条, 第五条: the R&D year's own-funded R&D expense (加计扣除 base) minus the year "
            "before's, as verified for redemption year Y"
        ),
    ),
    FactSpec(
        "rd_subsidy_class",
        "研发投入补助分档（第七条、第八条）",
        FactType.CODE,
        Period.YEAR,
        _ENT,
        allowed=("规上限上中小微", "规下限下中小微", "先进制造与自动化超规模", "不符合"),
        doc=(
            "003-31/第六条, 第七条: the class of the R&D year (size limits 2亿元/2亿元/500人, 规上/限上, "
            "高新技术企业 field); 不符合 = none of them"
        ),
    ),
    FactSpec(
        "rd_increase_rank",
        "全市同类企业研发经费增加额排序名次",
        FactType.INT,
        Period.YEAR,
        _ENT,
        unit="位",
        doc="003-31/第八条（一）（二）: the rank within the class, from the population ranking stage",
    ),
)
