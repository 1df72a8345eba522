"""Facts of 003-25, 杭州市科技特派员工作管理办法 (杭科农〔2019〕100号): the 市科技特派员 (a talent
posted to a township, 入驻乡镇) and the area of the posting."""

from __future__ import annotations

from huiqi.rules.factspec import EntityKind, FactSpec, FactType, Period

_TALENT = (EntityKind.TALENT,)

FACTS = (
    FactSpec(
        "is_city_tech_commissioner",
        "在任市科技特派员（入驻乡镇，未被取消资格）",
        FactType.BOOL,
        Period.YEAR,
        _TALENT,
        doc="003-25/四: 不称职 or 不能胜任 → 取消其资格; 工作不力、未履行职责 → 不予兑现相关待遇 (false)",
    ),
    FactSpec(
        "tech_commissioner_area",
        "科技特派员入驻乡镇所在地",
        FactType.CODE,
        Period.YEAR,
        _TALENT,
        allowed=("市区", "县（市）"),
        doc="003-25/五/（三）/1: 市区 includes 萧山区、余杭区、富阳区、临安区; 县（市） = 桐庐、淳安、建德",
    ),
)
