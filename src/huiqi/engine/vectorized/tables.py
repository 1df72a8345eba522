"""The input contract of the vectorized engine: four DuckDB views, column names from the vocabulary.

- ``entities(entity_id, kind, <every static fact>)``
- ``entity_years(entity_id, year, <every yearly fact>)`` — long form, one row per entity and year
- ``events(entity_id, type, date, event_index, <every event attribute>)`` — ``event_index`` orders an
  entity's events from 0 (the profile's list position; the file order in a population), for
  tie-breaks and for naming a missing attribute (``events[2].level``)
- ``payments(entity_id, item, year, amount_fen, subject, ladder, rank, org_id)`` — past payments
  (资助兑现记录)

A missing value is SQL ``NULL``, which is the scalar engine's ``Unknown`` (docs/rules.md §3). Two
adapters fill the views: from a list of profiles (tests, small runs) and from a population folder of
Parquet files written by ``huiqi synth`` (columns the folder lacks become typed ``NULL``).
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from huiqi.engine.profile import Profile
from huiqi.registry.population import CARRIER_KEY, PLATFORM_TYPE, TALENT_KEY
from huiqi.rules import facts as vocab
from huiqi.rules.factspec import FactType, Period

# Exact decimals (ratios such as "0.095") are stored with six places; a profile value with more
# would be cut, so the adapter refuses it instead.
DECIMAL_SCALE = 6

_SQL_TYPE = {
    FactType.MONEY: "BIGINT",
    FactType.INT: "BIGINT",
    FactType.BOOL: "BOOLEAN",
    FactType.CODE: "VARCHAR",
    FactType.TEXT: "VARCHAR",
    FactType.DECIMAL: f"DECIMAL(18, {DECIMAL_SCALE})",
    FactType.DATE: "DATE",
}
_ARROW_TYPE = {
    FactType.MONEY: pa.int64(),
    FactType.INT: pa.int64(),
    FactType.BOOL: pa.bool_(),
    FactType.CODE: pa.string(),
    FactType.TEXT: pa.string(),
    FactType.DECIMAL: pa.decimal128(18, DECIMAL_SCALE),
    FactType.DATE: pa.date32(),
}


class InputError(ValueError):
    """Input the vectorized engine cannot take as it is; the message names the entity and field."""


def quote_ident(name: str) -> str:
    """A SQL identifier in double quotes (vocabulary names are snake_case; quoting is belt and braces)."""
    return '"' + name.replace('"', '""') + '"'


def static_facts() -> dict[str, FactType]:
    return {f.name: f.type for f in vocab.FACTS if f.period is Period.STATIC}


def yearly_facts() -> dict[str, FactType]:
    return {f.name: f.type for f in vocab.FACTS if f.period is Period.YEAR}


def event_attrs() -> dict[str, FactType]:
    """Every event attribute of the vocabulary as one column; a name means one type in all events."""
    out: dict[str, FactType] = {}
    for spec in vocab.EVENTS:
        for a in spec.attrs:
            if a.name in ("entity_id", "type", "date", "event_index"):
                raise InputError(f"event attribute {spec.type}.{a.name} clashes with a key column")
            seen = out.setdefault(a.name, a.type)
            if seen is not a.type:
                raise InputError(
                    f"event attribute {a.name!r} is {seen.value} in one event type and {a.type.value} in "
                    f"{spec.type}: one column cannot hold both"
                )
    return out


PAYMENT_COLUMNS: dict[str, tuple[str, pa.DataType]] = {
    "item": ("VARCHAR", pa.string()),
    "year": ("BIGINT", pa.int64()),
    "amount_fen": ("BIGINT", pa.int64()),
    "subject": ("VARCHAR", pa.string()),
    "ladder": ("VARCHAR", pa.string()),
    "rank": ("BIGINT", pa.int64()),
    "org_id": ("VARCHAR", pa.string()),
}


# ---------------------------------------------------------------------------------------------------
# Adapter (a): a list of profiles


def _decimal(v: Decimal, where: str) -> Decimal:
    q = v.quantize(Decimal(1).scaleb(-DECIMAL_SCALE))
    if q != v:
        raise InputError(f"{where}: {v} has more than {DECIMAL_SCALE} decimal places")
    return q


def _cell(t: FactType, v, where: str):
    if v is not None and t is FactType.DECIMAL:
        return _decimal(Decimal(v), where)
    return v


def register_profiles(con, profiles: list[Profile]) -> None:
    """Build the four input tables from ``profiles`` (Arrow, in memory) and expose them as the views.

    ``entity_id`` is the profile's id, which must be unique.
    """
    seen: set[str] = set()
    for p in profiles:
        if p.id in seen:
            raise InputError(f"profile id {p.id!r} appears twice: entity ids must be unique")
        seen.add(p.id)
    sf, yf, ea = static_facts(), yearly_facts(), event_attrs()

    ent: dict[str, list] = {"entity_id": [], "kind": [], **{n: [] for n in sf}}
    yrs: dict[str, list] = {"entity_id": [], "year": [], **{n: [] for n in yf}}
    evs: dict[str, list] = {"entity_id": [], "type": [], "date": [], "event_index": [], **{n: [] for n in ea}}
    pay: dict[str, list] = {"entity_id": [], **{n: [] for n in PAYMENT_COLUMNS}}
    for p in profiles:
        ent["entity_id"].append(p.id)
        ent["kind"].append(p.kind)
        for n, t in sf.items():
            ent[n].append(_cell(t, p.facts.get(n), f"{p.id}: facts.{n}"))
        for y, row in p.years.items():
            yrs["entity_id"].append(p.id)
            yrs["year"].append(y)
            for n, t in yf.items():
                yrs[n].append(_cell(t, row.get(n), f"{p.id}: years.{y}.{n}"))
        for e in p.events:
            evs["entity_id"].append(p.id)
            evs["type"].append(e.type)
            evs["date"].append(e.date)
            evs["event_index"].append(e.index)
            for n, t in ea.items():
                evs[n].append(_cell(t, e.attrs.get(n), f"{p.id}: events[{e.index}].{n}"))
        for pm in p.payments:
            pay["entity_id"].append(p.id)
            for n in PAYMENT_COLUMNS:
                pay[n].append(getattr(pm, n))

    def table(cols: dict[str, list], types: dict[str, pa.DataType]) -> pa.Table:
        return pa.table({n: pa.array(v, type=types[n]) for n, v in cols.items()})

    key = {"entity_id": pa.string()}
    tables = {
        "entities": table(ent, {**key, "kind": pa.string(), **{n: _ARROW_TYPE[t] for n, t in sf.items()}}),
        "entity_years": table(yrs, {**key, "year": pa.int64(), **{n: _ARROW_TYPE[t] for n, t in yf.items()}}),
        "events": table(
            evs,
            {
                **key,
                "type": pa.string(),
                "date": pa.date32(),
                "event_index": pa.int64(),
                **{n: _ARROW_TYPE[t] for n, t in ea.items()},
            },
        ),
        "payments": table(pay, {**key, **{n: at for n, (_, at) in PAYMENT_COLUMNS.items()}}),
    }
    # copied into DuckDB tables: a scan of a registered Arrow table goes through Python and costs
    # tens of milliseconds per statement, and the plan runs one statement per item
    for name, tbl in tables.items():
        con.register(f"_hq_{name}", tbl)
        con.execute(f"DROP VIEW IF EXISTS {name}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _hq_{name}")
        con.unregister(f"_hq_{name}")


# ---------------------------------------------------------------------------------------------------
# Adapter (b): a population folder (``huiqi synth``; layout in ``huiqi.population.tables``)


def _parquet(path: Path) -> str:
    return "read_parquet('" + str(path).replace("'", "''") + "'"


def _columns(con, source: str) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source})").fetchall()}


_KEYS = {"entity_id", "kind", "year", "type", "date", "event_index"}


def _select(present: set[str], wanted: dict[str, str], alias: str = "") -> str:
    """``col`` when the file has it, else a typed NULL under the same name; then the file's other
    columns as they are (``credit_code``, ``value_added_fen``, …), so that these views can stand in
    for the population's own (``huiqi.population.tables.attach``: same names, fewer columns)."""
    cols = []
    for name, sql_type in wanted.items():
        q = quote_ident(name)
        cols.append(
            f"CAST({alias}{q} AS {sql_type}) AS {q}"
            if name in present
            else f"CAST(NULL AS {sql_type}) AS {q}"
        )
    cols += [f"{alias}{quote_ident(n)}" for n in sorted(present - set(wanted) - _KEYS)]
    return ", ".join(cols)


