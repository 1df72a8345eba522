"""The calculator's form (画像表单), generated from the facts vocabulary and the rules that read each fact.

A profile can hold dozens of facts and events; a person fills in only those some rule reads, grouped by the
clause that reads them first (``002/五 支持开放创新平台``: its facts and events together), with the
beneficiary conditions (资助对象, read by provisions) in a first group of their own. Nothing here names a
document: the groups follow whatever rule files are loaded.

Field names: ``static.<fact>``, ``year.<fact>`` (for the chosen year), ``event.<type>.<n>.<attr>`` (``date``
included; ``n`` counts events of one type from 0). Money is typed in 元 and converted exactly to fen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from huiqi.money import parse_typed_amount
from huiqi.rules import facts as vocab
from huiqi.rules.loader import RuleBook

T = vocab.FactType
EVENT_FIELD = re.compile(r"event\.(\w+)\.(\d+)\.(\w+)")
MAX_EVENTS_PER_TYPE = 20  # the form's own limit; a longer list belongs in the JSON


@dataclass(slots=True)
class Field:
    """One input: its form name, the Chinese label, the type that decides the widget."""

    name: str
    label: str
    type: vocab.FactType
    unit: str | None = None
    allowed: tuple[str, ...] = ()
    required: bool = False
    value: str = ""  # what the person typed, shown again after a submit


@dataclass(slots=True)
class EventSlot:
    type: str
    label: str
    index: int
    fields: list[Field]


@dataclass(slots=True)
class Group:
    """The inputs of one clause; ``document`` ("" for the basic group) lets the page fold a document."""

    key: str
    title: str
    document: str = ""
    document_title: str = ""
    facts: list[Field] = field(default_factory=list)
    events: list[EventSlot] = field(default_factory=list)

    @property
    def filled(self) -> bool:
        return any(f.value for f in self.facts) or any(f.value for s in self.events for f in s.fields)


BASIC = "基本情况与资助对象条件"


def _fact_field(spec: vocab.FactSpec) -> Field:
    prefix = "static" if spec.period is vocab.Period.STATIC else "year"
    unit = "元" if spec.type is T.MONEY else spec.unit
    return Field(f"{prefix}.{spec.name}", spec.label, spec.type, unit, spec.allowed)


def _event_slot(spec: vocab.EventSpec, n: int, values: Mapping[str, str]) -> EventSlot:
    fields = [Field(f"event.{spec.type}.{n}.date", "日期", T.DATE, required=True)]
    for a in spec.attrs:
        unit = "元" if a.type is T.MONEY else a.unit
        fields.append(Field(f"event.{spec.type}.{n}.{a.name}", a.label, a.type, unit, a.allowed, a.required))
    for f in fields:
        f.value = values.get(f.name, "")
    return EventSlot(spec.type, spec.label, n, fields)


def _reader_clauses(book: RuleBook) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Each item (and shared cap) id → the clause it cites; each clause, in rule order → its document."""
    where: dict[str, str] = {}
    order: dict[str, tuple[str, str]] = {}
    for rs in book.rulesets.values():
        for it in rs.items:
            where[it.id] = it.source.clause
            order.setdefault(it.source.clause, (rs.doc_id, rs.title))
        for cap in rs.shared_caps:
            if cap.items and cap.items[0] in where:
                where[cap.id] = where[cap.items[0]]
    return where, order


def _first_clause(readers: set[str], where: dict[str, str], order: list[str]) -> str:
    clauses = [where[r] for r in readers if r in where]
    if len(clauses) < len(readers):  # read by a provision (资助对象): a condition of every item
        return BASIC
    return min(clauses, key=order.index)


