"""Rules of 003-01 … 003-20 (encoder e003a): what the cases files cannot say on their own."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from huiqi.rules.loader import RuleLoadError, load_rules


def _rules(tmp_path, params: str):
    p = tmp_path / "003-17.rules.yaml"
    p.write_text(
        'document: "003-17"\nvalidity: {start: 2022-01-31, end: 2025-12-31, clause: 003-17/四/（四）, '
        "quote: 本计划自 2022 年 1 月 31 日起施行}\nparameters:\n" + params,
        "utf-8",
    )
    return load_rules([p])


def test_per_mille_is_a_ratio_of_one_thousandth(tmp_path):
    """003-17/三/（九）/4 "按交易实际发生额的5‰": 5‰ is 0.005 exactly."""
    book = _rules(tmp_path, "  rate: {value: 5, unit: ‰, text: 5‰, clause: 003-17/三/（九）/4}\n")
    assert book.rulesets["003-17"].parameters["rate"].value == Decimal("0.005")


def test_per_mille_and_percent_do_not_stand_for_each_other(tmp_path):
    with pytest.raises(RuleLoadError, match="does not match its text"):
        _rules(tmp_path, "  rate: {value: 5, unit: '%', text: 5‰, clause: 003-17/三/（九）/4}\n")


def test_the_real_per_mille_rates_of_003_17():
    params = load_rules().rulesets["003-17"].parameters
    assert [params[n].value for n in ("merger_rate", "refinancing_rate", "sme_financing_rate")] == [
        Decimal("0.005"),
        Decimal("0.003"),
        Decimal("0.002"),
    ]


def test_graduate_subsidy_is_paid_by_one_document_at_a_time():
    """003-01/一/3 and 003-12/二/（一）/3 pay the same subsidy: their windows never overlap."""
    book = load_rules()
    items = [
        it
        for doc in ("003-01", "003-12")
        for it in book.rulesets[doc].items
        if it.for_each and it.for_each.event_type == "graduate_employed_in_hangzhou"
    ]
    windows = sorted((it.validity.start, it.validity.end, it.id) for it in items)
    assert len(windows) == 3
    for (_, end, a), (start, _, b) in itertools.pairwise(windows):
        assert end < start, f"{a} and {b} overlap"
