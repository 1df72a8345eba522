"""Importing recognitions and evaluations: bad rows named by file, row and field; all or nothing;
re-import changes nothing; every change audited."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from huiqi.recognitions.importing import import_files
from huiqi.registry.importing import ImportRejected
from huiqi.store.db import transaction
from huiqi.store.models import AuditEntry, Import
from huiqi.store.models_recognitions import Recognition, RecognitionEvaluation

from .pipeline import CLERK, EAGLE, FACTORY, LISTING, SPACE, register, write_csv

GOOD = {
    "entity_key": FACTORY,
    "scheme": "未来工厂",
    "ref": "F-1",
    "tier": "数字化车间",
    "granted_on": "2023-06-01",
    "issuer": "杭州市经济和信息化局",
}


def counts(engine) -> tuple[int, int, int, int]:
    with transaction(engine) as s:
        return tuple(
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Recognition, RecognitionEvaluation, Import, AuditEntry)
        )  # type: ignore[return-value]


def run_import(engine, *paths):
    with transaction(engine) as s:
        return import_files(s, list(paths), CLERK)


def test_bad_rows_are_named_by_file_row_and_field_and_nothing_is_applied(engine, tmp_path):
    register(engine, tmp_path)
    before = counts(engine)
    path = write_csv(
        tmp_path / "rec.csv",
        [
            GOOD,
            {**GOOD, "ref": "F-2", "scheme": "未来农场"},
            {**GOOD, "ref": "F-3", "tier": "黑灯工厂"},
            {**GOOD, "ref": "F-4", "granted_on": "2023-02-30"},
            {**GOOD, "ref": "F-5", "entity_key": "913301000000009999"},
            {**GOOD, "ref": "F-6", "issuer": ""},
            {**GOOD, "ref": "F-7", "exchange": "上交所"},
            {
                "entity_key": LISTING,
                "scheme": "上市进程",
                "ref": "IPO-1",
                "tier": "上市",
                "granted_on": "2024-01-18",
                "issuer": "上海证券交易所",
            },
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        run_import(engine, path)
    got = {(e.row, e.field) for e in caught.value.errors}
    assert got == {
        (3, "scheme"),
        (4, "tier"),
        (5, "granted_on"),
        (6, "entity_key"),
        (7, "issuer"),
        (8, "exchange"),
        (9, "exchange"),
    }
    assert f"{path}, row 5, field granted_on:" in str(caught.value)
    assert counts(engine) == before  # the good row 2 was not applied either


def test_a_lower_tier_is_refused_with_its_row(engine, tmp_path):
    register(engine, tmp_path)
    path = write_csv(
        tmp_path / "rec.csv", [{**GOOD, "tier": "智能工厂"}, {**GOOD, "granted_on": "2024-01-01"}]
    )
    with pytest.raises(
        ImportRejected, match=r"rec.csv, row 3, field tier: 数字化车间 is below the current 智能工厂"
    ):
        run_import(engine, path)


def test_an_unknown_column_rejects_the_file(engine, tmp_path):
    register(engine, tmp_path)
    path = write_csv(tmp_path / "rec.csv", [{**GOOD, "level": "国家"}])
    with pytest.raises(ImportRejected, match="row 1, field level: not a column of a recognitions file"):
        run_import(engine, path)
    path = write_csv(tmp_path / "odd.csv", [{"entity_key": FACTORY, "scheme": "未来工厂"}])
    with pytest.raises(ImportRejected, match="cannot tell the kind of file"):
        run_import(engine, path)


def test_reimport_changes_nothing_and_changes_are_audited(engine, tmp_path):
    register(engine, tmp_path)
    base = counts(engine)
    rec = write_csv(
        tmp_path / "rec.csv",
        [
            GOOD,
            {**GOOD, "tier": "智能工厂", "granted_on": "2024-04-01"},
            {
                "entity_key": SPACE,
                "scheme": "众创空间",
                "ref": "ZC-1",
                "tier": "市",
                "granted_on": "2022-03-15",
                "issuer": "杭州市科学技术局",
            },
        ],
    )
    ev = write_csv(
        tmp_path / "ev.csv",
        [
            {
                "entity_key": SPACE,
                "entity_kind": "carrier",
                "scheme": "众创空间",
                "ref": "ZC-1",
                "year": 2022,
                "result": "优秀",
                "evaluated_on": "2023-03-20",
            }
        ],
    )
    reports = run_import(engine, ev, rec)  # the evaluations file first: rows are applied in time order
    assert [(r.kind, r.counts) for r in reports] == [
        ("evaluations", {"inserted": 1}),
        ("recognitions", {"inserted": 2, "upgraded": 1}),
    ]
    after = counts(engine)
    assert after == (base[0] + 3, base[1] + 1, base[2] + 2, base[3] + 4)
    with transaction(engine) as s:
        actions = list(s.execute(select(AuditEntry.action).where(AuditEntry.seq > base[3])).scalars())
        first = s.execute(select(Recognition).where(Recognition.tier == "数字化车间")).scalar_one()
        assert (first.ended_on, first.end_reason) == (date(2024, 4, 1), "upgraded")
        assert "补助资金均按进档差额执行" in first.end_citation
    assert sorted(actions) == sorted(
        ["recognition.grant", "recognition.grant", "recognition.upgrade", "recognition.evaluate"]
    )

    again = run_import(engine, rec, ev)
    assert [r.counts for r in again] == [{"unchanged": 3}, {"unchanged": 1}]
    assert counts(engine) == after  # no import record, no audit entry

    fixed = write_csv(tmp_path / "fixed.csv", [{**GOOD, "issuer": "杭州市经信局"}])
    assert run_import(engine, fixed)[0].counts == {"updated": 1}
    with transaction(engine) as s:
        last = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
        assert last.action == "recognition.update" and "杭州市经信局" in last.payload


def test_xlsx_with_excel_dates_and_an_evaluation_of_a_year_it_does_not_hold(engine, tmp_path):
    register(engine, tmp_path)
    book = Workbook()
    sheet = book.active
    sheet.append(["entity_key", "scheme", "ref", "tier", "granted_on", "issuer", "valid_until"])
    sheet.append([EAGLE, "雏鹰企业", "CY-1", "市", date(2022, 5, 10), "杭州市科学技术局", None])
    path = tmp_path / "eagles.xlsx"
    book.save(path)
    assert run_import(engine, path)[0].counts == {"inserted": 1}
    ev = write_csv(
        tmp_path / "ev.csv",
        [
            {
                "entity_key": EAGLE,
                "scheme": "雏鹰企业",
                "ref": "CY-1",
                "year": 2021,
                "result": "已备案",
                "evaluated_on": "2022-04-01",
            },
            {
                "entity_key": EAGLE,
                "scheme": "雏鹰企业",
                "ref": "CY-1",
                "year": 2023,
                "result": "合格",
                "evaluated_on": "2024-04-01",
            },
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        run_import(engine, ev)
    assert {(e.row, e.field) for e in caught.value.errors} == {(2, "year"), (3, "result")}
    assert "does not hold in 2021" in str(caught.value) and "已备案, 未备案" in str(caught.value)
