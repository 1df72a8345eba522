"""``huiqi voucher …`` end to end on the test database: a 企业券 of 滨江区 from registration to the report,
and a refused step as one line with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from huiqi.cli import app
from huiqi.cli.app import UserError
from huiqi.store.db import transaction

from .registry import WAN, add


def _run(*args: str) -> dict:
    result = CliRunner().invoke(app, ["voucher", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_commands_carry_a_voucher_through_its_lifecycle(engine, db_url, monkeypatch):
    monkeypatch.setenv("HUIQI_DATABASE_URL", db_url)
    with transaction(engine) as s:
        holder = add(s, "enterprise", 1, "杭州甲科技有限公司", years=range(2024, 2025))
        carrier = add(s, "carrier", 1, "某市级创新载体")
    _run(
        "provider",
        "企业券",
        carrier,
        "--basis",
        "市科委公布的市级创新载体名单",
        "--by",
        "市科委",
        "--on",
        "2024-01-10",
    )
    app_ = _run(
        "apply", "enterprise", holder, "--year", "2024", "--key", "A-1", "--amount", "20", "--unit", "万元",
        "--by", "申请人", "--on", "2024-03-01",
    )  # fmt: skip
    assert app_["requested_fen"] == 20 * WAN
    voucher = _run("issue", str(app_["application"]), "--by", "滨江区科技局", "--on", "2024-03-05")
    assert voucher["valid_until"] == "2024-12-31"
    _run(
        "use", str(voucher["voucher"]), "--holder", holder, "--provider", carrier,
        "--ref", "2024330108000123", "--contract", "40", "--unit", "万元", "--signed", "2024-04-01",
        "--by", "申请人", "--on", "2024-04-02",
    )  # fmt: skip
    paid = _run("redeem", str(voucher["voucher"]), "--by", "滨江区科技局", "--on", "2024-05-01")
    assert paid["amount_fen"] == 12 * WAN and paid["citation"].startswith("002/五/创新券")
    report = _run("report", "enterprise", "--year", "2024")
    assert report["total_fen"] == 12 * WAN and report["city_fen"] == 48_000 * 100  # 40% × 12万元
    void = _run("void-expired", "--by", "滨江区科技局", "--on", "2025-01-01")
    assert void == {"vouchers": [], "applications": []}  # the only voucher was redeemed

    refused = CliRunner().invoke(app, ["voucher", "redeem", "99", "--by", "x", "--on", "2024-05-01"])
    assert isinstance(refused.exception, UserError) and "no voucher 99" in str(refused.exception)


def test_a_refused_step_is_one_line_and_exit_2(db_url):
    env = {**os.environ, "HUIQI_DATABASE_URL": db_url}
    code = "from huiqi.cli import main; main()"
    args = ["voucher", "apply", "activity", "nobody", "--year", "2022", "--key", "k", "--by", "x"]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "no entity with key nobody" in done.stderr
    assert "Traceback" not in done.stderr
