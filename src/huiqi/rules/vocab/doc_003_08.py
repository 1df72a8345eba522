"""Facts and events of 003-08, 杭州市建设国家新一代人工智能创新发展试验区若干政策 (杭政函〔2019〕114号).

The AI pilot-zone policy pays for selected projects (市重大科技创新项目人工智能专项, 应用场景项目),
platforms (科技创新服务平台, 共性技术研发平台) and standards; each selection is an event carrying the
money figure its rate applies to. "人工智能企业" is the shared fact ``industry == "人工智能"``.
"""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EntityKind, EventSpec, FactSpec, FactType, Period

_SUBJECT = AttrSpec("subject", "项目/平台编号", FactType.TEXT, required=False)

FACTS = (
    FactSpec(
        "is_ai_common_tech_platform",
        "人工智能共性技术研发平台建设主体",
        FactType.BOOL,
        Period.YEAR,
        ORGS,
        doc="003-08/三: the builder of a supported 人工智能共性技术研发平台 in the year",
    ),
    FactSpec(
        "ai_enterprise_share_of_incubatees",
        "人工智能企业占在孵企业总数比例",
        FactType.DECIMAL,
        Period.YEAR,
        (EntityKind.CARRIER,),
        doc='003-08/九: a ratio written as a string ("0.65")',
    ),
)

EVENTS = (
    EventSpec(
        "ai_major_project_approved",
        "市重大科技创新项目人工智能专项立项",
        ORGS,
        (
            AttrSpec("rd_investment_fen", "项目研发投入", FactType.MONEY, unit="分"),
            AttrSpec("core", "专家审定推荐的基础核心技术攻关项目", FactType.BOOL),
            _SUBJECT,
        ),
        doc="003-08/一: core = 市人工智能战略咨询专家委员会专家审定推荐的芯片、核心算法、操作系统等项目",
    ),
    EventSpec(
        "provincial_ai_project_selected",
        "入选省数字经济重大科技专项人工智能专项",
        ORGS,
        (_SUBJECT,),
        doc="003-08/一",
    ),
    EventSpec(
        "ai_service_platform_accepted",
        "人工智能科技创新服务平台服务产业取得良好成效（经认定）",
        ORGS,
        (AttrSpec("investment_fen", "平台软硬件实际投入", FactType.MONEY, unit="分"), _SUBJECT),
        doc="003-08/三: 开源开放、协同共享的人工智能科技创新服务平台",
    ),
    EventSpec(
        "ai_scenario_project_selected",
        "人工智能行业示范应用场景项目入围",
        ORGS,
        (AttrSpec("total_investment_fen", "项目总投资", FactType.MONEY, unit="分"), _SUBJECT),
        doc="003-08/四",
    ),
    EventSpec(
        "ai_major_event_recognized",
        "经认定的人工智能重大活动",
        ORGS,
        (_SUBJECT,),
        doc="003-08/十一",
    ),
    EventSpec(
        "high_value_patent_portfolio_accepted",
        "市级高价值专利组合培育项目验收合格",
        ORGS,
        (_SUBJECT,),
        doc="003-08/十一",
    ),
)
