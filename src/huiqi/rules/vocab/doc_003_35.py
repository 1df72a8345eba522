"""Events of 003-35, 关于全面提升杭州市“115”引进国（境）外智力计划的实施意见 (115 引智)."""

from __future__ import annotations

from huiqi.rules.factspec import AttrSpec, EntityKind, EventSpec, FactType

_UNITS = (EntityKind.ENTERPRISE, EntityKind.INSTITUTION)
_SUBJECT = AttrSpec("subject", "专家/项目编号", FactType.TEXT, required=False)

EVENTS = (
    EventSpec(
        "foreign_expert_salary_funded",
        "高端国（境）外专家列入年度引智计划（年薪资助）",
        _UNITS,
        (AttrSpec("annual_salary_fen", "合同约定年薪", FactType.MONEY, unit="分"), _SUBJECT),
        doc="003-35/四/（一）: one event per expert and plan year; the employer (引智单位) is the payee",
    ),
    EventSpec(
        "foreign_intelligence_project_funded",
        "引进国（境）外智力项目列入年度引智计划",
        _UNITS,
        (AttrSpec("grade", "项目类别", FactType.CODE, ("重点项目", "优秀项目")), _SUBJECT),
        doc="003-35/四/（二）: 重点项目 or 优秀项目, as the yearly plan (年度引智项目计划) lists it",
    ),
)