KINDS = ("enterprise", "talent", "carrier")  # the kinds of entity a population folder holds


def attach_population(con, directory: Path, kinds: Collection[str] = ("enterprise",)) -> None:
    """Expose a population folder's Parquet files as the four input views.

    Every row of ``enterprises.parquet`` is an entity of kind ``enterprise``. ``payments.parquet`` is
    optional (no file = no past payments). Raises ``InputError`` naming a missing file.

    With ``talent`` / ``carrier`` in ``kinds``, the rows of ``talents.parquet`` / ``carriers.parquet``
    (when the folder has them) are entities too, mapped as the registry import maps them
    (``huiqi.registry.population``: same keys, facts and years); ``entity_id`` is then text for every
    kind (an enterprise's is its number written out), since a talent's key is ``synth-talent-<id>``.
    """
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise InputError(f"unknown kind(s) {', '.join(unknown)}: a population holds {', '.join(KINDS)}")
    directory = Path(directory)
    files = {n: directory / f"{n}.parquet" for n in ("enterprises", "enterprise_years", "events", "payments")}
    for name in ("enterprises", "enterprise_years", "events"):
        if not files[name].is_file():
            raise InputError(
                f"{files[name]} not found: is {directory} a population written by `huiqi synth`?"
            )

    others = {
        k: directory / f"{k}s.parquet"
        for k in kinds
        if k != "enterprise" and (directory / f"{k}s.parquet").is_file()
    }
    key = "CAST(entity_id AS VARCHAR)" if others else "entity_id"
    src = _parquet(files["enterprises"])
    cols = _columns(con, src)
    static = {n: _SQL_TYPE[t] for n, t in static_facts().items()}
    entities = [f"SELECT {key} AS entity_id, 'enterprise' AS kind, {_select(cols, static)} FROM {src})"]
    src = _parquet(files["enterprise_years"])
    cols = _columns(con, src)
    yearly = {n: _SQL_TYPE[t] for n, t in yearly_facts().items()}
    years = [f"SELECT {key} AS entity_id, CAST(year AS BIGINT) AS year, {_select(cols, yearly)} FROM {src})"]
    extra_events = []
    for kind, path in others.items():
        ent, yrs, evs = _other_kind_sql(kind, _parquet(path), files)
        entities.append(f"SELECT entity_id, '{kind}' AS kind, {_select(set(ent[1]), static)} FROM ({ent[0]})")
        years.append(f"SELECT entity_id, year, {_select(set(yrs[1]), yearly)} FROM ({yrs[0]})")
        if evs is not None:
            extra_events.append(evs)
    con.execute("CREATE OR REPLACE VIEW entities AS " + " UNION ALL BY NAME ".join(entities))
    con.execute("CREATE OR REPLACE VIEW entity_years AS " + " UNION ALL BY NAME ".join(years))
    # event_index is the event's position among its entity's events in file order — the index a
    # profile built from the file gives it, which the scalar engine names in a missing attribute
    # (events[2].level) and breaks ties by.
    src = _parquet(files["events"])
    cols = _columns(con, src)
    wanted = {n: _SQL_TYPE[t] for n, t in event_attrs().items()}
    events = [
        f"SELECT {key} AS entity_id, type, CAST(date AS DATE) AS date, "
        "row_number() OVER (PARTITION BY entity_id ORDER BY file_row_number) - 1 AS event_index, "
        f"{_select(cols, wanted)} FROM {_parquet(files['events'])}, file_row_number = true)"
    ]
    # a carrier's one event (its recognition) is its events[0]
    events += [
        f"SELECT entity_id, type, date, CAST(0 AS BIGINT) AS event_index, {_select(set(attrs), wanted)} "
        f"FROM ({sql})"
        for sql, attrs in extra_events
    ]
    con.execute("CREATE OR REPLACE VIEW events AS " + " UNION ALL BY NAME ".join(events))
    wanted = {n: t for n, (t, _) in PAYMENT_COLUMNS.items()}
    if files["payments"].is_file():
        src = _parquet(files["payments"])
        cols = _columns(con, src)
        con.execute(
            f"CREATE OR REPLACE VIEW payments AS SELECT {key} AS entity_id, {_select(cols, wanted)} "
            f"FROM {src})"
        )
    else:
        nulls = ", ".join(f"CAST(NULL AS {t}) AS {quote_ident(n)}" for n, t in wanted.items())
        id_type = "VARCHAR" if others else "BIGINT"
        con.execute(
            f"CREATE OR REPLACE VIEW payments AS SELECT CAST(NULL AS {id_type}) AS entity_id, {nulls} LIMIT 0"
        )


