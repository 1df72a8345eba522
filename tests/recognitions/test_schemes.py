"""The schemes speak the project's language: every quote is in its clause, every event, attribute and
yearly fact is one the facts vocabulary declares, every item paid by difference exists."""

from __future__ import annotations

import pytest

from huiqi.recognitions.schemes import SCHEMES, citations
from huiqi.redemption.run import current_rules
from huiqi.rules import facts as vocab
from huiqi.rules.citation import default_citations


@pytest.mark.parametrize("citation", citations(), ids=str)
def test_every_citation_is_in_its_clause(citation):
    assert default_citations().locate(citation.clause, citation.quote) is not None


@pytest.mark.parametrize("name", list(SCHEMES))
def test_events_attributes_and_facts_are_in_the_vocabulary(name):
    s = SCHEMES[name]
    for tier in s.tiers:
        assert tier in s.events or name == "上市进程", tier  # only listing stages may have no event
    for tier, (event_type, fixed) in s.events.items():
        spec = vocab.event(event_type)
        for attr, value in fixed.items():
            allowed = spec.attr(attr).allowed
            assert not allowed or value in allowed, (event_type, attr, value)
        given = set(s.given.get(tier, ()))
        required = {a.name for a in spec.attrs if a.required and a.name != "subject"}
        assert required <= set(fixed) | given, (tier, required)
        if s.subject_is_ref:
            assert spec.attr("subject") is not None
        assert set(spec.entities) >= set(s.entities)
    if s.evaluation is not None:
        fact = vocab.fact(s.evaluation.fact)
        assert not fact.allowed or set(s.evaluation.results) <= set(fact.allowed)


def test_derived_yearly_facts_are_declared():
    for name in ("chuying_cultivation_year", "is_listing_candidate", "is_listed_company"):
        assert vocab.fact(name).period is vocab.Period.YEAR


def test_items_paid_by_difference_exist_with_a_ceiling_by_tier():
    for s in SCHEMES.values():
        for item_id in s.difference_items:
            doc = item_id.split("/")[0]
            book = current_rules(doc).load()
            item = next(i for i in book.rulesets[doc].items if i.id == item_id)
            assert item.discretion is not None and item.amount is None
            assert item.for_each is not None and item.for_each.event_type == s.events[s.tiers[0]][0]
