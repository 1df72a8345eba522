"""The commands, end to end on one database: import → budget → pay → paid → clawback → check → verify."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from huiqi.cli import app
from huiqi.cli.app import UserError

from .conftest import credit_code
from .ledger_fixtures import ITEM, ITEM_CITATION
from .test_import import ENTITIES, ENTITY_HEADER, write_csv

BAN_CITATION = "5年内取消申请科技资金补助的资格"


def invoke(args: list[str]):
    return CliRunner().invoke(app, args)


def test_the_registry_to_ledger_commands(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HUIQI_DATABASE_URL", db_url)
    entities = write_csv(tmp_path / "entities.csv", ENTITY_HEADER, ENTITIES)
    result = invoke(["registry", "import", str(entities)])
    assert result.exit_code == 0, result.output
    assert "entities" in result.output

    result = invoke(
        ["budget", "set", "002", "2023", "3", "--unit", "亿元", "--citation", "每年安排专项资金不少于3亿元"]
    )
    assert result.exit_code == 0 and "budget 002 2023: 30,000万元" in result.output

    a, b = credit_code(1), credit_code(2)
    batch = write_csv(
        tmp_path / "orders.csv",
        [
            "key",
            "beneficiary",
            "item",
            "period",
            "budget_line",
            "budget_year",
            "amount_fen",
            "citation",
            "ordered_on",
        ],
        [
            ["o-1", a, ITEM, "2023", "002", "2023", "500000000", ITEM_CITATION, "2023-11-01"],
            ["o-2", b, ITEM, "2023", "002", "2023", "120000000", ITEM_CITATION, "2023-11-01"],
        ],
    )
    result = invoke(["ledger", "pay", str(batch), "--pay-on", "2023-11-02", "--by", "finance"])
    assert result.exit_code == 0 and "placed 2 (already 0), paid 2 (already 0)" in result.output
    result = invoke(["ledger", "pay", str(batch), "--pay-on", "2023-11-02"])
    assert "placed 0 (already 2), paid 0 (already 2)" in result.output

    result = invoke(["ledger", "paid", a])
    assert "paid 500万元" in result.output
    result = invoke(
        ["ledger", "clawback", "o-1", "--amount", "500", "--unit", "万元", "--reason", "虚报研发投入",
         "--on", "2024-03-15", "--ban-years", "5", "--ban-citation", BAN_CITATION]
    )  # fmt: skip
    assert result.exit_code == 0 and "until 2029-03-15" in result.output

    result = invoke(["budget", "report", "--year", "2023"])
    # 3亿 budget; 500万 + 120万 paid (the clawback returns money to the treasury, not to the line)
    assert "620万元" in result.output and "29,380万元" in result.output
    assert invoke(["ledger", "check"]).output.strip() == "ledger consistent"
    # import, budget.set, place + post of each order, clawback, ban
    assert "intact: 8 entries" in invoke(["audit", "verify"]).output


def test_bad_input_is_one_clear_error(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HUIQI_DATABASE_URL", db_url)
    bad = write_csv(tmp_path / "e.csv", ENTITY_HEADER, [["enterprise", "", "坏", "123", "", "", ""]])
    result = invoke(["registry", "import", str(bad)])
    assert isinstance(result.exception, UserError)
    assert "e.csv, row 2, field credit_code" in str(result.exception)
    result = invoke(["budget", "set", "002", "2023", "0.001", "--citation", "x"])
    assert isinstance(result.exception, UserError) and "whole number of fen" in str(result.exception)


def test_the_installed_command_exits_2_without_a_traceback(db_url, tmp_path):
    bad = write_csv(tmp_path / "e.csv", ENTITY_HEADER, [["enterprise", "", "坏", "123", "", "", ""]])
    done = subprocess.run(
        [sys.executable, "-c", "from huiqi.cli import main; main()", "registry", "import", str(bad)],
        env={**os.environ, "HUIQI_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    message = " ".join(done.stderr.split())  # the console wraps long lines
    assert "row 2, field credit_code: not a valid unified social credit code" in message
    assert "Traceback" not in done.stderr
