"""000 (关于策源新质生产力 加快建设世界领先科技园区的若干政策意见（征求意见稿）) beyond its cases: a draft
with no publication date is in force in no year unless assumed; its yearly budget lines; the loader's
and the vocabulary's refusals for what 000 added (undated windows, budgets, CODES)."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from huiqi.engine.evaluate import Status, calculate
from huiqi.engine.profile import parse_profile
from huiqi.money import to_fen
from huiqi.paths import policies_dir
from huiqi.rules.drafts import assume_in_force, undated_documents
from huiqi.rules.loader import RuleLoadError, load_rules

# an enterprise preparing an IPO (000/二/（二）/7: 分阶段、按进度给予400万元奖励), in the district,
# in an encouraged industry (000/三/2, 3)
LISTING = {
    "kind": "enterprise",
    "id": "listing",
    "facts": {"industry": "人工智能"},
    "years": {"2025": {"is_fiscal_revenue_in_district": True, "is_listing_candidate": True}},
}


@pytest.fixture(scope="module")
def book():
    # 000 and one dated document: these tests do not depend on the rest of the rule files
    return load_rules([policies_dir() / "000" / "rules.yaml", policies_dir() / "002" / "rules.yaml"])


def test_the_draft_is_in_force_in_no_year_by_default(book):
    """三/6 本意见自发布后30日施行, and the publication date is unknown: nothing of 000 is computed."""
    assert undated_documents(book) == ["000"]
    for year in (2023, 2025, 2030):
        calc = calculate(book, parse_profile(LISTING), year, documents=["000"], near_misses=False)
        assert calc.not_in_force == ["000"]
        assert calc.items == []


def test_assumed_in_force_it_is_computed_and_the_book_is_unchanged(book):
    assumed = assume_in_force(book, ["000"])
    calc = calculate(assumed, parse_profile(LISTING), 2025, documents=["000"], near_misses=False)
    got = {r.item.id: r for r in calc.items}
    listing = got["000/二/（二）/7/拟上市奖励"]
    assert (listing.status, listing.cap_fen) == (Status.DISCRETIONARY, to_fen(400, "万元"))
    assert calc.not_in_force == []
    # the original book still says "not in force" (no shared per-year cache, no mutated item)
    again = calculate(book, parse_profile(LISTING), 2025, documents=["000"], near_misses=False)
    assert again.not_in_force == ["000"]
    assert all(it.validity.start is None for it in book.rulesets["000"].items)


def test_assumed_from_a_date_only_counts_from_that_date(book):
    """assume_in_force(start=…): a publication-date scenario; the year before is not in force."""
    assumed = assume_in_force(book, ["000"], start=date(2025, 7, 1))
    before = calculate(assumed, parse_profile(LISTING), 2024, documents=["000"], near_misses=False)
    assert before.not_in_force == ["000"]
    # a recognition of 2025-03 is before the assumed start: 新认定 events count inside the window only
    prof = dict(
        LISTING,
        events=[
            {"type": "enterprise_title", "date": "2025-03-01", "title": "国家高新技术企业", "level": "国家"}
        ],
    )
    calc = calculate(assumed, parse_profile(prof), 2025, documents=["000"], near_misses=False)
    got = {r.item.id: r.status for r in calc.items}
    assert got["000/二/（一）/1/科技型企业认定奖励"] is Status.NOT_ELIGIBLE


def test_assume_refuses_dated_or_unknown_documents(book):
    with pytest.raises(ValueError, match="002 has dated rules"):
        assume_in_force(book, ["002"])
    with pytest.raises(ValueError, match="no rule file for document '999'"):
        assume_in_force(book, ["999"])


def test_budget_lines_one_per_measure_with_its_bound(book):
    """二 1–21 each set aside a yearly budget (22 has none); 一 sets aside ≥15% of fiscal expenditure."""
    budgets = {b.id: b for b in book.rulesets["000"].budgets}
    assert len(budgets) == 22
    assert budgets["000/二/（一）/1/预算"].param.value == to_fen(2, "亿元")  # 不少于2亿元
    assert budgets["000/二/（一）/2/预算"].param.value == to_fen(6000, "万元")  # 不少于6000万元
    assert budgets["000/二/（二）/5/预算"].param.value == to_fen("2.5", "亿元")  # 不少于2.5亿元
    line13 = budgets["000/二/（三）/13/预算"]  # 每年安排预算约7.5亿元
    assert (line13.param.value, line13.bound) == (to_fen("7.5", "亿元"), "about")
    share = budgets["000/一/产业扶持资金"]  # 不低于15%比例
    assert (str(share.param.value), share.bound) == ("0.15", "floor")
    assert {b.bound for k, b in budgets.items() if k != "000/二/（三）/13/预算"} == {"floor"}


def test_every_item_is_paid_from_its_own_measure_budget(book):
    rs = book.rulesets["000"]
    line_of: dict[str, str] = {}
    for b in rs.budgets:
        for item in b.items:
            assert item not in line_of, f"{item} is on two budget lines"
            line_of[item] = b.param.source.clause
    for it in rs.items:
        assert line_of.get(it.id) == it.source.clause, it.id


def test_caps_of_the_payout_forms_cite_appendix_5(book):
    """A measure naming one of 附则 5's forms takes its ceiling from 三/5, cited by the parameter."""
    params = book.rulesets["000"].parameters
    assert params["rd_support_rate"].source.clause == "000/三/5/（1）"
    assert str(params["rd_support_rate"].value) == "0.3"
    assert params["major_project_capital_usd"].value == 10_000_000  # 1000万美元, whole dollars
    assert str(params["market_overseas_rate"].value) == "0.5"


