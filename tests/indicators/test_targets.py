"""004's targets file against the text: every quote is there, the figures are the text's own."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from huiqi.corpus.load import load_corpus
from huiqi.indicators.targets import TargetError, load_targets


@pytest.fixture(scope="module")
def targets():
    return {t.id: t for t in load_targets()}


def test_every_quote_is_verbatim_in_its_clause(targets):
    corpus = load_corpus()
    for t in targets.values():
        assert corpus.locate_quote(t.clause, t.quote) is not None, t.id
        if t.restated:
            assert corpus.locate_quote(*t.restated) is not None, t.id


def test_the_enterprise_tier_targets_of_2027(targets):
    # 一、总体要求, 创新企业梯队: "国家高新技术企业数达3800家，新培育认定专精特新“小巨人”企业45家以上，
    # 科技型中小企业6000家以上"
    high_tech = targets["high_tech_enterprises"]
    giants, smes = targets["new_little_giants"], targets["tech_smes"]
    assert (high_tech.value, high_tech.unit, high_tech.year) == (Decimal(3800), "家", 2027)
    assert high_tech.kind == "count"
    assert high_tech.measure.mechanism == "title_holders" and high_tech.measure.title == "国家高新技术企业"
    # "新培育认定…45家以上" is an increment: counted from a base year, not a stock.
    assert (giants.value, giants.kind, giants.comparison) == (Decimal(45), "increment", "at_least")
    assert giants.measure.mechanism == "newly_titled" and giants.measure.title == "专精特新小巨人"
    assert (smes.value, smes.kind) == (Decimal(6000), "count")


def test_rd_intensity_is_rd_over_value_added(targets):
    # "全社会R&D经费投入强度保持在9%以上"
    t = targets["rd_intensity"]
    assert (t.value, t.unit, t.comparison) == (Decimal(9), "%", "at_least")
    assert (t.measure.numerator, t.measure.denominator) == ("rd_expense_fen", "value_added_fen")


def test_exceeding_targets_are_strict(targets):
    # "超过70%" / "超过90%": more than, not "at least".
    assert targets["digital_core_share_of_gdp"].comparison == "above"
    assert targets["high_tech_industry_share"].value == Decimal(90)


def test_every_number_of_the_2027_paragraphs_is_a_target(targets):
    # Read the text: every figure in the five "——" target paragraphs of 一、总体要求 is a target.
    corpus = load_corpus()
    text = corpus.text(corpus.clause("004/一"))
    goals = text[text.index("到2027年") : text.index("到2030年")]
    numbers = set(re.findall(r"\d+", goals)) - {"2027", "1", "2", "6"}  # "1+2+6+N" names the platform system
    assert numbers == {str(t.value) for t in targets.values() if t.clause == "004/一"}


def test_the_2030_paragraph_sets_no_number():
    # "到2030年，坚持创新破难…初步建设成为…" — qualitative: so the targets file has no 2030 row.
    text = load_corpus().document_text("004")
    paragraph = text[text.index("到2030年") :].split("\n", 1)[0]
    assert re.findall(r"\d+", paragraph) == ["2030"]
    assert all(t.year != 2030 for t in load_targets())


def test_a_target_the_data_cannot_compute_says_why(targets):
    t = targets["above_scale_industry_va_per_mu"]  # "规上工业亩均增加值达2600万元"
    assert not t.computable and "亩" in t.why


GOOD = """\
targets:
  - id: high_tech
    label: 国家高新技术企业数
    clause: 004/一
    quote: 国家高新技术企业数达3800家
    year: 2027
    value: 3800
    unit: 家
    kind: count
    comparison: at_least
    measure: {mechanism: title_holders, title: 国家高新技术企业}
"""


def _load(tmp_path: Path, text: str):
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    return load_targets(path)


def test_a_good_file_loads(tmp_path):
    assert [t.id for t in _load(tmp_path, GOOD)] == ["high_tech"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("达3800家", "达3900家"), "quote not found verbatim in 004/一"),
        (("value: 3800", "value: 3900"), "value 3900 is not written in the quote"),
        (("title: 国家高新技术企业", "title: 高新企业"), "title '高新企业' is not an enterprise_title"),
        (("clause: 004/一", "clause: 004/九"), "unknown document or clause id '004/九'"),
        (("kind: count", "kind: stock"), "kind 'stock' is not one of"),
        (
            ("    measure: {mechanism: title_holders, title: 国家高新技术企业}\n", "    computable: false\n"),
            "'computable: false' needs a 'why'",
        ),
        (("value: 3800", "value: 3800.5"), "value must be a whole number or a quoted decimal"),
    ],
)
def test_a_bad_file_names_the_file_and_the_target(tmp_path, change, message):
    with pytest.raises(TargetError) as caught:
        _load(tmp_path, GOOD.replace(*change))
    assert message in str(caught.value)
    assert str(tmp_path / "targets.yaml") in str(caught.value) and "target high_tech" in str(caught.value)


def test_a_missing_file_is_one_message(tmp_path):
    with pytest.raises(TargetError, match="cannot read"):
        load_targets(tmp_path / "nope.yaml")
