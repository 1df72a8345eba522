"""Importing recognitions and their yearly evaluations from CSV / .xlsx / .parquet, the registry's way.

Files are read by ``huiqi.registry.reading`` and values converted by ``huiqi.registry.validation``;
every problem is a ``RowError`` naming file, row and field, and one bad row anywhere applies nothing
(``ImportRejected``). The kind of file is read from its header:

- recognitions: ``entity_key, scheme, ref, tier, granted_on, issuer`` (optional ``entity_kind``,
  ``valid_until`` and the attributes a tier's event needs, e.g. ``exchange`` for 上市);
- evaluations: ``entity_key, scheme, ref, year, result, evaluated_on`` (optional ``entity_kind``).

Rows are applied in time order (grants by date, evaluations by year) whatever their order in the
file, so an upgrade listed before its first grant still climbs. Re-importing a file changes
nothing, records no import and writes no audit entry.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.recognitions import lifecycle
from huiqi.recognitions.lifecycle import LifecycleError
from huiqi.recognitions.schemes import SCHEMES
from huiqi.registry import validation as v
from huiqi.registry import vocabulary as registry_vocab
from huiqi.registry.importing import ImportRejected
from huiqi.registry.reading import read_table
from huiqi.store.models import Entity, Import

RECOGNITION_COLUMNS = (
    "entity_key",
    "entity_kind",
    "scheme",
    "ref",
    "tier",
    "granted_on",
    "issuer",
    "valid_until",
)
EVALUATION_COLUMNS = ("entity_key", "entity_kind", "scheme", "ref", "year", "result", "evaluated_on")
# attributes a tier's event takes from the file (not fixed by its scheme)
GIVEN_COLUMNS = sorted({a for s in SCHEMES.values() for names in s.given.values() for a in names})


@dataclass(slots=True)
class FileReport:
    path: Path
    kind: str  # "recognitions" or "evaluations"
    counts: dict[str, int] = field(default_factory=dict)  # outcome → rows


def _kind(columns: list[str]) -> str | None:
    if "tier" in columns:
        return "recognitions"
    if "result" in columns:
        return "evaluations"
    return None


def _scheme(raw: Any) -> str:
    text = v.parse_text(raw)
    if text not in SCHEMES:
        raise v.InvalidValue(f"one of {', '.join(SCHEMES)}")
    return text


def _kind_of_entity(raw: Any) -> str:
    text = v.parse_text(raw)
    if text not in {k.value for k in registry_vocab.EntityKind}:
        raise v.InvalidValue(f"one of {', '.join(k.value for k in registry_vocab.EntityKind)}")
    return text


def _validate(file: str, number: int, raw: dict[str, Any], kind: str) -> dict[str, Any] | list[v.RowError]:
    row = v._Row(file, number, raw)  # the registry's per-row error collector
    rec: dict[str, Any] = {
        "row": number,
        "entity_key": row.get("entity_key", v.parse_text),
        "entity_kind": row.get("entity_kind", _kind_of_entity, required=False),
        "scheme": row.get("scheme", _scheme),
        "ref": row.get("ref", v.parse_text),
    }
    if kind == "recognitions":
        rec["tier"] = row.get("tier", v.parse_text)
        rec["granted_on"] = row.get("granted_on", v.parse_date)
        rec["issuer"] = row.get("issuer", v.parse_text)
        rec["valid_until"] = row.get("valid_until", v.parse_date, required=False)
        rec["attributes"] = _attributes(row, rec)
    else:
        rec["year"] = row.get("year", v.parse_year)
        rec["result"] = row.get("result", v.parse_text)
        rec["evaluated_on"] = row.get("evaluated_on", v.parse_date)
    return row.errors or rec


def _attributes(row: v._Row, rec: dict[str, Any]) -> dict[str, Any]:
    """The event attributes the row's tier needs from the file, converted by the facts vocabulary."""
    s = SCHEMES.get(rec["scheme"] or "")
    tier = rec["tier"]
    if s is None or tier is None:
        return {}
    if tier not in s.tiers:
        row.error("tier", f"{s.name} has the tiers {', '.join(s.tiers)} (low → high)", tier)
        return {}
    wanted = s.given.get(tier, ())
    for name in GIVEN_COLUMNS:
        if name not in wanted and not v.is_blank(row.raw.get(name)):
            row.error(name, f"not an attribute of a {s.name} {tier}", row.raw.get(name))
    out: dict[str, Any] = {}
    event_type = s.events[tier][0] if tier in s.events else None
    spec = registry_vocab.EVENTS_BY_TYPE.get(event_type) if event_type else None
    for name in wanted:
        attr = spec.attr(name) if spec else None
        assert attr is not None, f"{s.name}: {name} is not an attribute of {event_type}"
        value = row.get(name, lambda raw, a=attr: v.convert(a.type, raw, a.allowed))
        if value is not None:
            out[name] = value
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _parse(path: Path) -> tuple[str, list[dict[str, Any]], list[v.RowError]]:
    table = read_table(path)
    name = str(path)
    kind = _kind(table.columns)
    if kind is None:
        reason = "cannot tell the kind of file: recognitions have a 'tier' column, evaluations 'result'"
        raise ImportRejected([v.RowError(name, 1, "(header)", reason)])
    known = RECOGNITION_COLUMNS + tuple(GIVEN_COLUMNS) if kind == "recognitions" else EVALUATION_COLUMNS
    unknown = [c for c in table.columns if c not in known]
    if unknown:
        raise ImportRejected([v.RowError(name, 1, c, f"not a column of a {kind} file") for c in unknown])
    records, errors = [], []
    for number, raw in table.rows:
        got = _validate(name, number, raw, kind)
        if isinstance(got, list):
            errors.extend(got)
        else:
            records.append(got)
    return kind, records, errors


