"""Validation at the edge: a raw row becomes a typed record, or a ``RowError`` naming file, row, field.

Values are converted by the fact's declared type (``huiqi.rules.facts.FactType``): money is a
non-negative whole number of 分 (a value that is not a whole fen is refused, never rounded),
dates are real calendar dates, codes are one of the allowed values, credit codes pass their check
digit (python-stdnum ``stdnum.cn.uscc``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from huiqi.registry import vocabulary as vocab
from huiqi.rules.facts import EntityKind, FactType

MIN_YEAR, MAX_YEAR = 1949, 2100  # a year outside is a typo, not a fact


class InvalidValue(ValueError):
    """A single value that does not fit its field; the caller adds file, row and field."""


@dataclass(frozen=True, slots=True)
class RowError:
    file: str
    row: int
    field: str
    reason: str
    value: Any = None

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (got {self.value!r})"
        return f"{self.file}, row {self.row}, field {self.field}: {self.reason}{shown}"


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _integer(raw: Any, what: str) -> int:
    if isinstance(raw, bool):
        raise InvalidValue(f"{what} must be a whole number, not a yes/no value")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        # Excel and Parquet hand numbers over as floats; only an exactly integral one is accepted.
        if raw.is_integer():
            return int(raw)
        raise InvalidValue(f"{what} must be a whole number")
    text = str(raw).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidValue(f"{what} must be a whole number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise InvalidValue(f"{what} must be a whole number")
    return int(number)


def parse_money(raw: Any) -> int:
    fen = _integer(raw, "money (in 分)")
    if fen < 0:
        raise InvalidValue("money cannot be negative")
    return fen


def parse_count(raw: Any) -> int:
    value = _integer(raw, "a count")
    if value < 0:
        raise InvalidValue("a count cannot be negative")
    return value


def parse_year(raw: Any) -> int:
    year = _integer(raw, "a year")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidValue(f"a year between {MIN_YEAR} and {MAX_YEAR}")
    return year


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def parse_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                parsed = date(year, month, day)
            except ValueError as exc:
                raise InvalidValue(f"not a calendar date: {exc}") from None
            if not MIN_YEAR <= parsed.year <= MAX_YEAR:
                raise InvalidValue(f"a date between {MIN_YEAR} and {MAX_YEAR}")
            return parsed
    raise InvalidValue("a date is written YYYY-MM-DD (or YYYY/M/D, YYYY年M月D日)")


_TRUE = {"true", "1", "yes", "y", "是", "有"}
_FALSE = {"false", "0", "no", "n", "否", "无"}


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidValue("yes/no: one of true/false, 1/0, 是/否")


def parse_decimal(raw: Any) -> str:
    text = repr(raw) if isinstance(raw, float) else str(raw).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidValue("a decimal number") from None
    if not number.is_finite() or number < 0:
        raise InvalidValue("a non-negative decimal number")
    return str(number)


def parse_text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def parse_credit_code(raw: Any) -> str:
    """A 统一社会信用代码: 18 characters, the last a check digit over the first 17 (GB 32100-2015)."""
    text = parse_text(raw).upper()
    try:
        return uscc.validate(text)
    except ValidationError as exc:
        raise InvalidValue(f"not a valid unified social credit code (统一社会信用代码): {exc}") from None


def convert(fact_type: FactType, raw: Any, allowed: tuple[str, ...] = ()) -> Any:
    """A raw cell as the JSON value stored for a fact of ``fact_type``."""
    if fact_type is FactType.MONEY:
        return parse_money(raw)
    if fact_type is FactType.INT:
        return parse_count(raw)
    if fact_type is FactType.BOOL:
        return parse_bool(raw)
    if fact_type is FactType.DATE:
        return parse_date(raw).isoformat()
    if fact_type is FactType.DECIMAL:
        return parse_decimal(raw)
    text = parse_text(raw)
    if fact_type is FactType.CODE and text not in allowed:
        raise InvalidValue(f"one of {', '.join(allowed)}")
    return text


# --- typed records ------------------------------------------------------------------------------


@dataclass(slots=True)
class EntityRecord:
    row: int
    kind: str
    key: str
    name: str
    credit_code: str | None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class YearlyRecord:
    row: int
    entity_key: str
    entity_kind: str | None
    year: int
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class EventRecord:
    row: int
    entity_key: str
    entity_kind: str | None
    type: str
    on_date: date
    ref: str | None
    attributes: dict[str, Any] = field(default_factory=dict)


def unknown_columns(kind: vocab.FileKind, columns: list[str]) -> list[str]:
    """Columns the vocabulary does not know for this kind of file (an error for the whole file)."""
    out = []
    for column in columns:
        if kind is vocab.FileKind.ENTITIES:
            known = column in vocab.ENTITY_COLUMNS or vocab.static_fact(column) is not None
        elif kind is vocab.FileKind.YEARLY:
            known = column in vocab.YEARLY_COLUMNS or vocab.yearly_fact(column) is not None
        else:
            known = column in vocab.EVENT_COLUMNS or any(
                spec.attr(column) is not None for spec in vocab.EVENTS_BY_TYPE.values()
            )
        if not known:
            out.append(column)
    return out


class _Row:
    """Collects the errors of one row while its fields are converted."""

    def __init__(self, file: str, number: int, raw: dict[str, Any]) -> None:
        self.file, self.number, self.raw = file, number, raw
        self.errors: list[RowError] = []

    def error(self, field_name: str, reason: str, value: Any = None) -> None:
        self.errors.append(RowError(self.file, self.number, field_name, reason, value))

    def get(self, field_name: str, parse, required: bool = True) -> Any:  # type: ignore[no-untyped-def]
        raw = self.raw.get(field_name)
        if is_blank(raw):
            if required:
                self.error(field_name, "required, but empty")
            return None
        try:
            return parse(raw)
        except InvalidValue as exc:
            self.error(field_name, str(exc), raw)
            return None


def _entity_kind(row: _Row, field_name: str, required: bool) -> str | None:
    def parse(raw: Any) -> str:
        text = parse_text(raw)
        if text not in {k.value for k in EntityKind}:
            raise InvalidValue(f"one of {', '.join(k.value for k in EntityKind)}")
        return text

    return row.get(field_name, parse, required)


def validate_entity(file: str, number: int, raw: dict[str, Any]) -> EntityRecord | list[RowError]:
    row = _Row(file, number, raw)
    kind = _entity_kind(row, "kind", True)
    name = row.get("name", parse_text)
    credit_code = row.get("credit_code", parse_credit_code, required=kind in vocab.CREDIT_CODE_KINDS)
    key = row.get("key", parse_text, required=kind is not None and kind not in vocab.CREDIT_CODE_KINDS)
    if kind in vocab.CREDIT_CODE_KINDS and credit_code:
        # A legal person is keyed by its credit code: one key, so it cannot be registered twice.
        if key and key != credit_code:
            row.error("key", f"a {kind} is keyed by its credit code {credit_code}; leave key empty", key)
        key = credit_code
    attributes: dict[str, Any] = {}
    for column, value in raw.items():
        spec = vocab.static_fact(column)
        if spec is None or column in vocab.ENTITY_COLUMNS or is_blank(value):
            continue
        if kind is not None and kind not in spec.entities:
            row.error(column, f"{column} ({spec.label}) is not a fact of a {kind}", value)
            continue
        attributes[column] = row.get(column, lambda v, s=spec: convert(s.type, v, s.allowed))
    if row.errors:
        return row.errors
    assert kind is not None and key is not None and name is not None
    return EntityRecord(number, kind, key, name, credit_code, attributes)


def validate_yearly(file: str, number: int, raw: dict[str, Any]) -> YearlyRecord | list[RowError]:
    row = _Row(file, number, raw)
    entity_key = row.get("entity_key", parse_text)
    entity_kind = _entity_kind(row, "entity_kind", False)
    year = row.get("year", parse_year)
    facts: dict[str, Any] = {}
    for column, value in raw.items():
        spec = vocab.yearly_fact(column)
        if spec is None or is_blank(value):
            continue
        if entity_kind is not None and entity_kind not in spec.entities:
            row.error(column, f"{column} ({spec.label}) is not a fact of a {entity_kind}", value)
            continue
        facts[column] = row.get(column, lambda v, s=spec: convert(s.type, v, s.allowed))
    if row.errors:
        return row.errors
    assert entity_key is not None and year is not None
    return YearlyRecord(number, entity_key, entity_kind, year, facts)


def validate_event(file: str, number: int, raw: dict[str, Any]) -> EventRecord | list[RowError]:
    row = _Row(file, number, raw)
    entity_key = row.get("entity_key", parse_text)
    entity_kind = _entity_kind(row, "entity_kind", False)
    on_date = row.get("date", parse_date)
    ref = row.get("ref", parse_text, required=False)
    type_name = row.get("event", parse_text)
    spec = vocab.event_type(type_name) if type_name else None
    if type_name and spec is None:
        known = ", ".join(sorted(vocab.EVENTS_BY_TYPE))
        row.error("event", f"unknown event type; known types: {known}", type_name)
    attributes: dict[str, Any] = {}
    if spec is not None:
        if entity_kind is not None and entity_kind not in spec.entities:
            row.error("entity_kind", f"a {entity_kind} cannot have a {spec.type} event", entity_kind)
        for column, value in raw.items():
            if column in vocab.EVENT_COLUMNS or is_blank(value):
                continue
            if spec.attr(column) is None:
                row.error(column, f"not an attribute of a {spec.type} event", value)
        for attr in spec.attrs:
            value = row.get(
                attr.name, lambda v, a=attr: convert(a.type, v, a.allowed), required=attr.required
            )
            if value is not None:
                attributes[attr.name] = value
    if row.errors:
        return row.errors
    assert entity_key is not None and on_date is not None and spec is not None
    return EventRecord(number, entity_key, entity_kind, spec.type, on_date, ref, attributes)
