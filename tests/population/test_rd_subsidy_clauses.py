"""Every clause the R&D subsidy cites is found verbatim in the policy text (spaces and line breaks
ignored), and the parameters are the numbers of those clauses."""

from __future__ import annotations

import re

import pytest

from huiqi.money import to_fen
from huiqi.paths import policies_dir
from huiqi.population import rd_subsidy as rd


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def text() -> str:
    return _squash((policies_dir() / rd.POLICY_FILE).read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", sorted(rd.CLAUSES))
def test_quote_is_in_the_document(text, key):
    assert _squash(rd.CLAUSES[key].quote) in text


def test_a_changed_quote_is_caught(text):
    # The check itself can fail: 300万元 appears nowhere in the cap sentence.
    assert _squash(rd.CLAUSES["sme_above"].quote.replace("最高补助200万元", "最高补助300万元")) not in text


def test_parameters_match_their_clauses():
    assert "不超过2亿元" in rd.CLAUSES["size_limit"].quote and to_fen(2, "亿元") == rd.MAX_TOTAL_ASSETS_FEN
    assert "不超过500人" in rd.CLAUSES["size_limit"].quote and rd.MAX_EMPLOYEES == 500
    above, below, amt = (rd.CLASS_RULES[c] for c in rd.CLASS_ORDER)
    assert (above.min_growth_fen, above.top_n, above.cap_fen) == (
        to_fen(200, "万元"),
        200,
        to_fen(200, "万元"),
    )
    assert (below.min_growth_fen, below.top_n, below.cap_fen) == (to_fen(50, "万元"), 400, to_fen(50, "万元"))
    assert (amt.min_growth_fen, amt.top_n, amt.cap_fen) == (to_fen(200, "万元"), None, to_fen(200, "万元"))
    assert "20%" in _squash(rd.CLAUSES["sme_above"].quote) and rd.RATIO_PPM == 200_000
    assert str(rd.VALID_FROM) == "2020-08-09" and str(rd.VALID_UNTIL) == "2022-12-31"


def test_every_district_of_the_split_clause_is_mapped():
    quote = rd.CLAUSES["split"].quote
    for district, parts in rd.SPLIT_TEXT.items():
        assert district in quote
        assert parts == ((1, 1) if quote.index(district) < quote.index("1:1") else (1, 3))