def _resolve(
    session: Session, parsed: list[tuple[Path, str, list[dict[str, Any]], list]]
) -> list[v.RowError]:
    """Find each row's entity (``rec["entity"]``) before anything is applied, so that an unknown key
    is reported with the other bad rows. One query per thousand keys, not one per row."""
    keys = sorted({rec["entity_key"] for _, _, recs, _ in parsed for rec in recs})
    by_key: dict[str, list[Entity]] = defaultdict(list)
    for start in range(0, len(keys), 1000):
        for entity in session.execute(
            select(Entity).where(Entity.key.in_(keys[start : start + 1000]))
        ).scalars():
            by_key[entity.key].append(entity)
    errors = []
    for path, _kind, recs, _ in parsed:
        for rec in recs:
            found = [e for e in by_key[rec["entity_key"]] if rec["entity_kind"] in (None, e.kind)]
            if len(found) == 1:
                rec["entity"] = found[0]
                continue
            key, kinds = rec["entity_key"], ", ".join(sorted(e.kind for e in found))
            reason = (
                f"no {rec['entity_kind'] or 'entity'} with key {key} in the registry"
                if not found
                else f"key {key} names several entities ({kinds}); say which kind in entity_kind"
            )
            errors.append(v.RowError(str(path), rec["row"], "entity_key", reason))
    return errors


def _apply(session: Session, kind: str, rec: dict[str, Any], actor: str) -> tuple[str, list[Any]]:
    """Apply one validated row; (outcome, the rows it touched)."""
    entity = rec["entity"]
    if kind == "recognitions":
        change = lifecycle.grant(
            session,
            entity,
            rec["scheme"],
            rec["ref"],
            rec["tier"],
            rec["granted_on"],
            rec["issuer"],
            actor,
            rec["valid_until"],
            rec["attributes"],
        )
        return change.outcome, [change.step]
    row, created = lifecycle.evaluate(
        session, entity, rec["scheme"], rec["ref"], rec["year"], rec["result"], rec["evaluated_on"], actor
    )
    return ("inserted" if created else "unchanged"), [row]


def _order(kind: str, rec: dict[str, Any]) -> tuple:
    if kind == "recognitions":
        s = SCHEMES[rec["scheme"]]
        return (0, rec["granted_on"], s.rank(rec["tier"]), rec["row"])
    return (1, rec["year"], rec["evaluated_on"], rec["row"])


def import_files(session: Session, paths: list[Path], actor: str) -> list[FileReport]:
    """Validate and apply ``paths`` in the caller's transaction: all of them or (``ImportRejected``) none."""
    parsed = [(p, *_parse(p)) for p in paths]
    errors = [e for *_, errs in parsed for e in errs] + _resolve(session, parsed)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.file, e.row)))
    work = sorted(
        (
            (_order(kind, rec), i, path, kind, rec)
            for i, (path, kind, recs, _) in enumerate(parsed)
            for rec in recs
        ),
        key=lambda t: (t[0], t[1]),
    )
    reports = {path: FileReport(path, kind) for path, kind, _, _ in parsed}
    touched: dict[Path, list[Any]] = {path: [] for path, *_ in parsed}
    for _key, _i, path, kind, rec in work:
        try:
            outcome, rows = _apply(session, kind, rec, actor)
        except LifecycleError as exc:
            errors.append(v.RowError(str(path), rec["row"], exc.field, str(exc)))
            continue
        counts = reports[path].counts
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome != "unchanged":
            touched[path].extend(rows)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.file, e.row)))
    for path, rows in touched.items():
        if not rows:
            continue
        counts = reports[path].counts
        record = Import(
            file_name=path.name,
            file_sha256=_sha256(path),
            at=datetime.now(UTC),
            inserted=counts.get("inserted", 0) + counts.get("upgraded", 0),
            updated=counts.get("updated", 0),
            unchanged=counts.get("unchanged", 0),
            rejected=0,
        )
        session.add(record)
        session.flush()
        for row in rows:
            row.import_id = record.id
    return list(reports.values())
