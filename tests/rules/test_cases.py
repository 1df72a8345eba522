"""Runs every document's cases (``policies/<doc>/cases.yaml``, ``policies/003/<doc-id>.cases.yaml``):
each case is a situation, the clause and hand-computed figures.

A cases file names its document (``document: "003-31"``); without it, the folder name is the
document. Profiles are merged over the file's ``defaults`` (see policies/002/cases.yaml).
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from huiqi.engine.evaluate import Status, calculate
from huiqi.engine.profile import parse_profile
from huiqi.money import to_fen
from huiqi.paths import policies_dir
from huiqi.rules.drafts import assume_in_force
from huiqi.rules.loader import load_rules


def _case_files() -> list[Path]:
    base = policies_dir()
    return sorted([*base.glob("*/cases.yaml"), *base.glob("*/*.cases.yaml")])


def _load(path: Path) -> tuple[str, dict]:
    spec = yaml.safe_load(path.read_text("utf-8"))
    return str(spec.get("document", path.parent.name)), spec


SPECS: dict[str, dict] = dict(_load(p) for p in _case_files())
CASES = [(doc, case) for doc, spec in SPECS.items() for case in spec["cases"]]


def money(text: str) -> int:
    m = re.fullmatch(r"([\d.,]+)(元|万元|亿元)", text)
    assert m, f"not an amount: {text!r}"
    return to_fen(Decimal(m.group(1).replace(",", "")), m.group(2))


def build_profile(spec: dict, case: dict) -> dict:
    prof = copy.deepcopy(spec.get("defaults") or {})
    own = case.get("profile") or {}
    if own.get("kind") and own["kind"] != prof.get("kind"):
        # a case about another kind of beneficiary (a talent in a file of enterprises) starts from
        # that kind's own defaults (``defaults_talent`` …), never from facts a talent cannot have
        prof = copy.deepcopy(spec.get(f"defaults_{own['kind']}") or {"kind": own["kind"], "id": "case"})
    prof["facts"] = {**prof.get("facts", {}), **own.get("facts", {})}
    years = {str(k): dict(v) for k, v in prof.get("years", {}).items()}
    for y, row in (own.get("years") or {}).items():
        years[str(y)] = {**years.get(str(y), {}), **row}
    prof["years"] = years
    # YAML reads dates as date objects; a profile is JSON, so dates are ISO strings
    prof["events"] = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in e.items()}
        for e in own.get("events", [])
    ]
    prof["payments"] = own.get("payments", [])
    return prof


@pytest.fixture(scope="module")
def book():
    return load_rules()


@pytest.mark.parametrize(("doc", "case"), CASES, ids=[f"{doc}: {c['name']}" for doc, c in CASES])
def test_case(doc, case, book):
    profile = parse_profile(build_profile(SPECS[doc], case), case["name"])
    # an undated draft (000) is computed only when its cases say so (file default, case override)
    if case.get("assume_in_force", SPECS[doc].get("assume_in_force", False)):
        book = assume_in_force(book, [doc])
    result = calculate(book, profile, case["year"], documents=[doc], near_misses=False)
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
