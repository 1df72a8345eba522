"""Runs every document's cases (``policies/<doc>/cases.yaml``, ``policies/003/<doc-id>.cases.yaml``):
each case is a situation, the clause and hand-computed figures.

A cases file names its document (``document: "003-31"``); without it, the folder name is the
document. Profiles are merged over the file's ``defaults`` (see policies/002/cases.yaml); reading
and running a case is ``huiqi.rules.cases``.
"""

from __future__ import annotations

import pytest

from huiqi.engine.evaluate import Status
from huiqi.rules.cases import build_profile, case_files, money, run_case
from huiqi.rules.loader import load_rules

FILES = case_files()
SPECS: dict[str, dict] = {doc: cf.spec for doc, cf in FILES.items()}
CASES = [(doc, case) for doc, cf in FILES.items() for case in cf.cases]
__all__ = ["SPECS", "build_profile"]  # tests/engine/test_bulk.py reads the cases through these


@pytest.fixture(scope="module")
def book():
    return load_rules()


@pytest.mark.parametrize(("doc", "case"), CASES, ids=[f"{doc}: {c['name']}" for doc, c in CASES])
def test_case(doc, case, book):
    # an undated draft (000) is computed only when its cases say so (file default, case override)
    _, _, result = run_case(book, FILES[doc], case)
    got = {r.item.id: r for r in result.items}
    for item_id, exp in (case.get("expect") or {}).items():
        assert item_id in got, f"{item_id} not evaluated in {case['year']}"
        r = got[item_id]
        assert r.status == Status(exp["status"]), (item_id, r.status, r.why_not, r.missing)
        if "amount" in exp:
            assert r.amount_fen == money(exp["amount"]), (item_id, r.amount_fen)
        if "cap" in exp:
            assert r.cap_fen == (None if exp["cap"] is None else money(exp["cap"])), (item_id, r.cap_fen)
        if "missing" in exp:
            assert r.missing == exp["missing"]
        if r.status is Status.NOT_ELIGIBLE:
            assert r.why_not, f"{item_id} fails without saying why"
    if "total" in case:
        assert result.total_fen == money(case["total"])
    if case.get("only"):
        listed = set(case.get("expect") or {})
        extra = [r.item.id for r in result.items if r.item.id not in listed and r.status is Status.ELIGIBLE]
        assert not extra, f"unexpected items pay: {extra}"
    if "not_in_force" in case:
        assert result.not_in_force == case["not_in_force"]
        assert result.items == []


@pytest.mark.parametrize("doc", sorted(SPECS))
def test_every_item_has_a_case(doc, book):
    """Every benefit item of a document with cases is exercised by at least one case."""
    items = {it.id for it in book.rulesets[doc].items}
    covered = {i for c in SPECS[doc]["cases"] for i in (c.get("expect") or {})}
    assert items - covered == set()


def test_every_rule_file_has_cases(book):
    """A document's rules come with hand-computed cases."""
    with_items = {doc for doc, rs in book.rulesets.items() if rs.items}
    assert with_items - set(SPECS) == set()
