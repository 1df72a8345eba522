"""The types of the facts vocabulary: what a fact, an event and an event attribute are.

Kept apart from the vocabulary itself (``huiqi.rules.facts``) so that each document's own facts
(``huiqi.rules.vocab.<module>``) can be declared without importing the whole vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EntityKind(StrEnum):
    """Who can be a beneficiary (资助对象)."""

    ENTERPRISE = "enterprise"  # 企业 (an independent legal person, 独立法人)
    TALENT = "talent"  # 人才 (a person)
    CARRIER = "carrier"  # 载体: incubator 孵化器, 众创空间, platform 平台
    INSTITUTION = "institution"  # 事业单位 / 高校 / 科研院所 / 新型研发机构


class FactType(StrEnum):
    MONEY = "money"  # integer fen
    INT = "int"  # a count or an ordinal
    BOOL = "bool"
    CODE = "code"  # one of ``allowed``
    DECIMAL = "decimal"  # an exact ratio written as a string in JSON ("0.095")
    TEXT = "text"  # free text / an identifier
    DATE = "date"  # ISO date string


class Period(StrEnum):
    STATIC = "static"
    YEAR = "year"


ALL_KINDS = tuple(EntityKind)
ORGS = (EntityKind.ENTERPRISE, EntityKind.CARRIER, EntityKind.INSTITUTION)

# 000 附则 3: "鼓励发展类重点产业是指信息技术、生命健康、文化创意、节能环保、高端装备制造、
# 人工智能、集成电路、数据要素、新能源、新材料等战略性新兴产业和高新技术产业。"
# The list ends in 等, so "其他战略性新兴产业" and "其他高新技术产业" are
# encouraged too; "其他" is the code for an industry outside the list.
ENCOURAGED_INDUSTRIES = (
    "信息技术",
    "生命健康",
    "文化创意",
    "节能环保",
    "高端装备制造",
    "人工智能",
    "集成电路",
    "数据要素",
    "新能源",
    "新材料",
    "其他战略性新兴产业",
    "其他高新技术产业",
)
INDUSTRIES = (*ENCOURAGED_INDUSTRIES, "其他")

LEVELS = ("国家", "省", "市", "区")


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One fact: ``name`` is the JSON key and the column name."""

    name: str
    label: str  # the Chinese term
    type: FactType
    period: Period
    entities: tuple[EntityKind, ...]
    unit: str | None = None  # 分 for money; 人 / 项 for counts
    allowed: tuple[str, ...] = ()  # for CODE
    doc: str = ""


@dataclass(frozen=True, slots=True)
class AttrSpec:
    """One attribute of an event (``level``, ``rank`` …)."""

    name: str
    label: str
    type: FactType
    allowed: tuple[str, ...] = ()
    required: bool = True
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class EventSpec:
    """A dated happening: a recognition obtained, an award won, a standard published.

    Every event has ``type`` and ``date`` (the date of the recognition / publication document); the
    attributes below are its other keys. ``subject`` (when present) names the product / project /
    standard the event is about: the non-duplication rule (不重复) groups by it.
    """

    type: str
    label: str
    entities: tuple[EntityKind, ...]
    attrs: tuple[AttrSpec, ...] = ()
    doc: str = ""

    def attr(self, name: str) -> AttrSpec | None:
        for a in self.attrs:
            if a.name == name:
                return a
        return None


def money_fact(name: str, label: str, entities=ORGS, doc: str = "") -> FactSpec:
    return FactSpec(name, label, FactType.MONEY, Period.YEAR, tuple(entities), unit="分", doc=doc)
