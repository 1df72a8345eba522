"""Facts and events read by 000 (关于策源新质生产力 加快建设世界领先科技园区的若干政策意见（征求意见稿）).

000's measures name classes of beneficiaries the shared vocabulary does not yet hold — 高研值 enterprises,
瞪羚企业, 领军企业跨越发展计划, 拟上市企业, 外贸企业, “5050”计划 projects, 江北区块, 总部企业, 新引进项目,
“三数一链” 数商 — and the bases of the four ways of paying out of its 附则 5 (研发投入, 贷款利息 at the
benchmark rate, 注册资本, 投资额, 营销网络 costs).

Bases already in the vocabulary are reused: ``rd_expense_fen`` (研发投入), ``investment_fen`` (投资额),
``is_smart_manufacturing_supplier`` (001's 智能制造系统解决问题供应商培育企业, the same designation as
000/二/（四）/15's 重点培育企业). Titles and carrier kinds are added to the existing coded lists (``CODES``).
"""

from __future__ import annotations

from huiqi.rules.factspec import (
    ORGS,
    AttrSpec,
    EntityKind,
    EventSpec,
    FactSpec,
    FactType,
    Period,
    money_fact,
)

_ENT = (EntityKind.ENTERPRISE,)


def _flag(name: str, label: str, doc: str, entities=_ENT) -> FactSpec:
    return FactSpec(name, label, FactType.BOOL, Period.YEAR, tuple(entities), doc=doc)


# Codes 000 adds to coded facts and event attributes declared elsewhere.
CODES = {
    # 000/二/（一）/1 浙江省科技领军企业、浙江省科技小巨人企业 (level 省); 000/二/（二）/5 瞪羚企业
    "enterprise_title.title": ("科技领军企业", "科技小巨人企业", "瞪羚企业"),
    # 000/二/（一）/3 “众创空间—孵化器—加速器—产业园—特色小镇”全链条孵化体系
    "carrier_type": ("加速器",),
}

FACTS: tuple[FactSpec, ...] = (
    # --- designations held over a year ------------------------------------------------------------
    _flag("is_high_rd_value_enterprise", "“高研值”企业", "000/二/（一）/1: 对“高研值”企业实施研发补助政策"),
    _flag(
        "is_leading_enterprise_plan",
        "列入“领军企业跨越发展计划”",
        "000/二/（二）/6",
    ),
    _flag(
        "is_listing_candidate",
        "拟上市企业",
        "000/二/（二）/7: an enterprise preparing an IPO (分阶段、按进度给予400万元奖励)",
    ),
    _flag(
        "is_foreign_trade_enterprise",
        "从事货物贸易、跨境电子商务、服务贸易等行业的外贸企业",
        "000/二/（二）/8",
    ),
    _flag(
        "is_top_talent_led_project",
        "诺奖、图灵奖、院士等人才领衔的项目",
        "000/二/（三）/10: 可给予“一事一议”，最高1亿元扶持",
    ),
    _flag("is_in_jiangbei_block", "位于江北区块", "000/二/（三）/11"),
    _flag(
        "is_tech_enterprise",
        "科技型企业",
        "000/二/（三）/11: 对符合鼓励类产业导向的科技型企业给予一定的房租、研发投入等政策扶持",
    ),
    _flag(
        "is_data_support_enterprise",
        "为数据要素产业发展提供技术支撑、产业配套服务的相关企业",
        "000/二/（四）/19",
    ),
    # --- the bases of 附则 5's four ways of paying out (000/三/5) ------------------------------------
    money_fact(
        "loan_interest_benchmark_fen",
        "银行贷款按同期银行贷款基准利率计算的利息",
        _ENT,
        doc="000/三/5（2）: the ceiling of 贴息资助 is 100% of the interest at the benchmark rate",
    ),
    money_fact(
        "new_registered_capital_fen",
        "新引进或新增注册资本（人民币）",
        _ENT,
        doc="000/三/5（2）: registered capital of a project newly brought in, or added, in the year",
    ),
    FactSpec(
        "new_registered_capital_usd",
        "新引进或新增注册资本（美元）",
        FactType.INT,
        Period.YEAR,
        _ENT,
        unit="美元",
        doc="000/三/5（2）: the same, when subscribed in US dollars (whole dollars, never converted)",
    ),
    money_fact(
        "paid_in_registered_capital_fen",
        "实到注册资本",
        _ENT,
        doc="000/三/5（2）: capital actually paid in during the year, in 元 as booked (the base of 5—10%)",
    ),
    money_fact(
        "marketing_network_domestic_cost_fen",
        "在境内设立营销网络发生的经营费用",
        _ENT,
        doc="000/三/5（4）: the base of the 20% 市场拓展资助",
    ),
    money_fact(
        "marketing_network_overseas_cost_fen",
        "在境外设立营销网络发生的经营费用",
        _ENT,
        doc="000/三/5（4）: the base of the 50% 市场拓展资助",
    ),
)

EVENTS: tuple[EventSpec, ...] = (
    EventSpec(
        "plan_5050_selected",
        "“5050”计划项目入选",
        _ENT,
        (),
        doc="000/二/（三）/10: the project company of a talent selected into the district's “5050” plan",
    ),
    EventSpec(
        "headquarters_recognized",
        "总部企业分类认定",
        _ENT,
        (
            AttrSpec(
                "hq_type",
                "总部类型",
                FactType.CODE,
                ("规模型总部", "研发型总部", "上市企业总部", "其他总部"),
                required=False,
            ),
        ),
        doc="000/二/（三）/12: 按规模型总部、研发型总部、上市企业总部、其他总部等给予分类认定",
    ),
    EventSpec(
        "project_introduced",
        "新引进项目落户",
        ORGS,
        (),
        doc="000/二/（三）/13: a project newly brought into the district (新引进符合主导产业发展导向的项目)",
    ),
    EventSpec(
        "data_merchant_admitted",
        "进入“三数一链”体系（数商企业）",
        _ENT,
        (),
        doc="000/二/（四）/19: 支持进入“三数一链”体系的数商企业",
    ),
)
