"""Coverage: every clause with a figure is encoded, explained (not_encoded, with a reason) or missing."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from huiqi.paths import policies_dir
from huiqi.rules.coverage import (
    ENCODED,
    EXPLAINED,
    MISSING,
    coverage,
    coverage_markdown,
    write_chart,
)
from huiqi.rules.loader import RuleLoadError, load_rules


@pytest.fixture(scope="module")
def book():
    return load_rules()


@pytest.fixture(scope="module")
def cov(book, corpus):
    return coverage(book, corpus)


def figure(cov, clause: str, text: str):
    doc = cov.document(clause.split("/")[0])
    found = [f for c in doc.clauses if c.clause == clause for f in c.figures if f.text == text]
    assert found, f"{text} is not a counted figure of {clause}"
    return found[0]


def test_002_three_50wan_is_encoded_by_the_alliance_item(cov):
    # 002/三: "对新认定的省、市级企业创新联合体、产业链上下游企业共同体，分别给予50万元、30万元一次性奖励。"
    f = figure(cov, "002/三", "50万元")
    assert f.status == ENCODED
    assert "002/三/联合体共同体" in f.by


def test_002_two_3yi_budget_line_is_explained(cov):
    # 002/二: "每年安排专项资金不少于3亿元" — a budget line, not an award: explained, with its reason
    f = figure(cov, "002/二", "3亿元")
    assert f.status == EXPLAINED
    assert "预算线" in f.by[0]


def test_001_parts_of_a_budget_line_are_explained_but_the_line_is_encoded(cov):
    # 001/六/45: "2023年预算安排48亿元。其中，学前教育、义务教育发展资金23亿元…" — 48亿元 is a budget,
    # its parts are listed in not_encoded
    assert figure(cov, "001/六/45", "48亿元").status == ENCODED
    assert figure(cov, "001/六/45", "23亿元").status == EXPLAINED


def test_dates_and_departments_are_not_counted(cov):
    # 002/十六 "本政策自2022年9月6日起施行，有效期三年": a date and a duration, no counted figure
    assert all(c.clause != "002/十六" for c in cov.document("002").clauses)


def _tmp_002(tmp_path, edit) -> list:
    raw = yaml.safe_load((policies_dir() / "002" / "rules.yaml").read_text("utf-8"))
    edit(raw)
    p = tmp_path / "rules.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
    return [p]


def test_a_figure_neither_encoded_nor_explained_is_missing(tmp_path, corpus):
    # drop 002/十三's 跟投 item and its two parameters (20%, 1000万元): those figures become missing,
    # while the 股权投资 item's 1亿元 and 2000万元 in the same clause stay encoded
    def drop_co_invest(raw):
        raw["items"] = [it for it in raw["items"] if it["id"] != "002/十三/跟投"]
        del raw["parameters"]["co_invest_rate"], raw["parameters"]["co_invest_cap"]

    cov = coverage(load_rules(paths=_tmp_002(tmp_path, drop_co_invest)), corpus)
    assert figure(cov, "002/十三", "20%").status == MISSING
    assert figure(cov, "002/十三", "1000万元").status == MISSING
    assert figure(cov, "002/十三", "2000万元").status == ENCODED
    assert {(cl, f.text) for cl, f in cov.missing()} == {("002/十三", "20%"), ("002/十三", "1000万元")}
    assert cov.document("002").count(MISSING) == 2


def test_without_its_not_encoded_entry_the_budget_line_is_missing(tmp_path, corpus):
    cov = coverage(load_rules(paths=_tmp_002(tmp_path, lambda raw: raw.pop("not_encoded"))), corpus)
    assert figure(cov, "002/二", "3亿元").status == MISSING


def test_an_entry_that_explains_nothing_is_stale(tmp_path, corpus):
    # 002/三's 50万元 is encoded already: listing it as not encoded is a stale entry
    def add(raw):
        raw["not_encoded"].append({"clause": "002/三", "figures": ["50万元"], "reason": "重复"})

    cov = coverage(load_rules(paths=_tmp_002(tmp_path, add)), corpus)
    assert cov.stale == [("002/三", "50万元")]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"clause": "002/九十九", "reason": "x"}, "not in the corpus"),
        ({"clause": "002/二", "figures": ["4亿元"], "reason": "x"}, "'4亿元' is not in clause 002/二"),
        ({"clause": "002/二", "figures": ["3亿元"]}, "'reason' is missing"),
        ({"clause": "002/二", "reason": "  "}, "'reason' is empty"),
    ],
)
def test_a_bad_not_encoded_entry_is_refused(tmp_path, entry, message):
    with pytest.raises(RuleLoadError, match=message):
        load_rules(paths=_tmp_002(tmp_path, lambda raw: raw.__setitem__("not_encoded", [entry])))


def test_a_file_with_only_not_encoded_loads(tmp_path, corpus):
    # a document with no benefit at all: document, title and not_encoded are enough
    p = tmp_path / "rules.yaml"
    p.write_text(
        'document: "002"\ntitle: t\nnot_encoded:\n  - {clause: 002/二, figures: [3亿元], reason: 预算线}\n',
        "utf-8",
    )
    rs = load_rules(paths=[p]).rulesets["002"]
    assert rs.items == [] and rs.not_encoded[0].figures == ("3亿元",)


# --- the project-level promise ----------------------------------------------------------------------


def test_no_clause_of_an_encoded_document_has_a_missing_figure(cov):
    missing = [f"{cl} {f.text}" for cl, f in cov.missing()]
    assert missing == [], "encode these figures or list them in not_encoded with a reason:\n" + "\n".join(
        missing
    )


def test_every_not_encoded_entry_explains_a_figure(cov):
    assert cov.stale == []


def test_docs_coverage_is_current(cov, book):
    from huiqi.rules.case_coverage import case_coverage, case_coverage_markdown

    page = (policies_dir().parent / "docs" / "coverage.md").read_text("utf-8")
    cases = case_coverage_markdown(case_coverage(book))
    assert page == coverage_markdown(cov, cases), "run: python -m huiqi.rules.coverage"


def test_chart_png_and_html(cov, tmp_path):
    png, html = tmp_path / "c.png", tmp_path / "c.html"
    write_chart(cov, png)
    write_chart(cov, html)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<td>002</td>" in html.read_text("utf-8")
    with pytest.raises(ValueError, match=r"\.png or \.html"):
        write_chart(cov, tmp_path / "c.svg")


def test_cli_coverage_json_and_errors():
    from huiqi.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["coverage", "--doc", "002", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)["documents"][0]
    assert doc["document"] == "002" and doc[MISSING] == 0
    assert doc[ENCODED] + doc[EXPLAINED] == doc["figures"]
    res = runner.invoke(app, ["coverage", "--doc", "999"])
    assert res.exit_code != 0


def test_a_document_without_rules_is_explained_by_not_encoded_yaml(cov):
    # 003-19 promises no payment: "4222" 风险分担 is a guarantee mechanism (policies/003/not_encoded.yaml)
    d = cov.document("003-19")
    assert not d.has_rules and d.listed and d.count(MISSING) == 0
    assert "担保" in figure(cov, "003-19/三/（二）", "4:2:2:2").by[0]
    # 003-20 (商事制度改革) has no clause with a figure: nothing to list
    assert cov.document("003-20").rules_label == "none" and cov.document("003-20").figures == 0


def test_a_document_listed_beside_its_rule_file_is_refused(tmp_path, monkeypatch):
    from huiqi.rules import loader

    extra = tmp_path / "not_encoded.yaml"
    extra.write_text(
        'documents:\n  "002":\n    not_encoded: [{clause: 002/二, figures: [3亿元], reason: 预算线}]\n',
        "utf-8",
    )
    monkeypatch.setattr(loader, "rule_files", lambda: [policies_dir() / "002" / "rules.yaml"])
    monkeypatch.setattr(loader, "unruled_files", lambda: [extra])
    with pytest.raises(RuleLoadError, match="listed twice"):
        load_rules()
