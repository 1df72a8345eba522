"""Reforms of the R&D subsidy (the reform file's ``rd_subsidy:`` section): a changed cap, ratio or tier,
compared with the document's figures; and the ``simulate --reform`` command over a synthetic population."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from huiqi.cli import app
from huiqi.population import rd_subsidy as rd
from huiqi.population import tables
from huiqi.population.reform import compare, load_reform
from huiqi.population.simulate import RD_ITEM
from huiqi.population.tables import from_rows

WAN = 1_000_000


def _population():
    """A (规上) grows 1500万, B (规下) grows 300万; both 科技型中小企业 in 滨江区."""
    ents = [{"entity_id": e, "district": "滨江区"} for e in (1, 2)]
    years = [
        {
            "entity_id": e,
            "year": y,
            "rd_expense_fen": rd_fen,
            "rd_expense_gov_funded_fen": 0,
            "is_above_scale": e == 1,
            "employees": 50,
            "total_assets_fen": 100 * WAN,
            "revenue_fen": 100 * WAN,
        }
        for e, y, rd_fen in ((1, 2020, 0), (1, 2021, 1500 * WAN), (2, 2020, 0), (2, 2021, 300 * WAN))
    ]
    events = [
        {"entity_id": e, "type": "enterprise_title", "title": rd.TECH_SME_TITLE, "date": date(2020, 1, 1)}
        for e in (1, 2)
    ]
    return {
        "enterprises": from_rows("enterprises", ents),
        "enterprise_years": from_rows("enterprise_years", years),
        "events": from_rows("events", events),
    }


def test_higher_caps_and_ratio(tmp_path):
    # Document: A 20 % × 1500万 = 300万 → cap 200万; B 60万 → cap 50万.
    # Reform 25 %, caps 300万 / 80万: A 375万 → 300万; B 75万 (under 80万).
    reform_file = tmp_path / "reform.yaml"
    reform_file.write_text(
        "rd_subsidy:\n  ratio_percent: 25\n"
        "  classes:\n    sme_above: {cap_wan: 300}\n    sme_below: {cap_wan: 80}\n",
        encoding="utf-8",
    )
    con = duckdb.connect()
    tables.register_arrow(con, _population())
    per_entity, groups = compare(con, 2022, load_reform(reform_file).rd)
    rows = {r["entity_id"]: r for r in per_entity.to_pylist()}
    assert (rows[1]["amount_before_fen"], rows[1]["amount_after_fen"]) == (200 * WAN, 300 * WAN)
    assert (rows[2]["amount_before_fen"], rows[2]["amount_after_fen"]) == (50 * WAN, 75 * WAN)
    assert rows[2]["diff_fen"] == 25 * WAN
    assert [(g.label, g.total_before_fen, g.total_after_fen) for g in groups] == [
        ("sme_above", 200 * WAN, 300 * WAN),
        ("sme_below", 50 * WAN, 75 * WAN),
    ]


def test_a_higher_threshold_drops_a_beneficiary(tmp_path):
    reform_file = tmp_path / "reform.yaml"
    reform_file.write_text(
        "rd_subsidy:\n  classes:\n    sme_below: {min_growth_wan: 301}\n", encoding="utf-8"
    )
    con = duckdb.connect()
    tables.register_arrow(con, _population())
    _, groups = compare(con, 2022, load_reform(reform_file).rd)
    assert {g.label: (g.beneficiaries_before, g.beneficiaries_after) for g in groups}["sme_below"] == (1, 0)


def test_an_empty_rd_section_is_refused(tmp_path):
    reform_file = tmp_path / "reform.yaml"
    reform_file.write_text("rd_subsidy:\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"reform.yaml, section: rd_subsidy is a mapping"):
        load_reform(reform_file)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("classes:\n  big: {cap_wan: 1}\n", r"line 3: rd_subsidy.classes.big: unknown class 'big'"),
        ("classes:\n  sme_above: {cap_wan: -1}\n", r"line 3: .*sme_above.cap_wan: -1 is negative"),
        ("classes:\n  sme_above: {cap: 1}\n", r"line 3: rd_subsidy.classes.sme_above takes cap_wan"),
        ("classes:\n  sme_above: {top_n: 0}\n", r"line 3: rd_subsidy.classes.sme_above.top_n"),
        ("ratio_percent: 120\n", r"line 2: rd_subsidy.ratio_percent must be at most 100"),
        ("ratio: 20\n", r"line 2: rd_subsidy: unknown key"),
        ("classes:\n  sme_above: {cap_wan: 0.0000001}\n", r"line 3: .*not a whole number of fen"),
    ],
)  # fmt: skip
def test_bad_reform_files_name_the_line_and_key(tmp_path, text, message):
    reform_file = tmp_path / "reform.yaml"
    reform_file.write_text(
        "rd_subsidy:\n" + "".join(f"  {line}\n" for line in text.splitlines()), encoding="utf-8"
    )
    with pytest.raises(ValueError, match=message):
        load_reform(reform_file)


def test_cli_reform_writes_differences_and_chart(tmp_path):
    pop = tmp_path / "pop"
    runner = CliRunner()
    assert runner.invoke(app, ["synth", "--size", "3000", "--out", str(pop)]).exit_code == 0
    reform_file = tmp_path / "reform.yaml"
    reform_file.write_text("rd_subsidy:\n  ratio_percent: 10\n", encoding="utf-8")
    out = tmp_path / "cmp" / "diff.parquet"
    args = ["simulate", str(pop), "--year", "2022", "--reform", str(reform_file), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    diff = pq.read_table(out).to_pylist()
    assert diff and all(r["item_id"] == RD_ITEM for r in diff)
    assert all(r["amount_after_fen"] < r["amount_before_fen"] for r in diff)  # 10 % < 20 %
    assert out.with_suffix(".png").stat().st_size > 0 and "<table" in out.with_suffix(".html").read_text()


def test_cli_reform_of_a_rule_parameter(tmp_path):
    # seed 1, 3,000 enterprises: in 2023 002/六 pays its 专精特新 ladder (小巨人 100万元, 省级 20万元);
    # the 小巨人 tier at 150万元 raises each 小巨人's award by 50万元 and leaves the 省级 ones alone.
    pop = tmp_path / "pop"
    runner = CliRunner()
    assert runner.invoke(app, ["synth", "--size", "3000", "--seed", "1", "--out", str(pop)]).exit_code == 0
    reform_file = tmp_path / "reform.yaml"
    reform_file.write_text(
        'parameters:\n  - {document: "002", parameter: little_giant, value: 150, unit: 万元}\n',
        encoding="utf-8",
    )
    out = tmp_path / "diff.parquet"
    args = ["simulate", str(pop), "--year", "2023", "--reform", str(reform_file), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    diff = pq.read_table(out).to_pylist()
    assert diff and {r["item_id"] for r in diff} == {"002/六/专精特新"}
    assert all((r["amount_before_fen"], r["diff_fen"]) == (100 * WAN, 50 * WAN) for r in diff)
    assert "规模 size" in result.output and "国家高新技术企业" in result.output  # the groups
    # a bad reform file is one line naming the line, exit code 2
    reform_file.write_text("parameters:\n  - {item: 002/六/专精, parameter: x, value: 1, unit: 万元}\n")
    bad = runner.invoke(app, args)
    message = " ".join(bad.output.split())  # the terminal wraps long lines
    assert bad.exit_code == 2 and "line 2: no item '002/六/专精'" in message and "Traceback" not in message
