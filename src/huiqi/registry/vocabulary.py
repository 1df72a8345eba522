"""What the registry accepts, read from the project's facts vocabulary (``huiqi.rules.facts``).

Three kinds of file, told apart by their header:
- an *entities* file (column ``kind``): one row per enterprise, talent, carrier or institution,
  with its static facts (``industry``, ``founded``, ``district`` …);
- a *yearly facts* file (columns ``entity_key`` and ``year``, no ``event``): one row per entity and
  year with that year's facts (``rd_expense_fen``, ``revenue_fen``, ``export_fen``, ``rent_fen`` …);
- an *events* file (column ``event``): one row per dated event (``standard_published``,
  ``science_award`` …) with its attributes.
Every other column must be a fact (or event attribute) the vocabulary knows, for the row's kind:
an unknown column is an error for the whole file, because a misspelt column would otherwise be
dropped silently.
"""

from __future__ import annotations

from enum import StrEnum

from huiqi.rules.facts import EVENTS_BY_TYPE, FACTS_BY_NAME, EntityKind, EventSpec, FactSpec, Period

# Entity kinds whose natural key is the 统一社会信用代码 (unified social credit code): legal persons.
CREDIT_CODE_KINDS = (EntityKind.ENTERPRISE, EntityKind.INSTITUTION)


class FileKind(StrEnum):
    ENTITIES = "entities"
    YEARLY = "yearly facts"
    EVENTS = "events"


# Columns with a fixed meaning in each kind of file.
ENTITY_COLUMNS = ("kind", "key", "name", "credit_code")
YEARLY_COLUMNS = ("entity_key", "entity_kind", "year")
EVENT_COLUMNS = ("entity_key", "entity_kind", "event", "date", "ref")


def file_kind(columns: list[str]) -> FileKind | None:
    """Which kind of file a header describes (None: none of them)."""
    if "event" in columns:
        return FileKind.EVENTS
    if "kind" in columns:
        return FileKind.ENTITIES
    if "entity_key" in columns and "year" in columns:
        return FileKind.YEARLY
    return None


def static_fact(name: str) -> FactSpec | None:
    spec = FACTS_BY_NAME.get(name)
    return spec if spec is not None and spec.period is Period.STATIC else None


def yearly_fact(name: str) -> FactSpec | None:
    spec = FACTS_BY_NAME.get(name)
    return spec if spec is not None and spec.period is Period.YEAR else None


def event_type(name: str) -> EventSpec | None:
    return EVENTS_BY_TYPE.get(name)


__all__ = [
    "CREDIT_CODE_KINDS",
    "ENTITY_COLUMNS",
    "EVENTS_BY_TYPE",
    "EVENT_COLUMNS",
    "YEARLY_COLUMNS",
    "EntityKind",
    "FileKind",
    "event_type",
    "file_kind",
    "static_fact",
    "yearly_fact",
]
