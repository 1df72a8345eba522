"""Every sentence the voucher lifecycle cites is verbatim in its clause (as the rule loader checks the
rule files' quotes), and the figures the schemes take from the rule files are the texts' figures."""

from __future__ import annotations

import pytest

from huiqi.rules.citation import default_citations
from huiqi.vouchers import texts
from huiqi.vouchers.schemes import PLATFORM_ITEMS, QUOTA_CAP_PARAM, item, parameter


@pytest.mark.parametrize("cited", texts.ALL, ids=lambda c: f"{c.clause}:{c.quote[:12]}")
def test_each_cited_sentence_is_in_its_clause(cited):
    assert default_citations().locate(cited.clause, cited.quote) is not None


def test_the_counts_and_figures_are_the_texts():
    assert f"{texts.PER_ORGANISER_YEAR} 张" in texts.TWELVE_PER_ORGANISER.quote
    assert {parameter("003-23", p).text for p in QUOTA_CAP_PARAM.values()} == {"20万元", "10万元"}
    assert parameter("003-32", "per_service").value == 5_000  # 50 元 in fen
    assert parameter("003-32", "max_services_per_event").value == 200
    assert parameter("003-32", "org_year_cap").value == 20 * 10_000 * 100
    for item_id, (param, _) in PLATFORM_ITEMS.items():
        if param is not None:  # each platform cap's figure is in its item's sentence
            assert parameter("003-23", param).text in item(item_id).source.quote


def test_the_platform_caps_agree_with_the_rule_files_own():
    # where an item of 003-23 第九条 states its cap in the rule file, it is the cap the scheme counts
    for item_id, (param, period) in PLATFORM_ITEMS.items():
        for cap in item(item_id).caps:
            assert cap.param.name == param
            assert (cap.kind.value, period) in {("per_year", "year"), ("cumulative", "建设期")}
