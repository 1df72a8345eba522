"""Facts and events of 003-33, 杭州市科技企业孵化器认定和管理办法 (杭科高〔2020〕74号).

Recognitions are the shared ``platform_recognized`` event (platform_type 科技企业孵化器 / 众创空间,
level 市/省/国家); the yearly rating is ``incubator_annual_rating``.
"""

from __future__ import annotations

from huiqi.rules.factspec import AttrSpec, EntityKind, EventSpec, FactSpec, FactType, Period

_CARRIER = (EntityKind.CARRIER,)

FACTS = (
    FactSpec(
        "is_specialized_incubator",
        "专业化孵化器（同一产业领域在孵企业占60%以上）",
        FactType.BOOL,
        Period.STATIC,
        _CARRIER,
        doc="003-33/第九条 专业化孵化器 criteria, decided at recognition",
    ),
)

EVENTS = (
    EventSpec(
        "incubatee_hightech_recognized",
        "在孵（毕业1年内）企业被认定为国家高新技术企业、技术先进型服务企业",
        _CARRIER,
        (
            AttrSpec("recognition", "认定类别", FactType.CODE, ("国家高新技术企业", "技术先进型服务企业")),
            AttrSpec("subject", "被认定企业统一社会信用代码", FactType.TEXT, required=False),
        ),
        doc=(
            "003-33/第十二条（四）: one event per firm recognised while "
            "incubated or within 1 year of graduating"
        ),
    ),
)
