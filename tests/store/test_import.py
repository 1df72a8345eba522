"""Registry import: validation at the edge, all or nothing, partial mode, idempotent re-import, formats."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from huiqi.redemption.audit import verify
from huiqi.registry.importing import ImportRejected, import_files
from huiqi.registry.reading import UnreadableFile
from huiqi.store.db import transaction
from huiqi.store.models import AuditEntry, Entity, Event, Import, YearlyFact

from .conftest import credit_code

A, B, C = credit_code(1), credit_code(2), credit_code(3)
ENTITY_HEADER = ["kind", "key", "name", "credit_code", "industry", "district", "founded"]
ENTITIES = [
    ["enterprise", "", "杭州甲科技有限公司", A, "人工智能", "滨江区", "2015-03-02"],
    ["enterprise", "", "杭州乙生物有限公司", B, "生命健康", "滨江区", "2018/7/1"],
    ["talent", "T-0001", "张三", "", "", "", ""],
]
YEARLY_HEADER = ["entity_key", "year", "rd_expense_fen", "revenue_fen", "export_fen"]
YEARLY = [[A, "2023", "1250000000", "98000000000", ""], [B, "2023", "300000000", "1500000000", "0"]]
EVENT_HEADER = ["entity_key", "event", "date", "scope", "role", "drafter_rank", "subject"]
EVENTS = [[A, "standard_published", "2023-06-01", "国家标准", "主导", "1", "GB/T 00001-2023"]]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def counts(engine) -> dict[str, int]:
    with transaction(engine) as s:
        return {
            model.__tablename__: s.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Entity, YearlyFact, Event, Import, AuditEntry)
        }


def run(engine, paths, **kwargs):
    with transaction(engine) as s:
        return import_files(s, paths, actor="tester", **kwargs)


@pytest.fixture
def good_files(tmp_path):
    return [
        write_csv(tmp_path / "events.csv", EVENT_HEADER, EVENTS),  # order of arguments does not matter
        write_csv(tmp_path / "entities.csv", ENTITY_HEADER, ENTITIES),
        write_csv(tmp_path / "yearly.csv", YEARLY_HEADER, YEARLY),
    ]


def test_a_good_import_stores_typed_facts(engine, good_files):
    reports = run(engine, good_files)
    assert [(r.kind.value, r.inserted) for r in reports] == [
        ("entities", 3),
        ("yearly facts", 2),
        ("events", 1),
    ]
    with transaction(engine) as s:
        a = s.execute(select(Entity).where(Entity.key == A)).scalar_one()
        assert a.kind == "enterprise" and a.credit_code == A
        assert a.attributes == {"district": "滨江区", "founded": "2015-03-02", "industry": "人工智能"}
        rd = s.execute(
            select(YearlyFact).where(YearlyFact.entity_id == a.id, YearlyFact.name == "rd_expense_fen")
        )
        assert rd.scalar_one().value == 1_250_000_000  # 1,250万元 in fen, an int
        event = s.execute(select(Event)).scalar_one()
        assert event.type == "standard_published" and event.year == 2023
        assert event.attributes == {
            "scope": "国家标准",
            "role": "主导",
            "drafter_rank": 1,
            "subject": "GB/T 00001-2023",
        }
        talent = s.execute(select(Entity).where(Entity.kind == "talent")).scalar_one()
        assert talent.key == "T-0001" and talent.credit_code is None
        assert verify(s).ok


def test_reimporting_the_same_files_changes_nothing(engine, good_files):
    run(engine, good_files)
    before = counts(engine)
    reports = run(engine, good_files)
    assert [(r.inserted, r.updated) for r in reports] == [(0, 0)] * 3
    assert [r.unchanged for r in reports] == [3, 2, 1]
    assert counts(engine) == before  # not even an import record or an audit entry


def test_a_corrected_value_updates_and_an_empty_cell_erases_nothing(engine, good_files, tmp_path):
    run(engine, good_files)
    fix = write_csv(tmp_path / "fix.csv", YEARLY_HEADER, [[A, "2023", "1300000000", "", ""]])
    (report,) = run(engine, [fix])
    assert (report.updated, report.inserted) == (1, 0)
    with transaction(engine) as s:
        a = s.execute(select(Entity).where(Entity.key == A)).scalar_one()
        mine = {
            f.name: f.value
            for f in s.execute(select(YearlyFact).where(YearlyFact.entity_id == a.id)).scalars()
        }
    assert mine == {"rd_expense_fen": 1_300_000_000, "revenue_fen": 98_000_000_000}


def test_bad_rows_are_named_by_file_row_and_field_and_nothing_is_applied(engine, tmp_path):
    bad_code = A[:-1] + ("0" if A[-1] != "0" else "1")  # wrong check digit
    entities = write_csv(
        tmp_path / "entities.csv",
        ENTITY_HEADER,
        [
            ["enterprise", "", "好企业", A, "人工智能", "", ""],
            ["enterprise", "", "坏代码", bad_code, "", "", ""],
            ["enterprise", "", "坏日期", C, "", "", "2023-02-30"],
        ],
    )
    yearly = write_csv(tmp_path / "yearly.csv", YEARLY_HEADER, [[A, "2023", "-5", "", ""]])
    events = write_csv(
        tmp_path / "events.csv", ["entity_key", "event", "date"], [[A, "lottery_win", "2023-01-01"]]
    )
    with pytest.raises(ImportRejected) as info:
        run(engine, [entities, yearly, events])
    found = {(Path(e.file).name, e.row, e.field) for e in info.value.errors}
    assert found == {
        ("entities.csv", 3, "credit_code"),  # row 3 of the sheet: header is row 1
        ("entities.csv", 4, "founded"),
        ("yearly.csv", 2, "rd_expense_fen"),
        ("events.csv", 2, "event"),
    }
    reasons = {e.field: e.reason for e in info.value.errors}
    assert "check" in reasons["credit_code"].lower() or "checksum" in reasons["credit_code"].lower()
    assert reasons["rd_expense_fen"] == "money cannot be negative"
    assert "not a calendar date" in reasons["founded"]
    assert "unknown event type" in reasons["event"]
    assert "entities.csv, row 3, field credit_code" in str(info.value)
    assert counts(engine) == {"entities": 0, "yearly_facts": 0, "events": 0, "imports": 0, "audit_log": 0}


def test_money_must_be_whole_fen(engine, tmp_path):
    write_csv(tmp_path / "e.csv", ENTITY_HEADER, ENTITIES)
    yearly = write_csv(tmp_path / "y.csv", YEARLY_HEADER, [[A, "2023", "100.5", "", ""]])
    with pytest.raises(
        ImportRejected, match=r"y.csv, row 2, field rd_expense_fen: money \(in 分\) must be a whole"
    ):
        run(engine, [tmp_path / "e.csv", yearly])


def test_an_event_for_an_unknown_entity_is_a_row_error(engine, tmp_path):
    events = write_csv(tmp_path / "events.csv", EVENT_HEADER, EVENTS)
    with pytest.raises(ImportRejected) as info:
        run(engine, [events])
    (error,) = info.value.errors
    assert (error.row, error.field) == (2, "entity_key") and "no entity" in error.reason


def test_an_unknown_column_rejects_the_file(engine, tmp_path):
    path = write_csv(tmp_path / "y.csv", [*YEARLY_HEADER, "rd_expenses_fen"], [[A, "2023", "1", "", "", "2"]])
    with pytest.raises(ImportRejected, match="rd_expenses_fen"):
        run(engine, [path])


def test_partial_mode_applies_good_rows_and_writes_the_rejected_ones(engine, tmp_path):
    entities = write_csv(
        tmp_path / "entities.csv",
        ENTITY_HEADER,
        [
            ["enterprise", "", "好企业", A, "人工智能", "", ""],
            ["enterprise", "", "坏代码", "91330100MA2XXXXXX1", "", "", ""],
            ["enterprise", "", "坏产业", B, "房地产", "", ""],
            ["enterprise", "", "也好", C, "", "", ""],
        ],
    )
    out = tmp_path / "rejected"
    (report,) = run(engine, [entities], accept_partial=True, rejected_dir=out)
    assert (report.inserted, report.rejected_rows) == (2, 2)
    with transaction(engine) as s:
        assert sorted(s.execute(select(Entity.key)).scalars()) == sorted([A, C])
    with report.rejected_file.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["row"] for r in rows] == ["3", "4"]
    assert rows[0]["name"] == "坏代码" and rows[0]["reason"].startswith("credit_code: not a valid")
    assert rows[1]["reason"].startswith("industry: one of 信息技术")
    assert report.rejected_file.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads it as UTF-8
    # Importing the rejected rows' good neighbours again changes nothing.
    (again,) = run(engine, [entities], accept_partial=True, rejected_dir=out)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_gbk_and_utf8_bom_csv(engine, tmp_path):
    gbk = write_csv(tmp_path / "gbk.csv", ENTITY_HEADER, ENTITIES[:1], encoding="gbk")
    assert "杭州甲科技".encode("gbk") in gbk.read_bytes()
    bom = write_csv(tmp_path / "bom.csv", YEARLY_HEADER, YEARLY[:1], encoding="utf-8-sig")
    run(engine, [gbk, bom])
    with transaction(engine) as s:
        assert s.execute(select(Entity.name)).scalar_one() == "杭州甲科技有限公司"
        assert s.execute(select(func.count()).select_from(YearlyFact)).scalar_one() == 2


def test_xlsx_with_real_dates_and_numbers(engine, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(ENTITY_HEADER)
    ws.append(["enterprise", None, "杭州甲科技有限公司", A, "人工智能", "滨江区", datetime(2015, 3, 2)])
    wb.save(tmp_path / "e.xlsx")
    wb = Workbook()
    ws = wb.active
    ws.append(YEARLY_HEADER)
    ws.append([A, 2023, 1250000000, 98000000000.0, None])  # Excel hands numbers over as floats
    ws.append([A, 2022, 12.5, None, None])  # not a whole fen: refused
    wb.save(tmp_path / "y.xlsx")
    with pytest.raises(ImportRejected) as info:
        run(engine, [tmp_path / "e.xlsx", tmp_path / "y.xlsx"])
    assert [(Path(e.file).name, e.row, e.field) for e in info.value.errors] == [
        ("y.xlsx", 3, "rd_expense_fen")
    ]
    run(engine, [tmp_path / "e.xlsx", tmp_path / "y.xlsx"], accept_partial=True, rejected_dir=tmp_path)
    with transaction(engine) as s:
        assert s.execute(select(Entity.attributes)).scalar_one()["founded"] == "2015-03-02"
        values = {f.name: f.value for f in s.execute(select(YearlyFact)).scalars()}
    assert values == {"rd_expense_fen": 1_250_000_000, "revenue_fen": 98_000_000_000}


def test_parquet(engine, tmp_path):
    from datetime import date

    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(
        pa.table({"kind": ["enterprise", "enterprise"], "name": ["甲", "乙"], "credit_code": [A, B]}),
        tmp_path / "e.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "entity_key": [A, B],
                "event": ["science_award", "science_award"],
                "date": [date(2023, 12, 1), date(2023, 12, 1)],
                "award": ["科技进步奖", "科技进步奖"],
                "level": ["省", "省"],
                "grade": ["一等", "五等"],  # record 2: not a grade the vocabulary knows
                "unit_rank": [1, 2],
            }
        ),
        tmp_path / "ev.parquet",
    )
    with pytest.raises(ImportRejected) as info:
        run(engine, [tmp_path / "e.parquet", tmp_path / "ev.parquet"])
    ((row, field),) = [(e.row, e.field) for e in info.value.errors]
    assert (row, field) == (2, "grade")  # Parquet rows are numbered from 1
    (_, report) = run(engine, [tmp_path / "e.parquet", tmp_path / "ev.parquet"], accept_partial=True)
    assert (report.inserted, report.rejected_rows) == (1, 1)


def test_unreadable_files_say_why(engine, tmp_path):
    (tmp_path / "x.txt").write_text("a")
    with pytest.raises(UnreadableFile, match="unsupported file type"):
        run(engine, [tmp_path / "x.txt"])
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81\x00")
    with pytest.raises(UnreadableFile):
        run(engine, [tmp_path / "bin.csv"])
