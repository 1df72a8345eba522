"""001 (关于推动经济高质量发展的若干政策, 2023) beyond its cases: the cross-document conflicts `huiqi check`
must report, US-dollar thresholds, and the bulk path agreeing with the explained one on every case."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

from huiqi.engine.evaluate import calculate
from huiqi.engine.profile import parse_profile
from huiqi.rules.check import run_checks
from huiqi.rules.loader import RuleLoadError, load_rules


@pytest.fixture(scope="module")
def book():
    return load_rules()


def test_check_reports_the_first_version_software_conflict(book):
    # 001/四/30: 首版次软件 每家10万元; 002/十: 首台（套）产品（含首版次软件）区级最高不超过50万元
    got = {f.where: f.message for f in run_checks(book) if f.check == "conflict"}
    msg = got["001/四/30/首版次软件 vs 002/十/首台套"]
    assert "首版次软件" in msg and "promises 10万元" in msg and "at most 50万元" in msg
    # 001/二/18: 联合体 最高50万元 at any level; 002/三: 市级 30万元 (省级 50万元 agrees, so only 市 is named)
    msg = got["001/二/18/联合体共同体 vs 002/三/联合体共同体"]
    assert "'level': '市'" in msg and "30万元" in msg


def test_the_first_version_software_rule_says_which_applies_when(book):
    item = next(it for it in book.rulesets["001"].items if it.id == "001/四/30/首版次软件")
    assert "002/十" in item.note and "2023" in item.note and "从优、从高、不重复" in item.note
    assert (item.validity.start.isoformat(), item.validity.end.isoformat()) == ("2023-01-01", "2023-12-31")


RULE = textwrap.dedent(
    """
    document: "001"
    validity: {start: 2023-01-01, end: 2023-12-31, clause: 001/六/50, quote: 均为2023年全年实施有效}
    parameters:
      tier: {value: 200, unit: UNIT, text: TEXT, clause: 001/五/39}
    """
)


def _load(tmp_path, unit: str, text: str):
    p = tmp_path / "rules.yaml"
    p.write_text(RULE.replace("UNIT", unit).replace("TEXT", text), "utf-8")
    return load_rules([p])


def test_us_dollar_thresholds_are_whole_dollars(tmp_path):
    assert _load(tmp_path, "万美元", "200万美元").rulesets["001"].parameters["tier"].value == 2_000_000


@pytest.mark.parametrize(
    ("unit", "text"),
    [("美元", "200万美元"), ("万元", "200万美元"), ("万美元", "200万元")],
)
def test_dollars_and_yuan_never_stand_for_each_other(tmp_path, unit, text):
    with pytest.raises(RuleLoadError, match="does not match its text"):
        _load(tmp_path, unit, text)


def test_a_failed_membership_is_a_reason(book):
    # 001/二/17: 入驻市级及以上孵化器 — a 区级 incubator fails, and the explanation says why
    profile = parse_profile(
        {
            "kind": "enterprise",
            "id": "t",
            "years": {"2023": {"incubator_host_level": "区", "incubation_year_index": 1, "rent_fen": 100}},
        }
    )
    calc = calculate(book, profile, 2023, documents=["001"], near_misses=False)
    r = next(r for r in calc.items if r.item.id == "001/二/17/在孵房租")
    assert any("级别为区" in w and "国家、省、市" in w for w in r.why_not), r.why_not


def test_bulk_path_agrees_with_the_explained_path_on_every_case(book):
    # the case runner's own profile builder, so both paths see exactly the profiles the cases test
    loc = importlib.util.spec_from_file_location("case_runner", Path(__file__).with_name("test_cases.py"))
    runner = importlib.util.module_from_spec(loc)
    loc.loader.exec_module(runner)
    spec, build_profile = runner.SPECS["001"], runner.build_profile
    for case in spec["cases"]:
        profile = parse_profile(build_profile(spec, case), case["name"])
        full = calculate(book, profile, case["year"], documents=["001"], near_misses=False)
        bulk = calculate(book, profile, case["year"], documents=["001"], explain=False, near_misses=False)
        assert [(r.item.id, r.status, r.amount_fen, r.cap_fen) for r in full.items] == [
            (r.item.id, r.status, r.amount_fen, r.cap_fen) for r in bulk.items
        ], case["name"]
