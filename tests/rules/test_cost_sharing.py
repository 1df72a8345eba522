"""City:district cost sharing (市与区县（市）承担比例) in the rule files: what loading refuses, and the
split each real document gives a district of the text, and a district of today renamed from one."""

from __future__ import annotations

from pathlib import Path

import pytest

from huiqi.paths import policies_dir
from huiqi.redemption.sharing import CostShare
from huiqi.rules.loader import RuleLoadError, load_rules

WAN = 10_000 * 100
SHARED = ("003-28", "003-29", "003-30", "003-31", "003-32", "003-33", "003-38")
# 003-32 第八条, as the file writes it (the smallest of the seven files)
GOOD = (policies_dir() / "003" / "003-32.rules.yaml").read_text("utf-8")


def load_text(tmp_path: Path, text: str):
    p = tmp_path / "003-32.rules.yaml"
    p.write_text(text, "utf-8")
    return load_rules([p])


def broken(tmp_path: Path, old: str, new: str) -> str:
    assert old in GOOD, old
    with pytest.raises(RuleLoadError) as exc:
        load_text(tmp_path, GOOD.replace(old, new, 1))
    return str(exc.value)


def test_the_file_as_written_loads(tmp_path):
    cs = load_text(tmp_path, GOOD).rulesets["003-32"].cost_sharing
    assert cs.source.clause == "003-32/第八条"
    assert cs.ratio("滨江区") == (1, 1, "滨江区") and cs.ratio("淳安县") == (1, 3, "淳安县")


def test_a_quote_not_in_the_clause_is_refused(tmp_path):
    # the text says 1:3 for 萧山区; a quote claiming 1:4 is not the text
    msg = broken(tmp_path, "淳安县的承担比例为 1:3\n", "淳安县的承担比例为 1:4\n")
    assert "cost_sharing" in msg and "not in clause 003-32/第八条" in msg


def test_a_ratio_other_than_the_one_the_quote_gives_the_district_is_refused(tmp_path):
    # "1:1" is in the quote, but for 上城区…钱塘新区, not for 萧山区
    msg = broken(tmp_path, '萧山区: "1:3"', '萧山区: "1:1"')
    assert "萧山区" in msg and "'1:1' is not the one the quote gives it" in msg and "1:3" in msg


def test_a_ratio_not_written_in_the_quote_is_refused(tmp_path):
    msg = broken(tmp_path, '滨江区: "1:1"', '滨江区: "1:2"')
    assert "滨江区" in msg and "'1:2' is not the one the quote gives it" in msg


def test_a_district_the_quote_does_not_name_is_refused(tmp_path):
    msg = broken(tmp_path, '滨江区: "1:1"', '滨江区: "1:1"\n    临平区: "1:3"')
    assert "the district '临平区' is not named in the quote" in msg


def test_a_renaming_to_a_district_the_text_does_not_share_is_refused(tmp_path):
    msg = broken(tmp_path, "renamed: {临平区: 余杭区,", "renamed: {临平区: 余姚市,")
    assert "renamed 临平区" in msg and "not a district of by_district" in msg


def test_a_ratio_that_is_not_city_colon_district_is_refused(tmp_path):
    msg = broken(tmp_path, '滨江区: "1:1"', '滨江区: "50%"')
    assert "a ratio is written city:district" in msg


@pytest.fixture(scope="module")
def book():
    return load_rules()


@pytest.mark.parametrize("doc", SHARED)
def test_binjiang_pays_half_and_xiaoshan_three_quarters(doc, book):
    """Every 003 document with a 承担比例 sets 滨江区 at 1:1 and 萧山区 at 1:3: a 20万元 award costs the
    city 10万元 in 滨江区 and 5万元 in 萧山区 (the district pays 15万元)."""
    cs = book.rulesets[doc].cost_sharing
    assert cs is not None and cs.source.clause.startswith(doc + "/")
    city, district, _ = cs.ratio("滨江区")
    assert CostShare(city, district, cs.source.quote).split(20 * WAN) == (10 * WAN, 10 * WAN)
    city, district, _ = cs.ratio("萧山区")
    assert CostShare(city, district, cs.source.quote).split(20 * WAN) == (5 * WAN, 15 * WAN)
    assert cs.ratio("嘉兴市南湖区") is None  # not a district of Hangzhou: no ratio, never a guess


def test_a_district_of_today_takes_the_ratio_of_the_one_it_came_from(book):
    """003-31 第十条 (2020) names 余杭区 (1:3) and 钱塘新区 (1:1); 临平区 was carved out of 余杭区 and
    钱塘新区 became 钱塘区 in 2021. 003-38 (2021) names 临平区 and 钱塘区 itself."""
    rd = book.rulesets["003-31"].cost_sharing
    assert rd.ratio("临平区") == (1, 3, "余杭区")
    assert rd.ratio("钱塘区") == (1, 1, "钱塘新区")
    # 1,001 fen at 1:3: city round(250.25) = 250, the district the rest
    assert CostShare(1, 3, rd.source.quote).split(1_001) == (250, 751)
    later = book.rulesets["003-38"].cost_sharing
    assert later.ratio("临平区") == (1, 3, "临平区") and later.renamed == {}


def test_003_28_shares_only_the_items_its_clause_names(book):
    """003-28 七: 成果转化项目 and 成果转移单位奖励 are shared; 示范机构、获奖团队 are 市本级财政全额承担."""
    cs = book.rulesets["003-28"].cost_sharing
    assert cs.applies_to("003-28/二/成果转化项目") and cs.applies_to("003-28/五/成果转移单位")
    assert not cs.applies_to("003-28/三/示范机构") and not cs.applies_to("003-28/四/获奖团队")


def test_population_split_table_agrees_with_003_31(book):
    """The R&D subsidy stages carry 第十条 as a table of their own; it must say what the rule file says."""
    from huiqi.population import rd_subsidy

    cs = book.rulesets["003-31"].cost_sharing
    assert {d: cs.ratio(d)[:2] for d in rd_subsidy.SPLIT} == rd_subsidy.SPLIT
    assert set(rd_subsidy.SPLIT) == set(cs.by_district) | set(cs.renamed)
