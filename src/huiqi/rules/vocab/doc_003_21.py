"""Facts and events of 003-21, 关于加快生物医药产业高质量发展的若干意见 (杭政办函〔2021〕39号).

The document pays per 品种 (drug or device variety) and per 临床试验阶段 (clinical-trial phase), so
most of its triggers are events carrying the variety as ``subject`` (the 从优、就高、不重复 key).
"""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EntityKind, EventSpec, FactType, money_fact

_SUBJECT = AttrSpec("subject", "品种/产品/项目编号", FactType.TEXT, required=False)
_RD = AttrSpec("rd_investment_fen", "研发投入", FactType.MONEY, unit="分")
_INSTITUTION = (EntityKind.INSTITUTION,)

FACTS = (
    money_fact(
        "first_of_kind_device_purchase_fen",
        "医疗机构采购经认定首台（套）医疗器械金额",
        _INSTITUTION,
        doc="003-21/三/（十二）: the hospital's purchases of recognised 首台（套） devices in the year",
    ),
    money_fact(
        "innovative_product_use_fen",
        "医疗机构使用经认定创新药械、优质杭产药械金额",
        _INSTITUTION,
        doc="003-21/三/（十二）: the amount of recognised innovative / Hangzhou-made products used",
    ),
    money_fact(
        "industrial_output_fen",
        "工业总产值（属地）",
        doc="003-21/四/（十六）: 属地工业产值 — gross industrial output booked locally",
    ),
    money_fact(
        "platform_service_contract_fen",
        "平台为本市生物医药企事业单位服务的技术合同金额",
        (EntityKind.CARRIER, EntityKind.INSTITUTION, EntityKind.ENTERPRISE),
        doc="003-21/六/（二十三）: contracts with no investment tie to the client (服务双方须无投资关联)",
    ),
)

EVENTS = (
    EventSpec(
        "drug_clinical_trial",
        "新药临床试验阶段完成（获许可并在本市生产）",
        ORGS,
        (
            AttrSpec("drug_class", "注册分类", FactType.CODE, ("1类", "2类", "3类", "古代经典名方")),
            AttrSpec("phase", "临床试验阶段", FactType.CODE, ("I期", "II期", "III期")),
            _RD,
            _SUBJECT,
        ),
        doc=(
            "003-21/二/（五）（六）: a phase of a drug's clinical trial in China, the applicant licensed and "
            "producing in Hangzhou; drug_class 1类/2类/3类 covers 化学药、生物制品、中药 alike"
        ),
    ),
    EventSpec(
        "drug_new_indication",
        "已上市创新药品再开发新增适应症",
        ORGS,
        (_SUBJECT,),
        doc="003-21/二/（六）: a marketed innovative drug produced in Hangzhou gains a new indication",
    ),
    EventSpec(
        "medical_device_registered",
        "医疗器械取得注册证（在本市生产）",
        ORGS,
        (
            AttrSpec(
                "device_kind",
                "器械类别",
                FactType.CODE,
                ("创新或优先审批", "创新型二类", "三类"),
            ),
            _RD,
            _SUBJECT,
        ),
        doc=(
            "003-21/二/（七）: 创新或优先审批 = "
            "进入国家创新医疗器械特别审查程序或优先审批程序 and 首次获得注册证"
        ),
    ),
    EventSpec(
        "overseas_market_approval",
        "首次取得境外上市资质并实现销售",
        ORGS,
        (AttrSpec("product_kind", "产品类别", FactType.CODE, ("药品", "三类医疗器械")), _SUBJECT),
        doc="003-21/二/（八）: FDA / EMA / PMDA 等 approval and sales in that market",
    ),
    EventSpec(
        "biopharma_project_investment",
        "重大生物医药产业项目新建固定资产投资",
        ORGS,
        (AttrSpec("fixed_asset_investment_fen", "实际固定资产投资总额", FactType.MONEY, unit="分"), _SUBJECT),
        doc="003-21/四/（十五）: excluding land, buildings bought, used equipment and working capital",
    ),
    EventSpec(
        "volume_procurement_win",
        "国家药品集中带量采购中标",
        ORGS,
        (AttrSpec("winning_total_fen", "中标总价", FactType.MONEY, unit="分"), _SUBJECT),
        doc="003-21/四/（十六）: one winning variety (中标品种)",
    ),
    EventSpec(
        "mah_outsourced_production",
        "MAH委托（受托）CMO/CDMO研发生产",
        ORGS,
        (_SUBJECT,),
        doc=(
            "003-21/四/（十七）: sales tax and output booked in Hangzhou; "
            "no investment tie between the parties"
        ),
    ),
    EventSpec(
        "biopharma_platform_recognized",
        "认定为市重点生物医药产业公共服务平台",
        (EntityKind.CARRIER, EntityKind.INSTITUTION, EntityKind.ENTERPRISE),
        (
            AttrSpec("new_investment_fen", "核定研发设备、软件投入等新增投入", FactType.MONEY, unit="分"),
            _SUBJECT,
        ),
        doc="003-21/六/（二十三）: the recognition, with the platform's approved new investment",
    ),
)
