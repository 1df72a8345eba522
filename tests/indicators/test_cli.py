"""``huiqi indicators`` end to end: a population written to Parquet, the table, JSON and chart."""

from __future__ import annotations

import json
from datetime import date

import pyarrow.parquet as pq
from typer.testing import CliRunner

from huiqi.cli import app
from huiqi.cli.app import UserError
from huiqi.population import tables

WAN = 1_000_000  # fen in 1 万元


def _title(entity_id, title, on, until):
    return {"entity_id": entity_id, "type": "enterprise_title", "date": on, "title": title,
            "level": "国家", "valid_until": until}  # fmt: skip


def _write_population(folder):
    folder.mkdir()
    rows = {
        "enterprises": [{"entity_id": 1, "district": "滨江区"}, {"entity_id": 2, "district": "滨江区"}],
        "enterprise_years": [
            # (450 + 90) / (5000 + 1000) = 9 % exactly: "保持在9%以上" is met.
            {"entity_id": 1, "year": 2025, "rd_expense_fen": 450 * WAN, "value_added_fen": 5000 * WAN,
             "employees": 80},
            {"entity_id": 2, "year": 2025, "rd_expense_fen": 90 * WAN, "value_added_fen": 1000 * WAN,
             "employees": 20},
        ],
        "events": [
            _title(1, "国家高新技术企业", date(2023, 10, 1), date(2026, 9, 30)),
            _title(2, "专精特新小巨人", date(2025, 6, 1), date(2028, 5, 31)),
        ],
    }  # fmt: skip
    for name, table_rows in rows.items():
        pq.write_table(tables.from_rows(name, table_rows), tables.table_path(folder, name))
    return folder


def test_json_and_chart(tmp_path):
    pop = _write_population(tmp_path / "pop")
    chart = tmp_path / "out" / "targets.png"
    args = [
        "indicators",
        "--pop",
        str(pop),
        "--year",
        "2025",
        "--base-year",
        "2024",
        "--json",
        "--chart",
        str(chart),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    body = result.output[: result.output.rindex("chart:")]
    out = {t["id"]: t for t in json.loads(body)["targets"]}
    assert out["high_tech_enterprises"]["value"] == "1" and out["high_tech_enterprises"]["gap"] == "3799"
    assert out["new_little_giants"]["value"] == "1" and out["new_little_giants"]["base_year"] == 2024
    assert out["rd_intensity"]["value"] == "9.00" and out["rd_intensity"]["met"] is True
    # 6000万元 / 100 people = 60万元/人.
    assert out["labour_productivity"]["progress_pct"] == "100.0"
    assert out["tech_smes"]["status"] == "no_data" and out["tech_smes"]["value"] is None
    assert out["technology_trade_volume"]["status"] == "not_computable"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_table(tmp_path, monkeypatch):
    from huiqi.cli.app import console

    monkeypatch.setattr(console, "width", 250)  # wide enough that no cell wraps
    pop = _write_population(tmp_path / "pop")
    result = CliRunner().invoke(app, ["indicators", "--pop", str(pop), "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "国家高新技术企业数" in result.output and "≥3800 家" in result.output
    assert "needs base year" in result.output  # no --base-year: the increment is not guessed


def test_errors_are_one_message(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["indicators", "--year", "2025"])
    assert isinstance(result.exception, UserError) and "choose one source" in str(result.exception)
    result = runner.invoke(app, ["indicators", "--pop", str(tmp_path), "--year", "2025"])
    assert isinstance(result.exception, UserError)
    assert "enterprises.parquet not found" in str(result.exception)
    bad = tmp_path / "targets.yaml"
    bad.write_text("targets: [{id: x}]\n", encoding="utf-8")
    pop = _write_population(tmp_path / "pop")
    result = runner.invoke(app, ["indicators", "--pop", str(pop), "--year", "2025", "--targets", str(bad)])
    assert isinstance(result.exception, UserError)
    assert f"{bad}, target x: 'label' is required" in str(result.exception)


def test_db_reads_the_registry(engine, db_url, tmp_path, monkeypatch):
    from .test_registry import _import

    _import(engine, tmp_path)
    monkeypatch.setenv("HUIQI_DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["indicators", "--db", "--year", "2024", "--json"])
    assert result.exit_code == 0, result.output
    out = {t["id"]: t for t in json.loads(result.output)["targets"]}
    # The registry of test_registry: A holds 国家高新技术企业 at the end of 2024; R&D 1000 / 10000万元 = 10 %.
    assert out["high_tech_enterprises"]["value"] == "1"
    assert out["rd_intensity"]["value"] == "10.00"
    assert out["new_little_giants"]["status"] == "needs_base_year"
