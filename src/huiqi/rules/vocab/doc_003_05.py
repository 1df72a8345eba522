"""Events of 003-05, 关于实施“新制造业计划”推进高质量发展的若干意见 (中共杭州市委 杭州市人民政府).

Its benefits carry no figures ("分档定额奖励", "相应奖励", "给予资助"): they are discretionary items, each
triggered by a recognition or a milestone below (or by shared events: ``enterprise_title``,
``platform_recognized``, ``innovation_org_recognized``, ``award_achievement_industrialized``,
``first_of_kind_scope_recognized``).
"""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EntityKind, EventSpec, FactType

_ENT = (EntityKind.ENTERPRISE,)
_SUBJECT = AttrSpec("subject", "项目/园区编号", FactType.TEXT, required=False)

EVENTS = (
    EventSpec(
        "manufacturing_revenue_first_reached",
        "制造业企业年营收首次达到新档次",
        _ENT,
        (AttrSpec("revenue_fen", "当年营业收入", FactType.MONEY, unit="分"),),
        doc="003-05/三/（八）: dated at the year's end; the first year the revenue reached the step",
    ),
    EventSpec(
        "tech_renovation_project_completed",
        "技术改造项目完成",
        _ENT,
        (
            AttrSpec(
                "investment_fen", "实际完成投资额（设备、外购技术及软件投入）", FactType.MONEY, unit="分"
            ),
            _SUBJECT,
        ),
        doc="003-05/三/（十）",
    ),
    EventSpec(
        "smart_manufacturing_demo_recognized",
        "智能制造应用项目试点示范经认定",
        _ENT,
        (_SUBJECT,),
        doc="003-05/三/（十）",
    ),
    EventSpec(
        "quality_award_won",
        "获得政府质量奖（含提名奖）",
        ORGS,
        (
            AttrSpec("level", "级别", FactType.CODE, ("国家", "省", "市")),
            AttrSpec("nominee", "提名奖", FactType.BOOL),
        ),
        doc="003-05/三/（十一）: 中国质量奖、浙江省人民政府质量奖、杭州市人民政府质量奖",
    ),
    EventSpec(
        "industrial_design_recognized",
        "工业设计研究院、设计院、设计中心获认定",
        ORGS,
        (
            AttrSpec(
                "kind",
                "类别",
                FactType.CODE,
                ("国家级工业设计研究院", "省级重点企业设计院", "国家级工业设计中心", "省级工业设计中心"),
            ),
            AttrSpec("grant_fen", "上级资助额度", FactType.MONEY, required=False, unit="分"),
        ),
        doc="003-05/三/（十一）: grant_fen is the national or provincial grant the city matches (同比例)",
    ),
    EventSpec(
        "zero_land_renovation_recognized",
        "“零土地”技术改造提高现有工业用地土地利用率",
        _ENT,
        (_SUBJECT,),
        doc="003-05/四/（十四）",
    ),
    EventSpec(
        "upgraded_demo_park_recognized",
        "升级示范园经认定",
        ORGS,
        (_SUBJECT,),
        doc="003-05/五/（十九）",
    ),
)