def _other_kind_sql(kind: str, src: str, files: dict[str, Path]):
    """A talent's or carrier's rows as the registry import stages them (``huiqi.registry.population``
    maps the same columns to the same facts): ``((entities sql, facts), (years sql, facts), events)``
    — events is ``(sql, attributes)`` or None. Years, within the population's (those of
    ``enterprise_years``): a talent has one from the year it arrived and its employer was founded,
    a carrier from the year it was recognised."""
    ey = _parquet(files["enterprise_years"]) + ")"
    years = (
        f"(SELECT range AS year FROM range((SELECT min(year) FROM {ey}), (SELECT max(year) FROM {ey}) + 1)) y"
    )
    if kind == "talent":
        key = f"'{TALENT_KEY}' || t.talent_id"
        ent = f"SELECT {key} AS entity_id, t.birth_date FROM {src}) t"
        yrs = (
            f"SELECT {key} AS entity_id, CAST(y.year AS BIGINT) AS year, t.talent_level, "
            f"e.credit_code AS employer_credit_code FROM {src}) t "
            f"JOIN {_parquet(files['enterprises'])}) e ON e.entity_id = t.employer_entity_id, {years} "
            "WHERE y.year >= greatest(year(t.arrived), year(e.founded))"
        )
        return (ent, ("birth_date",)), (yrs, ("talent_level", "employer_credit_code")), None
    key = f"'{CARRIER_KEY}' || k.carrier_id"
    ent = f"SELECT {key} AS entity_id, k.carrier_type FROM {src}) k"
    yrs = (
        f"SELECT {key} AS entity_id, CAST(y.year AS BIGINT) AS year, k.incubated_enterprises "
        f"FROM {src}) k, {years} WHERE y.year >= year(k.recognized)"
    )
    platform = "CASE k.carrier_type " + " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in PLATFORM_TYPE.items())
    evs = (
        f"SELECT {key} AS entity_id, 'platform_recognized' AS type, CAST(k.recognized AS DATE) AS date, "
        f"{platform} END AS platform_type, k.level FROM {src}) k"
    )
    return (ent, ("carrier_type",)), (yrs, ("incubated_enterprises",)), (evs, ("platform_type", "level"))
