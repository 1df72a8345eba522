"""Events of 003-07, 关于推动创新创业高质量发展打造全国“双创”示范城的实施意见 (杭政〔2019〕55号).

Mostly targets and tasks; the one payment to a named beneficiary is the 国际人才创新创业园 working fund.
"""

from __future__ import annotations

from huiqi.rules.factspec import AttrSpec, EntityKind, EventSpec, FactType

EVENTS = (
    EventSpec(
        "international_talent_park_recognized",
        "国际人才创新创业园运行良好、集聚国际人才作用明显经认定",
        (EntityKind.CARRIER, EntityKind.INSTITUTION, EntityKind.ENTERPRISE),
        (AttrSpec("subject", "园区编号", FactType.TEXT, required=False),),
        doc="003-07/二/（五）: 经认定后给予100万元的工作经费",
    ),
)