def _rules(tmp_path, text: str):
    p = tmp_path / "rules.yaml"
    p.write_text(text, "utf-8")
    return load_rules([p])


HEAD = """document: "000"
validity: {start: null, end: null, clause: 000/三/6, quote: 本意见自发布后30日施行。}
"""


ITEM = """items:
  - id: 000/x
    clause: 000/二/（二）/7
    quote: 对拟上市企业进行分阶段、按进度给予400万元奖励。
    when: is_listing_candidate
    discretionary: {basis: 分阶段、按进度}
"""


def test_an_undated_window_keeps_a_stated_end_for_when_it_is_assumed(tmp_path):
    """有效期至… with no issue date: in force in no year; assumed, in force up to that end only."""
    book = _rules(tmp_path, HEAD.replace("end: null", "end: 2025-12-31") + ITEM)
    assumed = assume_in_force(book, ["000"])
    for year, live in ((2025, True), (2026, False)):
        assert calculate(book, parse_profile(LISTING), year, near_misses=False).not_in_force == ["000"]
        calc = calculate(assumed, parse_profile(LISTING), year, near_misses=False)
        assert (calc.not_in_force == []) is live, year
    with pytest.raises(RuleLoadError, match="end must be a date"):
        _rules(tmp_path, HEAD.replace("end: null", "end: soon"))


def test_a_budget_needs_a_bound_and_known_items(tmp_path):
    line = (
        "budgets:\n  - {id: b1, clause: 000/二/（一）/2, quote: 每年安排预算不少于6000万元, value: 6000,"
        " unit: 万元, text: 6000万元, bound: %s%s}\n"
    )
    assert (
        _rules(tmp_path, HEAD + line % ("floor", "")).rulesets["000"].budgets[0].param.value == 6_000_000_000
    )
    with pytest.raises(RuleLoadError, match="bound must be floor"):
        _rules(tmp_path, HEAD + line % ("most", ""))
    with pytest.raises(RuleLoadError, match="no item '000/x'"):
        _rules(tmp_path, HEAD + line % ("floor", ", items: [000/x]"))
    with pytest.raises(RuleLoadError, match="does not match its text"):
        _rules(tmp_path, HEAD + (line % ("floor", "")).replace("value: 6000", "value: 600"))