def form_groups(book: RuleBook, values: Mapping[str, str] | None = None) -> list[Group]:
    """The form: the facts and events some rule reads, grouped by the clause that reads them first."""
    from huiqi.api.library import corpus

    values = values or {}
    where, documents = _reader_clauses(book)
    order = list(documents)
    groups: dict[str, Group] = {BASIC: Group(BASIC, BASIC, "", BASIC)}
    for clause, (doc_id, doc_title) in documents.items():
        try:
            heading = corpus().clause(clause).heading
        except Exception:  # a rule citing a clause the corpus lacks is the loader's business, not the form's
            heading = ""
        groups[clause] = Group(clause, f"{clause} {heading}".strip(), doc_id, f"{doc_id} {doc_title}")
    groups[BASIC].facts.append(_fact_field(vocab.FACTS_BY_NAME["name"]))
    for spec in vocab.FACTS:
        readers = book.reads.get(spec.name)
        if readers:
            groups[_first_clause(readers, where, order)].facts.append(_fact_field(spec))
    for espec in vocab.EVENTS:
        readers = book.event_reads.get(espec.type)
        if readers:
            # As many slots as the person filled, plus one empty one to add another.
            filled = {
                int(m.group(2))
                for k in values
                if (m := EVENT_FIELD.fullmatch(k)) and m.group(1) == espec.type
            }
            count = min(MAX_EVENTS_PER_TYPE, max(filled, default=-1) + 2) if filled else 1
            g = groups[_first_clause(readers, where, order)]
            g.events.extend(_event_slot(espec, n, values) for n in range(count))
    for g in groups.values():
        for f in g.facts:
            f.value = values.get(f.name, "")
    return [g for g in groups.values() if g.facts or g.events]


def _value(spec_type: vocab.FactType, raw: str, path: str, problems: list[str]) -> Any:
    """A typed value from a form string; money typed in 元 becomes exact fen."""
    if spec_type is T.MONEY:
        try:
            return parse_typed_amount(raw, "元")
        except ValueError:
            problems.append(f"{path}: 金额请填元，最多两位小数（例如 800000 或 12345.67），收到 {raw!r}")
            return None
    if spec_type is T.INT:
        try:
            return int(raw)
        except ValueError:
            problems.append(f"{path}: 请填整数，收到 {raw!r}")
            return None
    if spec_type is T.BOOL:
        return raw == "true"
    return raw


def profile_from_form(values: Mapping[str, str], kind: str, year: int) -> tuple[dict[str, Any], list[str]]:
    """The profile (画像) the form describes, and the problems of the fields that could not be read.

    Empty fields are left out: a fact not given is unknown, and rules that need it say so (待定).
    """
    problems: list[str] = []
    profile: dict[str, Any] = {"kind": kind, "id": values.get("static.credit_code", "") or "form"}
    facts: dict[str, Any] = {}
    yearly: dict[str, Any] = {}
    events: dict[tuple[str, int], dict[str, Any]] = {}
    for name, raw in values.items():
        raw = raw.strip()
        if not raw:
            continue
        if name.startswith(("static.", "year.")):
            period, _, fact = name.partition(".")
            spec = vocab.FACTS_BY_NAME.get(fact)
            if spec is None:
                problems.append(f"{name}: 未知的事实")
                continue
            target, path = (
                (facts, f"facts.{fact}") if period == "static" else (yearly, f"years.{year}.{fact}")
            )
            target[fact] = _value(spec.type, raw, path, problems)
        elif m := EVENT_FIELD.fullmatch(name):
            etype, n, attr = m.group(1), int(m.group(2)), m.group(3)
            espec = vocab.EVENTS_BY_TYPE.get(etype)
            a = espec.attr(attr) if espec else None
            if espec is None or (attr != "date" and a is None) or n >= MAX_EVENTS_PER_TYPE:
                problems.append(f"{name}: 未知的事件字段")
                continue
            ev = events.setdefault((etype, n), {"type": etype})
            ev[attr] = raw if a is None else _value(a.type, raw, f"{etype}[{n}].{attr}", problems)
    if facts:
        profile["facts"] = facts
    profile["years"] = {str(year): yearly}
    if events:
        profile["events"] = [events[k] for k in sorted(events, key=lambda k: (k[0], k[1]))]
    return profile, problems
