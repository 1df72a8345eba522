"""Loading rule files: what a bad rule file is told, and what a good one becomes."""

from __future__ import annotations

import textwrap

import pytest

from huiqi.rules.ast import Fixed, Grid, VType
from huiqi.rules.loader import RuleLoadError, load_rules

# A small, valid rule file over 002/六's promise; each test below breaks one thing in it.
GOOD = textwrap.dedent(
    """
    document: "002"
    validity:
      {start: 2022-09-06, end: 2025-09-05, clause: 002/十六, quote: 本政策自2022年9月6日起施行，有效期三年。}
    parameters:
      champion: {value: 200, unit: 万元, text: 200万元, clause: 002/六}
    items:
      - id: 002/六/单项冠军
        clause: 002/六
        quote: 对“单项冠军”企业、“专精特新小巨人”企业、“隐形冠军”企业、省级“专精特新”中小企业
          分别给予200万元、100万元、100万元、20万元一次性奖励。
        for_each: {event: enterprise_title, where: 'title == "单项冠军"'}
        amount: champion
    """
)


RATE_PARAM = (
    "parameters:\n"
    '  rate: {value: 20, unit: "%", text: 20%, clause: 002/六,\n'
    "    quote: 最高给予不超过20%的资助}\n"
)


def load_text(tmp_path, text: str):
    p = tmp_path / "rules.yaml"
    p.write_text(text, "utf-8")
    return load_rules([p])


def broken(tmp_path, old: str, new: str) -> str:
    assert old in GOOD, old
    with pytest.raises(RuleLoadError) as exc:
        load_text(tmp_path, GOOD.replace(old, new))
    return str(exc.value)


def test_good_file_loads_into_the_ast(tmp_path):
    book = load_text(tmp_path, GOOD)
    item = book.rulesets["002"].items[0]
    assert isinstance(item.amount, Fixed)
    assert item.amount.param.value == 200 * 10_000 * 100  # 200万元 in fen
    assert item.amount.param.vtype is VType.MONEY
    assert item.source.span is not None


def test_quote_tolerates_line_breaks_and_spaces(tmp_path):
    spaced = GOOD.replace("分别给予200万元、", "分别给予 200万元、")
    load_text(tmp_path, spaced)


def test_quote_not_in_text(tmp_path):
    msg = broken(tmp_path, "分别给予200万元", "分别给予300万元")
    assert "item 002/六/单项冠军" in msg and "the quote is not in clause 002/六" in msg


def test_quote_in_another_clause_is_refused(tmp_path):
    msg = broken(tmp_path, "    clause: 002/六\n", "    clause: 002/九\n")
    assert "not in clause 002/九" in msg


def test_unknown_clause(tmp_path):
    msg = broken(tmp_path, "    clause: 002/六\n", "    clause: 002/六十\n")
    assert "clause '002/六十' is not in the corpus" in msg


def test_unknown_fact_names_near_matches(tmp_path):
    msg = broken(tmp_path, "    amount: champion", "    when: rd_expnse_fen > 0\n    amount: champion")
    assert "unknown fact 'rd_expnse_fen'" in msg and "did you mean rd_expense_fen" in msg
    assert "when at position 0" in msg


def test_missing_unit(tmp_path):
    msg = broken(tmp_path, "value: 200, unit: 万元,", "value: 200,")
    assert "parameter champion: unit is missing" in msg


def test_figure_text_must_agree_with_value(tmp_path):
    msg = broken(tmp_path, "value: 200, unit: 万元", "value: 20, unit: 万元")
    assert "does not match its text '200万元'" in msg


def test_figure_unit_must_agree_with_text(tmp_path):
    msg = broken(tmp_path, "value: 200, unit: 万元", "value: 200, unit: 元")
    assert "unit '元' does not match" in msg


def test_validity_end_before_start(tmp_path):
    msg = broken(tmp_path, "end: 2025-09-05", "end: 2021-09-05")
    assert "validity: end 2021-09-05 is before start 2022-09-06" in msg


