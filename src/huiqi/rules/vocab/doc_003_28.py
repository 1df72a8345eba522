"""Facts and events of 003-28, 杭州市科技成果转化资金管理办法 (杭科合〔2020〕65号)."""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EntityKind, EventSpec, FactType, money_fact

_SUBJECT = AttrSpec("subject", "项目/成果编号", FactType.TEXT, required=False)

FACTS = (
    money_fact(
        "tech_transfer_out_fen",
        "与杭州企业签订技术合同的累计实际技术交易额（成果输出）",
        (EntityKind.INSTITUTION, EntityKind.CARRIER),
        doc=(
            "003-28/五: 高校院所、新型研发机构、外地高校院所在杭技术转移机构 as the seller; only 技术开发/"
            "技术转让 contracts of at least 50万元 count (七/1)"
        ),
    ),
)

EVENTS = (
    EventSpec(
        "tech_achievement_project",
        "企业科技成果转化项目（吸纳高校院所成果或拍卖取得）",
        (EntityKind.ENTERPRISE,),
        (
            AttrSpec("tech_transaction_fen", "实际技术交易额", FactType.MONEY, unit="分"),
            _SUBJECT,
        ),
        doc=(
            "003-28/二: via 网上技术市场 or a city 科技成果拍卖, from an "
            "unrelated party; the date is the application"
        ),
    ),
    EventSpec(
        "tech_intermediary_demo_selected",
        "评为杭州市科技中介服务示范机构",
        ORGS,
        (_SUBJECT,),
        doc="003-28/三: 每两年择优评选10家 — the date of the published list",
    ),
    EventSpec(
        "award_achievement_industrialized",
        "获奖重大科技成果在杭产业化",
        ORGS,
        (
            AttrSpec(
                "award",
                "奖项",
                FactType.CODE,
                ("国家科技进步一等奖", "国家科技进步二等奖", "省科技进步一等奖"),
            ),
            AttrSpec("annual_tax_fen", "两年内项目年税收贡献", FactType.MONEY, unit="分"),
            AttrSpec("is_lead", "牵头完成", FactType.BOOL),
            _SUBJECT,
        ),
        doc=(
            "003-28/四: a team (enterprise) that led the awarded "
            "achievement and industrialised it in Hangzhou"
        ),
    ),
)
