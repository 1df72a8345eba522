"""Runs policies/002/cases.yaml: each case is a situation, the clause and hand-computed figures."""

from __future__ import annotations

import copy
import re
from decimal import Decimal

import pytest
import yaml

from huiqi.engine.evaluate import Status, calculate
from huiqi.engine.profile import parse_profile
from huiqi.money import to_fen
from huiqi.paths import policies_dir
from huiqi.rules.loader import load_rules

CASES_FILE = policies_dir() / "002" / "cases.yaml"
SPEC = yaml.safe_load(CASES_FILE.read_text("utf-8"))


def money(text: str) -> int:
    m = re.fullmatch(r"([\d.,]+)(元|万元|亿元)", text)
    assert m, f"not an amount: {text!r}"
    return to_fen(Decimal(m.group(1).replace(",", "")), m.group(2))


def build_profile(case: dict) -> dict:
    prof = copy.deepcopy(SPEC["defaults"])
    own = case.get("profile") or {}
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


@pytest.mark.parametrize("case", SPEC["cases"], ids=[c["name"] for c in SPEC["cases"]])
def test_case(case, book):
    profile = parse_profile(build_profile(case), case["name"])
    result = calculate(book, profile, case["year"], documents=["002"], near_misses=False)
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


def test_every_002_item_has_a_case():
    """Every benefit item of 002 is exercised by at least one case."""
    items = {it.id for it in load_rules().rulesets["002"].items}
    covered = {i for c in SPEC["cases"] for i in (c.get("expect") or {})}
    assert items - covered == set()
