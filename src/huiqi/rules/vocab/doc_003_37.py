"""Events of 003-37, 杭州市软科学研究项目管理办法 (杭科策〔2021〕93号)."""

from __future__ import annotations

from huiqi.rules.factspec import ORGS, AttrSpec, EventSpec, FactType

EVENTS = (
    EventSpec(
        "soft_science_project_approved",
        "市软科学研究项目立项",
        ORGS,
        (
            AttrSpec("project_kind", "项目类别", FactType.CODE, ("一般项目", "特别重大项目")),
            AttrSpec("subject", "项目编号", FactType.TEXT, required=False),
        ),
        doc=(
            "003-37/三/（一）: 特别重大 = 市委、市政府部署的特别重大软科学研究项目; the date is the approval "
            "(立项); 50% is paid then, the rest on acceptance"
        ),
    ),
)
