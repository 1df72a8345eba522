"""``huiqi registry import-population``: a synthetic population enters the registry through the same
validation and idempotent import as a file a person imports.

The tiny population is 40 enterprises, seed 7. Counted by hand from its Parquet for 2022–2023 and
the first 20 enterprises: 20 × 2 = 40 enterprise-years, less the 2022 row of the four founded in
2023 (ids 3, 10, 12, 14) = 36; one recognition, enterprise 19's 专精特新小巨人 (国家) of 2023. One
talent works for them: 10000 (level D, arrived 2016) at enterprise 10, which exists from 2023, so one
talent-year; the other talent's employer is enterprise 29; the population has no carrier. Talents and
carriers worked out row by row are in ``test_talents_and_carriers.py``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from stdnum.cn import uscc
from typer.testing import CliRunner

from huiqi.cli.app import UserError, app
from huiqi.population.synth import credit_code, credit_codes, synthesize
from huiqi.registry.importing import ImportRejected
from huiqi.registry.population import PopulationError, Selection, import_population, parse_years
from huiqi.store.db import transaction
from huiqi.store.models import AuditEntry, Entity, Event, Import, YearlyFact

SELECTION = Selection(2022, 2023, limit=20)
# Facts per enterprise-year: the 10 columns of enterprise_years the vocabulary knows, plus the
# enterprise's is_foreign_invested (static in the population, yearly in the vocabulary).
FACTS_PER_YEAR = 11
FACTS_PER_TALENT_YEAR = 2  # talent_level, employer_credit_code


@pytest.fixture(scope="module")
def population(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pop")
    synthesize(40, 7, out)
    return out


def _import(engine, population: Path, staging: Path):
    with transaction(engine) as session:
        return import_population(session, population, SELECTION, staging, actor="登记员")


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_synth_writes_valid_credit_codes_keyed_by_entity_id(population):
    codes = pq.read_table(population / "enterprises.parquet").column("credit_code").to_pylist()
    assert codes[0] == "913301080000000010"  # 91 330108 + serial 000000001 + check digit 0
    assert all(uscc.is_valid(c) for c in codes) and len(set(codes)) == 40
    # the vectorised codes are the same as stdnum's, also at the largest serial
    ids = [1, 19, 123_456_789, 999_999_999]
    assert credit_codes(ids).to_pylist() == [credit_code(i) for i in ids]


def test_the_first_twenty_enterprises_and_two_years_are_imported(engine, population, tmp_path):
    reports = _import(engine, population, tmp_path)
    assert [(str(r.kind), r.inserted, r.updated, r.unchanged) for r in reports] == [
        ("entities", 21, 0, 0),
        ("yearly facts", 37, 0, 0),
        ("events", 1, 0, 0),
    ]
    with transaction(engine) as session:
        assert _count(session, YearlyFact) == 36 * FACTS_PER_YEAR + FACTS_PER_TALENT_YEAR
        first = session.scalars(select(Entity).where(Entity.key == credit_code(1))).one()
        assert first.kind == "enterprise" and first.name == "合成企业1号"
        assert first.attributes == {"district": "滨江区", "founded": "2018-10-03", "industry": "其他"}
        facts = {
            f.name: f.value
            for f in session.scalars(
                select(YearlyFact).where(YearlyFact.entity_id == first.id, YearlyFact.year == 2023)
            )
        }
        # enterprise 1 in 2023, as enterprise_years holds it
        assert facts["revenue_fen"] == 233_403_964 and facts["rent_fen"] == 1_937_885
        assert facts["is_fiscal_revenue_in_district"] is True and facts["is_foreign_invested"] is False
        event = session.scalars(select(Event)).one()
        assert event.type == "enterprise_title" and event.year == 2023
        assert event.attributes == {"title": "专精特新小巨人", "level": "国家"}
        owner = session.get(Entity, event.entity_id)
        assert owner.key == credit_code(19)


def test_re_importing_changes_nothing_and_leaves_no_trace(engine, population, tmp_path):
    _import(engine, population, tmp_path)
    with transaction(engine) as session:
        before = (_count(session, Import), _count(session, AuditEntry), _count(session, YearlyFact))
    reports = _import(engine, population, tmp_path)
    assert [(r.inserted, r.updated, r.unchanged) for r in reports] == [(0, 0, 21), (0, 0, 37), (0, 0, 1)]
    with transaction(engine) as session:
        assert (_count(session, Import), _count(session, AuditEntry), _count(session, YearlyFact)) == before


def test_a_bad_row_is_rejected_with_its_field_and_nothing_is_applied(engine, population, tmp_path):
    # A copy of the population whose enterprise 1 reports a negative 2023 revenue.
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("enterprises", "events"):
        (bad / f"{name}.parquet").write_bytes((population / f"{name}.parquet").read_bytes())
    years = pq.read_table(population / "enterprise_years.parquet")
    target = pc.and_(pc.equal(years["entity_id"], 1), pc.equal(years["year"], 2023))
    revenue = pc.if_else(target, -1, years["revenue_fen"])
    pq.write_table(years.set_column(years.schema.get_field_index("revenue_fen"), "revenue_fen", revenue),
                   bad / "enterprise_years.parquet")  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        _import(engine, bad, tmp_path / "staging")
    [error] = caught.value.errors
    # yearly.parquet is ordered by credit code then year: enterprise 1's 2022, 2023 are records 1, 2
    assert (Path(error.file).name, error.row, error.field) == ("yearly.parquet", 2, "revenue_fen")
    assert error.reason == "money cannot be negative"
    with transaction(engine) as session:
        assert _count(session, Entity) == 0 and _count(session, Import) == 0


def test_years_are_a_year_or_a_range():
    assert parse_years("2021-2023") == (2021, 2023) and parse_years("2023") == (2023, 2023)
    for text in ("2023-2021", "21-23", "last year"):
        with pytest.raises(PopulationError):
            parse_years(text)


def test_the_command_imports_lists_what_it_skips_and_reports_bad_input(
    db_url, population, tmp_path, monkeypatch
):
    monkeypatch.setenv("HUIQI_DATABASE_URL", db_url)
    argv = ["registry", "import-population", str(population), "--years", "2022-2023", "--limit", "20",
            "--staging", str(tmp_path), "--by", "登记员"]  # fmt: skip
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "entities │ 21 │ 0 │ 0" in flat and "events │ 1 │ 0 │ 0" in flat
    for skipped in (
        "enterprises.foreign_capital_usd_cents",
        "events.tech_field",
        "events.valid_until",
        "talents.arrived",
        "carriers.operator_entity_id",
    ):
        assert skipped in flat
    again = CliRunner().invoke(app, argv)
    assert "entities │ 0 │ 0 │ 21" in " ".join(again.output.split())

    # A wrong folder is one line for the user (UserError), not a traceback.
    nowhere = CliRunner().invoke(app, ["registry", "import-population", str(tmp_path / "nope"), "--by", "x"])
    assert isinstance(nowhere.exception, UserError) and "nope: no such folder" in str(nowhere.exception)
    (tmp_path / "empty").mkdir()
    empty = CliRunner().invoke(app, ["registry", "import-population", str(tmp_path / "empty"), "--by", "x"])
    assert isinstance(empty.exception, UserError) and "huiqi synth" in str(empty.exception)
    years = CliRunner().invoke(app, [*argv, "--years", "2023-2021"])
    assert isinstance(years.exception, UserError) and "first year comes after the last" in str(
        years.exception
    )
