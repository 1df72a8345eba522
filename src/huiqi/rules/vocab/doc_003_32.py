"""Events of 003-32, 杭州市小微企业创业创新活动券管理办法 (杭科高〔2020〕73号)."""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EventSpec, FactType

EVENTS = (
    EventSpec(
        "activity_voucher_event",
        "活动券创业创新活动（服务机构举办）",
        ORGS,
        (
            AttrSpec(
                "valid_services", "经核验的有效服务次数（签到流转的活动券张数）", FactType.INT, unit="次"
            ),
            AttrSpec("subject", "活动编号", FactType.TEXT, required=False),
        ),
        doc="003-32/第七条、第八条: one event per activity; the service organisation (服务机构) is the payee",
    ),
)
