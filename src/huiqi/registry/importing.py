"""Import registry files into the store: all or nothing, or explicitly the good rows only.

``import_files`` reads every file, validates every row, and applies them in one transaction:
entities files first (so that a yearly-facts or events file in the same import can refer to them),
then yearly facts, then events. Any bad row rolls the whole import back, unless
``accept_partial`` is set: then the good rows are applied and each rejected row is written, with
its reasons, to ``<file stem>.rejected.csv`` (UTF-8 with BOM, for Excel) beside the input or in
``rejected_dir``.

Re-importing is idempotent: entities are matched on (kind, key), yearly facts on (entity, year,
fact), events on (entity, type, ref) with ``ref`` defaulting to the hash of the event's content.
A row whose content is unchanged writes nothing; a changed value replaces the stored one. An empty
cell never erases a stored fact.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from huiqi.redemption import audit
from huiqi.redemption.audit import canonical_json
from huiqi.registry import validation as v
from huiqi.registry import vocabulary as vocab
from huiqi.registry.reading import Table, read_table
from huiqi.store.models import Entity, Event, Import, YearlyFact


class ImportRejected(ValueError):
    """The import was not applied; ``errors`` lists every bad row (file, row, field, reason)."""

    def __init__(self, errors: list[v.RowError]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:20])
        more = f"\n  … and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"import rejected, nothing was applied; {len(errors)} problem(s):\n{shown}{more}")


@dataclass(slots=True)
class FileReport:
    path: Path
    kind: vocab.FileKind
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[v.RowError] = field(default_factory=list)
    rejected_file: Path | None = None

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.errors})


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hash(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def _entity_hash(kind: str, key: str, name: str, credit_code: str | None, attributes: dict) -> str:
    return _hash(
        {"kind": kind, "key": key, "name": name, "credit_code": credit_code, "attributes": attributes}
    )


@dataclass(slots=True)
class _Parsed:
    table: Table
    kind: vocab.FileKind
    records: list[Any]
    errors: list[v.RowError]


def _parse(path: Path) -> _Parsed:
    table = read_table(path)
    kind = vocab.file_kind(table.columns)
    name = str(path)
    if kind is None:
        raise ImportRejected(
            [
                v.RowError(
                    name,
                    1,
                    "(header)",
                    "cannot tell the kind of file: an entities file has a 'kind' column, a yearly-facts file "
                    "'entity_key' and 'year', an events file 'event'",
                )
            ]
        )
    unknown = v.unknown_columns(kind, table.columns)
    if unknown:
        raise ImportRejected(
            [
                v.RowError(name, 1, col, f"not a known column of a {kind} file (see huiqi.rules.facts)")
                for col in unknown
            ]
        )
    validate = {
        vocab.FileKind.ENTITIES: v.validate_entity,
        vocab.FileKind.YEARLY: v.validate_yearly,
        vocab.FileKind.EVENTS: v.validate_event,
    }[kind]
    records: list[Any] = []
    errors: list[v.RowError] = []
    for number, raw in table.rows:
        result = validate(name, number, raw)
        if isinstance(result, list):
            errors.extend(result)
        else:
            records.append(result)
    return _Parsed(table, kind, records, errors)


class _Entities:
    """The entities known to this import: the store's, plus the ones this import adds."""

    def __init__(self, session: Session) -> None:
        self.by_kind_key: dict[tuple[str, str], Entity] = {}
        self.by_key: dict[str, list[Entity]] = {}
        for entity in session.execute(select(Entity)).scalars():
            self.add(entity)

    def add(self, entity: Entity) -> None:
        self.by_kind_key[(entity.kind, entity.key)] = entity
        self.by_key.setdefault(entity.key, []).append(entity)

    def resolve(self, key: str, kind: str | None) -> Entity | str:
        """The entity, or the reason it cannot be found."""
        if kind is not None:
            entity = self.by_kind_key.get((kind, key))
            return (
                entity if entity is not None else f"no {kind} with key {key} in the registry or this import"
            )
        matches = self.by_key.get(key, [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            return f"no entity with key {key} in the registry or this import"
        return f"key {key} names entities of several kinds; add an entity_kind column"


def _apply_entities(
    session: Session, known: _Entities, parsed: _Parsed, report: FileReport, import_id: int
) -> None:
    seen: dict[tuple[str, str], int] = {}
    for rec in parsed.records:
        ident = (rec.kind, rec.key)
        if ident in seen:
            report.errors.append(
                v.RowError(
                    str(report.path),
                    rec.row,
                    "key",
                    f"{rec.key} appears twice in the file (first at row {seen[ident]})",
                )
            )
            continue
        seen[ident] = rec.row
        entity = known.by_kind_key.get(ident)
        if entity is None:
            attrs = dict(sorted(rec.attributes.items()))
            entity = Entity(
                kind=rec.kind,
                key=rec.key,
                name=rec.name,
                credit_code=rec.credit_code,
                attributes=attrs,
                content_hash=_entity_hash(rec.kind, rec.key, rec.name, rec.credit_code, attrs),
                import_id=import_id,
            )
            session.add(entity)
            known.add(entity)
            report.inserted += 1
            continue
        merged = dict(sorted({**entity.attributes, **rec.attributes}.items()))
        digest = _entity_hash(rec.kind, rec.key, rec.name, rec.credit_code, merged)
        if digest == entity.content_hash:
            report.unchanged += 1
            continue
        entity.name, entity.credit_code, entity.attributes = rec.name, rec.credit_code, merged
        entity.content_hash, entity.import_id = digest, import_id
        report.updated += 1
    session.flush()


def _apply_yearly(
    session: Session, known: _Entities, parsed: _Parsed, report: FileReport, import_id: int
) -> None:
    stored = {(f.entity_id, f.year, f.name): f for f in session.execute(select(YearlyFact)).scalars()}
    seen: dict[tuple[int, int], int] = {}
    new_rows: list[dict[str, Any]] = []  # inserted in bulk: far faster than one ORM object per value
    for rec in parsed.records:
        entity = known.resolve(rec.entity_key, rec.entity_kind)
        if isinstance(entity, str):
            report.errors.append(v.RowError(str(report.path), rec.row, "entity_key", entity, rec.entity_key))
            continue
        wrong = [name for name in rec.facts if entity.kind not in vocab.yearly_fact(name).entities]
        if wrong:
            for name in wrong:
                report.errors.append(
                    v.RowError(str(report.path), rec.row, name, f"not a fact of a {entity.kind}")
                )
            continue
        if (entity.id, rec.year) in seen:
            report.errors.append(
                v.RowError(
                    str(report.path),
                    rec.row,
                    "year",
                    f"{rec.entity_key} {rec.year} appears twice in the file "
                    f"(first at row {seen[(entity.id, rec.year)]})",
                )
            )
            continue
        seen[(entity.id, rec.year)] = rec.row
        changed = inserted = False
        for name, value in rec.facts.items():
            fact = stored.get((entity.id, rec.year, name))
            if fact is None:
                new_rows.append(
                    {
                        "entity_id": entity.id,
                        "year": rec.year,
                        "name": name,
                        "value": value,
                        "import_id": import_id,
                    }
                )
                inserted = True
            elif fact.value != value:
                fact.value, fact.import_id = value, import_id
                changed = True
        if inserted and not changed:
            report.inserted += 1
        elif inserted or changed:
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    if new_rows:
        session.execute(insert(YearlyFact), new_rows)


def _apply_events(
    session: Session, known: _Entities, parsed: _Parsed, report: FileReport, import_id: int
) -> None:
    stored = {(e.entity_id, e.type, e.ref): e for e in session.execute(select(Event)).scalars()}
    seen: dict[tuple[int, str, str], int] = {}
    for rec in parsed.records:
        entity = known.resolve(rec.entity_key, rec.entity_kind)
        if isinstance(entity, str):
            report.errors.append(v.RowError(str(report.path), rec.row, "entity_key", entity, rec.entity_key))
            continue
        spec = vocab.event_type(rec.type)
        assert spec is not None
        if entity.kind not in spec.entities:
            report.errors.append(
                v.RowError(
                    str(report.path), rec.row, "event", f"a {entity.kind} cannot have a {rec.type} event"
                )
            )
            continue
        content = {"type": rec.type, "date": rec.on_date.isoformat(), "attributes": rec.attributes}
        digest = _hash(content)
        ref = rec.ref or digest[:32]
        ident = (entity.id, rec.type, ref)
        if ident in seen:
            if rec.ref:  # the same source id twice; identical content rows are simply the same event
                report.errors.append(
                    v.RowError(
                        str(report.path),
                        rec.row,
                        "ref",
                        f"ref {ref} appears twice (first at row {seen[ident]})",
                    )
                )
            else:
                report.unchanged += 1
            continue
        seen[ident] = rec.row
        event = stored.get(ident)
        if event is None:
            session.add(
                Event(
                    entity_id=entity.id,
                    type=rec.type,
                    ref=ref,
                    on_date=rec.on_date,
                    year=rec.on_date.year,
                    attributes=rec.attributes,
                    content_hash=digest,
                    import_id=import_id,
                )
            )
            report.inserted += 1
        elif event.content_hash == digest:
            report.unchanged += 1
        else:
            event.on_date, event.year, event.attributes = rec.on_date, rec.on_date.year, rec.attributes
            event.content_hash, event.import_id = digest, import_id
            report.updated += 1
    session.flush()


APPLY = {
    vocab.FileKind.ENTITIES: _apply_entities,
    vocab.FileKind.YEARLY: _apply_yearly,
    vocab.FileKind.EVENTS: _apply_events,
}
ORDER = (vocab.FileKind.ENTITIES, vocab.FileKind.YEARLY, vocab.FileKind.EVENTS)


def import_files(
    session: Session,
    paths: list[Path],
    accept_partial: bool = False,
    rejected_dir: Path | None = None,
    actor: str | None = None,
) -> list[FileReport]:
    """Validate and apply ``paths`` inside the caller's transaction; see the module docstring.

    Raises ``ImportRejected`` (the caller rolls back) when any row is bad and ``accept_partial`` is
    false; ``reading.UnreadableFile`` when a file cannot be read at all.
    """
    actor = actor or getpass.getuser()
    parsed = [(path, _parse(path)) for path in paths]
    parsed.sort(key=lambda pair: ORDER.index(pair[1].kind))
    if not accept_partial:
        errors = [e for _, p in parsed for e in p.errors]
        if errors:
            raise ImportRejected(errors)

    known = _Entities(session)
    reports: list[FileReport] = []
    for path, p in parsed:
        report = FileReport(path, p.kind, errors=list(p.errors))
        record = Import(
            file_name=path.name,
            file_sha256=_sha256_file(path),
            at=datetime.now(UTC),
            inserted=0,
            updated=0,
            unchanged=0,
            rejected=0,
        )
        session.add(record)
        session.flush()
        with session.no_autoflush:
            APPLY[p.kind](session, known, p, report, record.id)
        reports.append(report)
        if report.inserted or report.updated:
            record.inserted, record.updated = report.inserted, report.updated
            record.unchanged, record.rejected = report.unchanged, report.rejected_rows
            audit.append(
                session,
                actor,
                "registry.import",
                f"file:{path.name}",
                {
                    "sha256": record.file_sha256,
                    "kind": str(p.kind),
                    "inserted": report.inserted,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected_rows": report.rejected_rows,
                },
            )
        else:
            # Nothing changed: a re-import leaves no trace, not even an import record.
            session.delete(record)
            session.flush()

    if not accept_partial:
        errors = [e for r in reports for e in r.errors]
        if errors:
            raise ImportRejected(errors)
    else:
        for (_, p), report in zip(parsed, reports, strict=True):
            if report.errors:
                report.rejected_file = write_rejected(p.table, report.errors, rejected_dir)
    return reports


def write_rejected(table: Table, errors: list[v.RowError], rejected_dir: Path | None = None) -> Path:
    """Write the rejected rows with their reasons as ``<stem>.rejected.csv`` (UTF-8 with BOM)."""
    folder = rejected_dir or table.path.parent
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{table.path.stem}.rejected.csv"
    reasons: dict[int, list[str]] = {}
    for e in errors:
        reasons.setdefault(e.row, []).append(
            f"{e.field}: {e.reason}" + ("" if e.value is None else f" (got {e.value!r})")
        )
    with target.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["row", *table.columns, "reason"])
        for number, raw in table.rows:
            if number in reasons:
                cells = ["" if raw.get(c) is None else str(raw.get(c)) for c in table.columns]
                writer.writerow([number, *cells, "; ".join(reasons[number])])
    return target
