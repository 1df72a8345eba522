"""Facts and events of 003-01, 关于深化人才发展体制机制改革完善人才新政的若干意见 (2016-11-02).

The talent policy of 2016: most of it reforms how talents are evaluated and managed; the money is
the 顶尖人才 project grant (一事一议), the graduate living subsidy (shared event with 003-12), the 1:1
matching of provincial support (国家级重大创新载体, 国家“万人计划” 特殊支持) and the E类人才 rent subsidy.
Talent classes A–E (人才层次) are the shared fact ``talent_level``.
"""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EntityKind, EventSpec, FactSpec, FactType, Period

_SUBJECT = AttrSpec("subject", "项目/载体编号", FactType.TEXT, required=False)

FACTS = (
    FactSpec(
        "talent_rent_subsidy_months",
        "当年享受人才租赁补贴的月数",
        FactType.INT,
        Period.YEAR,
        (EntityKind.TALENT,),
        unit="个",
        doc="003-01/四/22: E类人才 租赁补贴 is paid per month (每月1500元); months of the year that qualify",
    ),
)

EVENTS = (
    EventSpec(
        "top_talent_major_project",
        "顶尖人才和团队重大项目经评价立项",
        (EntityKind.TALENT, EntityKind.ENTERPRISE),
        (_SUBJECT,),
        doc="003-01/一/1: 顶尖人才和团队的重大项目经科学合理评价后 (一事一议)",
    ),
    EventSpec(
        "national_innovation_carrier_task",
        "企业牵头承担国家级重大创新载体任务（获省扶持经费）",
        ORGS,
        (
            AttrSpec(
                "carrier_kind",
                "载体类别",
                FactType.CODE,
                ("国家工程实验室", "国家重点实验室", "国家工程（技术）研究中心", "其他国家级重大创新载体"),
            ),
            AttrSpec("province_support_fen", "省扶持经费", FactType.MONEY, required=False, unit="分"),
            _SUBJECT,
        ),
        doc=(
            "003-01/一/4: dated when the task is approved; the city matches the provincial support 1:1. "
            "003-08/二 reads it too (人工智能方向, industry 人工智能)"
        ),
    ),
    EventSpec(
        "research_institute_co_built",
        "引进共建高端科研院所",
        ORGS,
        (_SUBJECT,),
        doc="003-01/一/4: 对引进共建的研究院所按照建设进度、科研投入和产生实效给予经费等方面的支持",
    ),
    EventSpec(
        "special_support_funding",
        "国家“万人计划”人才获得国家或省特殊支持经费资助",
        (EntityKind.TALENT,),
        (
            AttrSpec("level", "资助级别", FactType.CODE, ("国家", "省")),
            AttrSpec("amount_fen", "特殊支持经费", FactType.MONEY, unit="分"),
        ),
        doc="003-01/一/7: 市财政按照1：1的比例给予配套资助",
    ),
)
