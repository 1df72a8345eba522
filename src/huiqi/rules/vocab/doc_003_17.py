"""Facts and events of 003-17, 杭州市深入推进经济高质量发展“凤凰行动”计划（2021—2025年） (杭政函〔2021〕94号).

The 凤凰行动 pays enterprises at each stage of going public (上市辅导备案, 上市) and listed companies for
mergers and refinancing; small firms for innovative bond and equity instruments. The listing itself is
003-22's event ``listed_on_exchange``.
"""

from __future__ import annotations

from huiqi.rules.factspec import AttrSpec, EntityKind, EventSpec, FactSpec, FactType, Period

_ENT = (EntityKind.ENTERPRISE,)
_SUBJECT = AttrSpec("subject", "项目/交易编号", FactType.TEXT, required=False)

FACTS = (
    FactSpec(
        "is_listed_company",
        "境内外上市公司",
        FactType.BOOL,
        Period.YEAR,
        _ENT,
        doc="003-17/三/（九）/4、5: mergers and refinancing are paid to listed companies",
    ),
    FactSpec(
        "is_sme",
        "中小微企业",
        FactType.BOOL,
        Period.YEAR,
        _ENT,
        doc="003-17/三/（九）/6: by the national 中小企业划型标准",
    ),
)

EVENTS = (
    EventSpec(
        "listing_tutoring_filed",
        "完成股改并在证监部门完成上市辅导备案",
        _ENT,
        (),
        doc="003-17/三/（九）/1: dated on the 辅导备案",
    ),
    EventSpec(
        "key_pre_ipo_listed",
        "列入市级重点拟上市企业名单",
        _ENT,
        (),
        doc="003-17/三/（九）/3",
    ),
    EventSpec(
        "merger_completed",
        "上市公司实施并购重组",
        _ENT,
        (
            AttrSpec("major_restructuring", "达到重大资产重组标准", FactType.BOOL),
            AttrSpec("local_unlisted_unrelated", "并购对象为本地非关联未上市企业", FactType.BOOL),
            AttrSpec("deal_amount_fen", "交易实际发生额（并购金额）", FactType.MONEY, unit="分"),
            AttrSpec("target_net_assets_fen", "并购对象净资产", FactType.MONEY, required=False, unit="分"),
            _SUBJECT,
        ),
        doc="003-17/三/（九）/4",
    ),
    EventSpec(
        "refinancing_completed",
        "上市公司再融资（配股、增发、优先股、可转债、公司债、资产证券化等）",
        _ENT,
        (AttrSpec("local_invested_fen", "募集资金投资在辖内实际金额", FactType.MONEY, unit="分"), _SUBJECT),
        doc="003-17/三/（九）/5: one event per raising (每次)",
    ),
    EventSpec(
        "sme_innovative_financing",
        "中小微企业利用创新型融资工具成功完成融资",
        _ENT,
        (AttrSpec("amount_fen", "融资规模", FactType.MONEY, unit="分"), _SUBJECT),
        doc="003-17/三/（九）/6: 银行间市场、证券交易所、全国股转市场、浙江省股权交易中心; one per 项目",
    ),
)
