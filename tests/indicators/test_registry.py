"""Indicators on the registry: a tiny CSV import, read back through SQL (SQLite, or PostgreSQL
with HUIQI_TEST_DATABASE_URL)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from huiqi.indicators import compute, connect_registry, load_targets
from huiqi.registry.importing import import_files
from huiqi.store.db import transaction

from .conftest import credit_code

A, B, C = credit_code(11), credit_code(12), credit_code(13)
WAN = 1_000_000  # fen in 1 万元


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def _import(engine, tmp_path: Path) -> None:
    files = [
        _csv(tmp_path / "entities.csv", [
            ["kind", "name", "credit_code"],
            ["enterprise", "杭州甲科技有限公司", A],
            ["enterprise", "杭州乙电子有限公司", B],
            ["enterprise", "杭州丙软件有限公司", C],
        ]),
        _csv(tmp_path / "events.csv", [
            ["entity_key", "event", "date", "title", "level"],
            [A, "enterprise_title", "2022-11-18", "国家高新技术企业", "国家"],
            [B, "enterprise_title", "2025-12-01", "国家高新技术企业", "国家"],
            [A, "enterprise_title", "2024-07-01", "专精特新小巨人", "国家"],
            [C, "enterprise_title", "2022-07-01", "专精特新小巨人", "国家"],
        ]),
        _csv(tmp_path / "yearly.csv", [
            ["entity_key", "year", "rd_expense_fen", "value_added_fen", "employees"],
            [A, "2024", str(900 * WAN), str(6000 * WAN), "100"],
            [B, "2024", str(100 * WAN), str(4000 * WAN), "60"],
            [C, "2024", str(10 * WAN), "", ""],
        ]),
    ]  # fmt: skip
    with transaction(engine) as session:
        import_files(session, files, actor="tester")


def test_registry_figures(engine, tmp_path):
    _import(engine, tmp_path)
    readings = {
        r.target.id: r for r in compute(load_targets(), connect_registry(engine), 2024, base_year=2023)
    }

    # 国家高新技术企业 on 31 Dec 2024: A (B only from 2025). The registry records no expiry, and says so.
    high_tech = readings["high_tech_enterprises"]
    assert (high_tech.status, high_tech.value) == ("computed", Decimal(1))
    assert "1 with no expiry date" in high_tech.detail

    # 新培育“小巨人” after 2023: A (2024); C was recognised in 2022, before the base year.
    giants = readings["new_little_giants"]
    assert (giants.value, giants.base_year) == (Decimal(1), 2023)

    # R&D intensity: (900 + 100) / (6000 + 4000) = 10 % ≥ 9 %; C reports no value added.
    rd = readings["rd_intensity"]
    assert (rd.value, rd.met) == (Decimal(10), True)
    # Productivity: 10000万元 / 160 people = 62.5万元/人.
    assert readings["labour_productivity"].value == Decimal("62.5")

    # Never imported: reported as no data, not 0.
    assert readings["tech_smes"].status == "no_data"


def test_empty_registry_has_no_data(engine, db_url):
    readings = compute(load_targets(), connect_registry(db_url), 2024, base_year=2023)  # by URL
    statuses = {r.target.id: r.status for r in readings}
    assert statuses["high_tech_enterprises"] == statuses["rd_intensity"] == "no_data"
    assert all(r.value is None for r in readings)
