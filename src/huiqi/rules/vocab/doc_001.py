"""Facts and events read by 001 (关于推动经济高质量发展的若干政策（征求意见稿）, 2023).

001's measures pay for things the shared vocabulary does not yet name: research platforms and
carriers recognised (研发机构、平台认定), foreign investment by US-dollar capital (外资项目实到注册资本),
incubation (在孵), foreign-trade service enterprises (外综服企业), consumption-promotion events
(促消费活动), new e-commerce (新电商). Amounts in US dollars are whole dollars (美元, type int): the
documents state those thresholds in 美元 and they are never converted to 元.

Every "第几年" fact counts the start year as year 1 (设立当年 / 入驻当年 = 1): "三年内" is then
``index <= 3``.
"""

from __future__ import annotations

from huiqi.rules.factspec import (
    LEVELS,
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
_LEVEL = AttrSpec("level", "级别", FactType.CODE, LEVELS)
_SUBJECT = AttrSpec("subject", "对象编号（产品/项目/标准）", FactType.TEXT, required=False)

FACTS: tuple[FactSpec, ...] = (
    # --- 001/二/15, 17, 19 科技创新 -----------------------------------------------------------------
    FactSpec(
        "has_city_rd_increment_subsidy",
        "研发投入增量全市排名靠前并获市级研发投入补助",
        FactType.BOOL,
        Period.YEAR,
        ORGS,
        doc="001/二/15: the city's R&D-increment subsidy obtained in the year (配套 follows it)",
    ),
    FactSpec(
        "incubator_host_level",
        "所入驻科技企业孵化器（众创空间）的级别",
        FactType.CODE,
        Period.YEAR,
        _ENT,
        allowed=(*LEVELS, "无"),
        doc="001/二/17: the recognition level of the incubator or 众创空间 housing an in-incubation "
        "(在孵) or maker (创客) enterprise; 无 = not housed in one",
    ),
    FactSpec(
        "incubation_year_index",
        "在孵第几年（入驻当年为第1年）",
        FactType.INT,
        Period.YEAR,
        _ENT,
        unit="年",
        doc="001/二/17 给予三年…房租补贴: years 1–3 of incubation qualify",
    ),
    FactSpec(
        "incubator_annual_rating",
        "孵化器（众创空间）年度考核结果",
        FactType.CODE,
        Period.YEAR,
        (EntityKind.CARRIER,),
        allowed=("优秀", "良好", "合格", "不合格"),
        doc="001/二/17: 年度考核优秀",
    ),
    money_fact(
        "platform_tech_contract_output_fen",
        "应用技术交易平台实现的年度输出技术合同交易额",
        (EntityKind.INSTITUTION,),
        doc="001/二/19: technology contracts a university, research institute or non-enterprise new "
        "R&D institution sold through the technology trading platform in the year",
    ),
    # --- 001/四 现代服务业 ------------------------------------------------------------------------------
    FactSpec(
        "is_smart_manufacturing_supplier",
        "纳入区智能制造系统解决方案供应商的培育企业",
        FactType.BOOL,
        Period.YEAR,
        _ENT,
        doc="001/四/30 (the text writes 解决问题供应商)",
    ),
    FactSpec(
        "is_cultural_enterprise_filed",
        "落户的文创备案企业",
        FactType.BOOL,
        Period.YEAR,
        _ENT,
        doc="001/四/34",
    ),
    FactSpec(
        "is_writers_village_enterprise",
        "中国网络作家村已入驻作家所设企业",
        FactType.BOOL,
        Period.YEAR,
        _ENT,
        doc="001/四/34",
    ),
    money_fact("copyright_trade_fen", "版权交易额", _ENT, doc="001/四/34 版权交易补助的基数"),
    # --- 001/五 扩大内需和对外开放 ----------------------------------------------------------------------
    FactSpec(
        "foreign_paid_in_capital_usd",
        "外资项目实到注册资本（美元）",
        FactType.INT,
        Period.YEAR,
        _ENT,
        unit="美元",
        doc="001/五/39: paid-in registered capital of a foreign-invested project (含增资), whole US dollars",
    ),
    FactSpec(
        "foreign_investment_year_index",
        "自设立（或增资）年度起第几年（设立或增资当年为第1年）",
        FactType.INT,
        Period.YEAR,
        _ENT,
        unit="年",
        doc="001/五/39 自设立（或增资）年度起三年内",
    ),
    FactSpec(
        "export_usd",
        "年出口额（美元）",
        FactType.INT,
        Period.YEAR,
        _ENT,
        unit="美元",
        doc="001/五/40 states its threshold in US dollars; export_fen is the same flow in 元",
    ),
    FactSpec(
        "is_foreign_trade_service_enterprise",
        "外贸综合服务企业（外综服企业）",
        FactType.BOOL,
        Period.YEAR,
        _ENT,
        doc="001/五/41",
    ),
    money_fact("h1_export_fen", "1-2季度出口额", _ENT, doc="001/五/41"),
    money_fact(
        "h1_export_increment_fen",
        "1-2季度出口较去年同期新增部分",
        _ENT,
        doc="001/五/41: the first half-year's exports minus those of the same period a year earlier",
    ),
    FactSpec(
        "is_in_cultural_export_base",
        "国家文化出口基地内企业",
        FactType.BOOL,
        Period.YEAR,
        _ENT,
        doc="001/五/42",
    ),
    FactSpec(
        "is_new_ecommerce_enterprise",
        "招引的新电商企业（已落户、纳入国家统计局联网直报平台并上报统计数据）",
        FactType.BOOL,
        Period.YEAR,
        _ENT,
        doc="001/五/44: support runs from the year it settles and reports statistics",
    ),
)

EVENTS: tuple[EventSpec, ...] = (
    EventSpec(
        "platform_recognized",
        "研发机构、创新平台、孵化载体认定（备案、列入培育名单）",
        ORGS,
        (
            AttrSpec(
                "platform_type",
                "平台类型",
                FactType.CODE,
                (
                    "省实验室",
                    "技术创新中心",
                    "重点实验室",
                    "工程技术研究中心",
                    "企业研究院",
                    "重点企业研究院",
                    "研发中心",
                    "海外创新孵化中心",
                    "海外科技创新中心",
                    "国际科技合作基地",
                    "国际联合实验室",
                    "外资研发中心",
                    "科技企业孵化器",
                    "众创空间",
                    "概念验证中心",
                    "工业互联网平台",
                ),
            ),
            _LEVEL,
            _SUBJECT,
        ),
        doc="001/二/12, 16, 17, 19; 001/四/31: 新认定 — the date is the recognition (备案, listing) date",
    ),
    EventSpec(
        "project_approved",
        "科技计划项目、重大项目获批立项",
        ORGS,
        (
            AttrSpec(
                "program",
                "项目类别",
                FactType.CODE,
                ("科技计划项目", "创新联合体重大科技项目", "技术攻关重大项目"),
            ),
            _LEVEL,
            _SUBJECT,
        ),
        doc="001/二/13 (配套资助; 创新联合体 major projects), 001/四/31 (集成电路 国家、省重大项目)",
    ),
    EventSpec(
        "excellent_software_project",
        "软件国家级优秀项目（方案）获评",
        _ENT,
        (
            AttrSpec(
                "program",
                "项目类别",
                FactType.CODE,
                ("工业互联网APP优秀解决方案", "网络安全技术应用试点示范项目"),
            ),
            _LEVEL,
            _SUBJECT,
        ),
        doc="001/四/30",
    ),
    EventSpec(
        "public_cultural_venue_built",
        "社会力量投资或建设的公共文化场馆经核定",
        ORGS,
        (_SUBJECT,),
        doc="001/四/32: 依照补助标准，经核定给予一次性投资补助",
    ),
    EventSpec(
        "attracted_cultural_enterprise_scaled_up",
        "招引的文化企业成为规模以上文化及相关产业企业",
        ORGS,
        (
            AttrSpec(
                "years_after_settling",
                "经认定后第几年成为规上（认定当年为第1年）",
                FactType.INT,
                unit="年",
            ),
            _SUBJECT,
        ),
        doc="001/五/42: paid to the base's operator (运营机构); subject = the attracted enterprise",
    ),
    EventSpec(
        "cultural_export_key_enterprise",
        "文化出口重点企业认定",
        _ENT,
        (_LEVEL,),
        doc="001/五/42: 国家、浙江省文化出口重点企业",
    ),
    EventSpec(
        "consumption_promotion_activity",
        "促消费活动（经认定）",
        ORGS,
        (
            AttrSpec(
                "actual_input_fen",
                "活动实际投入（不含发券减免、补助金额）",
                FactType.MONEY,
                unit="分",
            ),
            _SUBJECT,
        ),
        doc="001/五/43: one event per activity (单场), organised by the applicant (主办方)",
    ),
    EventSpec(
        "ecommerce_top10_city_award",
        "进入电商平台销售排行榜Top10并获得市级奖励",
        _ENT,
        (AttrSpec("platform", "电商平台", FactType.CODE, ("天猫", "京东", "抖音", "快手", "其他")),),
        doc="001/五/44",
    ),
)
