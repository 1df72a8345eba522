"""Facts and events of 003-29, 杭州市重点科技研发计划项目和资金管理办法 (杭科资〔2020〕70号)."""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EventSpec, FactType, money_fact

FACTS = (
    money_fact(
        "national_key_rd_funding_received_fen",
        "国家重点研发计划项目实际到帐国家补助经费（主持承担或主要参与）",
        doc="003-29/第十八条: funds received in the year, the unit named 主持承担单位 or 主要参与单位",
    ),
)

EVENTS = (
    EventSpec(
        "city_key_rd_project_accepted",
        "市重点科技研发计划项目通过验收",
        ORGS,
        (
            AttrSpec(
                "category",
                "项目类别",
                FactType.CODE,
                ("重大技术产业化", "成果示范应用", "重大应用基础研发"),
            ),
            AttrSpec("verified_rd_fen", "验收核定研发经费投入额", FactType.MONEY, unit="分"),
            AttrSpec(
                "acceptance_timing",
                "验收时限（提交验收申请后）",
                FactType.CODE,
                ("按期", "无正当理由逾期6个月以后"),
            ),
            AttrSpec("subject", "项目编号", FactType.TEXT, required=False),
        ),
        doc=(
            "003-29/第十五条、第十六条: the date is the acceptance "
            "(验收) date; 中止 or 验收不合格 is no event. acceptance_timing (第十条（一）): 按期 — accepted "
            "within 6 months of the application, or later for a 正当理由; 无正当理由逾期6个月以后 — the "
            "subsidy is halved (减半安排财政补助资金)"
        ),
    ),
    EventSpec(
        "national_provincial_project_funded",
        "国家、省重点研发计划项目补助经费到帐",
        ORGS,
        (
            AttrSpec("level", "级别", FactType.CODE, ("国家", "省")),
            AttrSpec("received_fen", "实际获得国家、省补助经费", FactType.MONEY, unit="分"),
            AttrSpec("subject", "项目编号", FactType.TEXT, required=False),
        ),
        doc="003-29/第十七条: the city matches (配套/分担) as the national or provincial call requires",
    ),
)