def test_codes_must_name_a_coded_fact_or_attribute():
    from huiqi.rules import facts

    grown_facts, grown_events = facts._with_codes(
        facts.FACTS, facts.EVENTS, {"science_award.grade": ["四等"], "carrier_type": ["孵化器"]}
    )
    grade = next(e for e in grown_events if e.type == "science_award").attr("grade")
    assert grade.allowed[-1] == "四等"
    carrier = next(f for f in grown_facts if f.name == "carrier_type")
    assert carrier.allowed.count("孵化器") == 1  # a code already allowed is not repeated
    with pytest.raises(ValueError, match="CODES names no coded fact or event attribute: industy"):
        facts._with_codes(facts.FACTS, facts.EVENTS, {"industy": ["x"]})
    with pytest.raises(ValueError, match="rd_expense_fen"):  # not a coded fact
        facts._with_codes(facts.FACTS, facts.EVENTS, {"rd_expense_fen": ["x"]})


def test_codes_added_by_000_are_allowed_values():
    from huiqi.rules import facts

    titles = facts.EVENTS_BY_TYPE["enterprise_title"].attr("title").allowed
    assert {"科技领军企业", "科技小巨人企业", "瞪羚企业", "单项冠军"} <= set(titles)
    assert "加速器" in facts.FACTS_BY_NAME["carrier_type"].allowed


def test_cli_assume_in_force(book, tmp_path, capsys, monkeypatch):
    import json

    from huiqi.cli import main
    from huiqi.cli.rules import calc

    monkeypatch.setattr("huiqi.cli.rules._book", lambda: book)  # loaded once for the module

    prof = tmp_path / "listing.json"
    prof.write_text(json.dumps(LISTING, ensure_ascii=False), "utf-8")
    calc(prof, 2025, as_json=True, doc=["000"])
    assert json.loads(capsys.readouterr().out)["not_in_force"] == ["000"]
    calc(prof, 2025, as_json=True, doc=["000"], assume=["000"])
    items = {i["item"]: i for i in json.loads(capsys.readouterr().out)["items"]}
    assert items["000/二/（二）/7/拟上市奖励"]["cap_fen"] == 400_000_000
    # a dated document: one clear line and exit code 2, never a traceback
    monkeypatch.setattr(
        sys, "argv", ["huiqi", "calc", str(prof), "--year", "2025", "--assume-in-force", "002"]
    )
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--assume-in-force: document 002 has dated rules" in " ".join(err.split())


def test_a_ceiling_from_appendix_5_is_explained_and_cited(book):
    """瞪羚企业研发补助 (二/5) paid as 研发资助: 研发投入2,000万元 × 30% = 600万元 ceiling,
    citing 三/5（1）."""
    gazelle = {
        "kind": "enterprise",
        "id": "gazelle",
        "facts": {"industry": "人工智能"},
        "years": {"2025": {"is_fiscal_revenue_in_district": True, "rd_expense_fen": 2_000_000_000}},
        "events": [{"type": "enterprise_title", "date": "2024-09-01", "title": "瞪羚企业", "level": "区"}],
    }
    calc = calculate(assume_in_force(book, ["000"]), parse_profile(gazelle), 2025, documents=["000"])
    r = next(r for r in calc.items if r.item.id == "000/二/（二）/5/瞪羚研发补助")
    assert (r.status, r.cap_fen) == (Status.DISCRETIONARY, 600_000_000)
    step = r.trace[-1]
    assert step.text == "酌定（研发补助），上限 600万元（研发投入（研发费用） 2,000万元 × 30%），金额待审定"
    assert (step.clause, step.quote) == (
        "000/三/5/（1）",
        "对重点创新项目，可按实际研发投入最高30%予以支持。",
    )


def test_check_reports_the_undated_draft(book):
    from huiqi.rules.check import run_checks

    found = {(f.check, f.where): f.message for f in run_checks(book)}
    assert "40 items are in force in no year" in found[("undated", "000")]
    assert ("undated", "002") not in found
