"""huiqi calc / facts / check from the command line: output and clear errors, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

from huiqi.paths import policies_dir

ROOT = policies_dir().parent
EXAMPLE = ROOT / "examples" / "little_giant_2023.json"


def huiqi(*args: str) -> subprocess.CompletedProcess:
    code = "from huiqi.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


def test_calc_json():
    out = huiqi("calc", str(EXAMPLE), "--year", "2023", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    items = {i["item"]: i for i in data["items"]}
    # 专精特新: 100万元 − 20万元 paid in 2022; 创新券 80万元 × 30%; 算力 150万元 × 20%
    assert items["002/六/专精特新"]["amount_fen"] == 80_000_000
    assert items["002/五/创新券"]["amount_fen"] == 24_000_000
    assert items["002/五/算力补贴"]["amount_fen"] == 30_000_000
    assert data["total_fen"] == 134_000_000
    assert items["002/八/成果转移"]["status"] == "undetermined"
    assert items["002/八/成果转移"]["missing"] == ["years.2023.tech_transfer_spend_fen"]
    assert any(
        s["kind"] == "upgrade" and s["clause"] == "002/十六" for s in items["002/六/专精特新"]["trace"]
    )


def test_calc_rich_output_shows_quote_and_near_misses():
    out = huiqi("calc", str(EXAMPLE), "--year", "2023")
    assert out.returncode == 0, out.stderr
    assert "134万元" in out.stdout
    assert "补足差额80万元" in out.stdout
    assert "差一点" in out.stdout


def test_bad_profile_names_the_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"kind": "enterprise", "years": {"2023": {"rd_expense_fen": 12.5, "colour": 1}}}), "utf-8"
    )
    out = huiqi("calc", str(bad), "--year", "2023")
    assert out.returncode == 2
    assert "years.2023.rd_expense_fen: expected a whole number of fen" in out.stderr
    assert "years.2023.colour: unknown fact" in out.stderr
    assert "Traceback" not in out.stderr


def test_facts_lists_the_vocabulary_with_readers():
    out = huiqi("facts", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    facts = {f["name"]: f for f in data["facts"]}
    assert facts["rd_expense_fen"]["unit"] == "分" and "002/六/链主研发" in facts["rd_expense_fen"]["read_by"]
    events = {e["type"]: e for e in data["events"]}
    assert "002/九/国家科技奖" in events["science_award"]["read_by"]


def test_check_runs():
    out = huiqi("check", "--json")
    assert out.returncode == 0, out.stderr
    assert any(f["check"] == "tier-gap" for f in json.loads(out.stdout))
