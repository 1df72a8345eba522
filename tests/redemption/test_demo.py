"""The end-to-end demo, ``scripts/demo_redemption.sh``, run as a user would (every step a ``huiqi``
command) on the test database: import → run → 公示 → objection → approval (and the preparer's
refusal) → payment orders (twice) → budget report, ledger check, audit verify, replay."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from huiqi.redemption.demo_data import credit_code

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo_redemption.sh"
BIN = Path(sys.executable).parent


@pytest.mark.slow  # about twenty `huiqi` processes, each loading the CLI (and three the rules)
def test_the_demo_runs_end_to_end_from_the_cli(db_url, tmp_path):
    env = {
        **os.environ,
        "HUIQI_DATABASE_URL": db_url,
        "HUIQI": str(BIN / "huiqi"),
        "PYTHON": sys.executable,
        "COLUMNS": "200",
    }
    done = subprocess.run(
        ["bash", str(SCRIPT), str(tmp_path)], env=env, capture_output=True, text=True, timeout=900
    )
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-3000:]

    assert "placed 1 (already 0), paid 1 (already 0), refused 0" in out  # the 2022 award, 20万元
    assert "run 1: 12 entities evaluated" in out
    assert "window 2024-03-01 – 2024-03-07 (5 working days)" in out
    assert "objection 1: kept" in out and "run 1 line 4: declined" in out
    assert "王经办 prepared run 1 and cannot decide on it" in done.stderr
    assert "lines approved by 李复核" in out
    # the second `huiqi pay` finds every order placed and posted: nothing is paid twice
    first, second = [ln for ln in out.splitlines() if ln.startswith("run 1: placed")]
    approved = int(first.split("placed ")[1].split(" ")[0])
    assert approved > 2 and f"posted {approved} (already 0), refused 0" in first
    assert second == f"run 1: placed 0 (already {approved}), posted 0 (already {approved}), refused 0"
    assert "ledger consistent" in out and "audit log intact" in out
    assert "run 1: identical (12 entities" in out

    # the notice files: the credit code of enterprise 1 as a text cell, the CSV with its BOM
    sheet = load_workbook(tmp_path / "notice" / "notice-1.xlsx").active
    cell = next(c for row in sheet.iter_rows(min_row=3) for c in row if c.value == credit_code(1))
    assert cell.data_type == "s"
    assert (tmp_path / "notice" / "notice-1.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with (tmp_path / "notice-final" / "notice-1.csv").open(encoding="utf-8-sig") as f:
        states = {r["序号"]: r["状态"] for r in csv.DictReader(f)}
    assert states["1"] == "已审批" and states["4"] == "主动放弃"
    assert "2024-03-01 至 2024-03-07" in (tmp_path / "notice" / "notice-1.html").read_text("utf-8")