def test_validity_not_a_date(tmp_path):
    msg = broken(tmp_path, "start: 2022-09-06", "start: 2022-13-06")
    assert "malformed (a date?): month must be in 1..12" in msg


def test_a_figure_cannot_be_a_literal(tmp_path):
    msg = broken(tmp_path, "    amount: champion", "    when: rd_expense_fen >= 100\n    amount: champion")
    assert "the figure 100 must be a named parameter" in msg
    assert "rd_expense_fen >= 100\n                  ^" in msg  # the caret points at the figure


def test_code_must_be_an_allowed_value(tmp_path):
    msg = broken(tmp_path, 'title == "单项冠军"', 'title == "单项亚军"')
    assert "'单项亚军' is not an allowed value" in msg


def test_units_must_agree_in_a_comparison(tmp_path):
    text = GOOD.replace(
        "parameters:\n",
        RATE_PARAM,
    ).replace("    amount: champion", "    when: rd_expense_fen >= rate\n    amount: champion")
    with pytest.raises(RuleLoadError, match="cannot compare money with ratio"):
        load_text(tmp_path, text)


def test_discretionary_basis_must_be_quoted(tmp_path):
    msg = broken(tmp_path, "    amount: champion", "    discretionary: {basis: 一事一议}")
    assert "the discretionary basis '一事一议' is not in the quote" in msg


def test_scale_bounds_must_state_inclusivity(tmp_path):
    text = GOOD.replace(
        "parameters:\n",
        "parameters:\n  first: {value: 1, unit: 位, text: 第一, clause: 002/九}\n"
        "  full: {value: 1, unit: 比例, text: 全额, clause: 002/九}\n",
    ).replace(
        "    for_each: {event: enterprise_title, where: 'title == \"单项冠军\"'}\n    amount: champion",
        "    for_each: {event: science_award}\n"
        "    amount: {multiply: {amount: champion, factor: {scale: {by: event.unit_rank, "
        "brackets: [{from: first, then: full}]}}}}",
    )
    with pytest.raises(RuleLoadError, match="from_inclusive must be stated"):
        load_text(tmp_path, text)


def test_parameter_from_the_clause_must_be_in_the_item_quote(tmp_path):
    text = GOOD.replace(
        "parameters:\n",
        RATE_PARAM,
    ).replace("    amount: champion", "    amount: {ratio: {base: rd_expense_fen, rate: rate}}")
    with pytest.raises(RuleLoadError, match="parameter rate \\('20%'\\) is not in this item's quote"):
        load_text(tmp_path, text)


def test_parameter_figure_must_be_in_its_own_quote(tmp_path):
    text = GOOD.replace(
        "parameters:\n",
        "parameters:\n  other: {value: 50, unit: 万元, text: 50万元, clause: 002/六,\n"
        "    quote: 对“单项冠军”企业}\n",
    )
    with pytest.raises(RuleLoadError, match="not in its quote"):
        load_text(tmp_path, text)


def test_real_rule_files_load():
    book = load_rules()
    assert set(book.rulesets) >= {"000", "002"}
    items = {it.id: it for it in book.rulesets["002"].items}
    assert len(items) == 22
    grid = items["002/三/工程研究中心"].amount
    assert isinstance(grid, Grid)
    assert {k: a.param.value for k, a in grid.cases} == {
        "国家": 100_000_000,
        "省": 50_000_000,
        "市": 20_000_000,
    }
    # which rules read a fact is derived from the files
    assert "002/八/订单增量" in book.reads["local_order_increment_fen"]
    assert "002/一/区内" in book.reads["is_fiscal_revenue_in_district"]
    assert "000/附则/资助对象" in book.reads["industry"]


def test_docs_facts_is_generated_from_the_vocabulary():
    """docs/facts.md is the output of huiqi.rules.facts_doc: a renamed fact shows up there."""
    from huiqi.paths import policies_dir
    from huiqi.rules import facts as vocab
    from huiqi.rules.facts_doc import facts_markdown

    doc = (policies_dir().parent / "docs" / "facts.md").read_text("utf-8")
    assert doc == facts_markdown(load_rules())
    assert all(f"`{f.name}`" in doc for f in vocab.FACTS)
