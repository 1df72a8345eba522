"""Facts and events of 003-34, 杭州市农业与社会发展科研资金管理办法 (杭科农〔2020〕86号)."""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EntityKind, EventSpec, FactSpec, FactType, Period

FACTS = (
    FactSpec(
        "is_public_breeding_enterprise",
        "“米袋子”“菜篮子”公益类育种企业",
        FactType.BOOL,
        Period.STATIC,
        (EntityKind.ENTERPRISE,),
        doc="003-34/三/3: such an enterprise is funded in advance (事前资助) like a non-enterprise unit",
    ),
)

EVENTS = (
    EventSpec(
        "agri_social_project_funded",
        "市农业与社会发展科研项目立项（重点项目、一般项目）",
        ORGS,
        (
            AttrSpec(
                "category",
                "项目类别",
                FactType.CODE,
                ("重点项目", "重点医疗卫生项目", "一般项目", "一般医疗卫生项目"),
            ),
            AttrSpec("rd_total_fen", "本项目研发投入总额", FactType.MONEY, required=False, unit="分"),
            AttrSpec("subject", "项目编号", FactType.TEXT, required=False),
        ),
        doc=(
            "003-34/三: 引导项目 have no funding and are not events here; rd_total_fen is needed for 事后资助"
        ),
    ),
)
