"""Events of 003-11, 关于完善科技体制机制健全科技服务体系的若干意见 (杭政函〔2020〕128号).

Its benefits carry no figures (discretionary items); national and provincial programmes and
laboratories reuse 001's events ``project_approved`` and ``platform_recognized``, the 科技中介服务示范机构
003-28's ``tech_intermediary_demo_selected``.
"""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EventSpec, FactType

_SUBJECT = AttrSpec("subject", "机构/项目编号", FactType.TEXT, required=False)

EVENTS = (
    EventSpec(
        "research_result_landed",
        "科研成果孵化后引入本市落地产业化",
        ORGS,
        (_SUBJECT,),
        doc="003-11/三/（五）: 依据产出绩效给予重点支持",
    ),
    EventSpec(
        "city_key_tech_challenge_undertaken",
        "承担市关键核心技术攻关专项（揭榜挂帅）",
        ORGS,
        (_SUBJECT,),
        doc="003-11/四/（六）: the city's 揭榜挂帅 (002's breakthrough_project_accepted is the district's)",
    ),
    EventSpec(
        "strategic_carrier_agreement_signed",
        "市政府签署合作共建协议的重大战略性创新载体",
        ORGS,
        (_SUBJECT,),
        doc="003-11/四/（七）: 一所（院）一策",
    ),
)
