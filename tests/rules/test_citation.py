"""Quotes are found verbatim (whitespace aside) inside their clause, by the corpus or the stand-in."""

from __future__ import annotations

import pytest

from huiqi.paths import policies_dir
from huiqi.rules.citation import TextCitations, default_citations, find_tolerant


def test_whitespace_tolerant_search_returns_source_offsets():
    text = "对新认定的\n产业联盟给予 最高不超过30万元"
    span = find_tolerant(text, "产业联盟给予最高不超过30万元")
    assert span is not None and text[span[0] : span[1]] == "产业联盟给予 最高不超过30万元"
    assert find_tolerant(text, "产业联盟给予最高不超过50万元") is None


@pytest.mark.parametrize(
    ("clause", "quote"),
    [
        ("002/三", "对新认定的产业联盟给予最高不超过30万元一次性开办经费奖励。"),
        ("002/十六", "本政策自2022年9月6日起施行，有效期三年。"),
        ("000/三/2", "所有政策资助（奖励）对象均应为财政收入级次在高新区（滨江）范围内的单位"),
        ("000/二/（二）/7", "按进度给予400万元奖励"),
    ],
)
def test_stand_in_agrees_with_the_corpus(clause, quote):
    stand_in = TextCitations(policies_dir())
    assert stand_in.locate(clause, quote) == default_citations().locate(clause, quote)
    assert stand_in.locate(clause, quote) is not None


def test_quote_outside_its_clause_is_not_found():
    cites = default_citations()
    assert cites.locate("002/四", "对新认定的产业联盟给予最高不超过30万元一次性开办经费奖励。") is None
    assert not cites.has_clause("002/十七")
