"""Facts and events of 003-03, 关于鼓励在杭高校及其师生在杭创新创业的若干意见 (杭政函〔2017〕5号).

Its beneficiaries are the universities in Hangzhou (在杭高校, institutions), their technology-transfer
centres, parks and incubators, and the enterprises their teachers and students found.
"""

from __future__ import annotations

from huiqi.rules.factspec import (
    ALL_KINDS,
    ORGS,
    AttrSpec,
    EntityKind,
    EventSpec,
    FactSpec,
    FactType,
    Period,
    money_fact,
)

_SUBJECT = AttrSpec("subject", "项目/园区编号", FactType.TEXT, required=False)

FACTS = (
    money_fact(
        "brokered_tech_transaction_fen",
        "促成技术成果向本市企业转化的技术合同实际发生技术交易额",
        (EntityKind.INSTITUTION, EntityKind.CARRIER),
        doc="003-03/四: a university's technology-transfer centre (技术转移中心), the year's brokered deals",
    ),
    FactSpec(
        "is_city_sme_demo_period",
        "本市小微企业创业创新基地城市示范期间",
        FactType.BOOL,
        Period.YEAR,
        ALL_KINDS,
        doc=(
            "003-03/六: the 众创空间 awards hold only while Hangzhou is a 小微企业创业创新基地示范城市; "
            "the text gives no dates, so the year's status is an input"
        ),
    ),
    FactSpec(
        "founded_by_university_member",
        "在杭高校师生新创办的企业",
        FactType.BOOL,
        Period.STATIC,
        (EntityKind.ENTERPRISE,),
        doc="003-03/十二",
    ),
)

EVENTS = (
    EventSpec(
        "university_tech_transaction",
        "在杭高校向本市企业输出技术和成果的技术交易",
        (EntityKind.INSTITUTION,),
        (AttrSpec("amount_fen", "实际发生技术交易额", FactType.MONEY, unit="分"), _SUBJECT),
        doc="003-03/四: one event per transaction (项目)",
    ),
    EventSpec(
        "major_project_industrialized",
        "高校牵头实施的国家重大科技专项成果在杭产业化",
        ORGS,
        (_SUBJECT,),
        doc="003-03/四",
    ),
    EventSpec(
        "university_park_built",
        "在杭高校新建创新创业特色园区（大学科技园、特色小镇）",
        ORGS,
        (_SUBJECT,),
        doc="003-03/五",
    ),
    EventSpec(
        "academician_station_established",
        "新建院士专家工作站",
        ORGS,
        (AttrSpec("level", "级别", FactType.CODE, ("省", "市")),),
        doc="003-03/五",
    ),
)
