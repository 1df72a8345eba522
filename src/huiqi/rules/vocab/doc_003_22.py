"""Facts and events of 003-22, 杭州市加快中小企业“专精特新”发展行动计划 (杭政办函〔2022〕29号), and the
loan-interest facts (贷款贴息) that 003-30 雏鹰计划 reads as well.
"""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EntityKind, EventSpec, FactSpec, FactType, Period, money_fact

_ENT = (EntityKind.ENTERPRISE,)
_SUBJECT = AttrSpec("subject", "产品/工厂编号", FactType.TEXT, required=False)

FACTS = (
    money_fact(
        "bank_loan_fen",
        "当年获得的银行贷款实际贷款额（符合贴息条件的）",
        _ENT,
        doc=(
            "003-22/二/（四）/11 (重大研发、重大技改、投资扩产等) and 003-30 (培育期内): the loans the "
            "interest subsidy (贴息补助) is computed on; the purpose is checked when the loans are entered"
        ),
    ),
    FactSpec(
        "lpr_january",
        "当年1月份同期限档次贷款市场报价利率（LPR）",
        FactType.DECIMAL,
        Period.YEAR,
        ORGS,
        doc='published rate as a decimal ("0.0365" for 3.65%), for the loan\'s term',
    ),
)

EVENTS = (
    EventSpec(
        "first_of_kind_scope_recognized",
        "首台（套）产品认定（国际、国内、省内首台套）",
        ORGS,
        (AttrSpec("scope", "首台（套）范围", FactType.CODE, ("国际", "国内", "省内")), _SUBJECT),
        doc="003-22/二/（二）/5: the novelty scope of the recognised first-of-a-kind product",
    ),
    EventSpec(
        "digital_factory_rated",
        "评定为链主工厂、智能工厂、数字化车间",
        _ENT,
        (AttrSpec("factory_kind", "类别", FactType.CODE, ("链主工厂", "智能工厂", "数字化车间")), _SUBJECT),
        doc="003-22/二/（三）/8",
    ),
    EventSpec(
        "listed_on_exchange",
        "成功上市",
        _ENT,
        (AttrSpec("exchange", "交易所", FactType.CODE, ("上交所", "深交所", "北交所", "境外")),),
        doc="003-22/二/（四）/10: listing day (按照“凤凰行动”有关政策)",
    ),
)
