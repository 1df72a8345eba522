"""Case coverage: every tier, cap (binding), boundary (a case exactly at the figure), multiplier
branch and provision of every document is exercised by a hand-computed case — or its cases file
says why not (``uncovered:``)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from huiqi.rules.case_coverage import case_coverage, targets
from huiqi.rules.cases import CaseFile
from huiqi.rules.loader import load_rules


@pytest.fixture(scope="module")
def book():
    return load_rules()


@pytest.fixture(scope="module")
def cc(book):
    return case_coverage(book)


def test_every_target_is_exercised_or_its_reason_written(cc):
    left = [f"{t.id}  ({t.what})" for d in cc.documents for t in d.unexplained()]
    assert left == [], "write a hand-computed case, or an `uncovered:` entry with its reason:\n" + "\n".join(
        left
    )


def test_every_allowance_names_a_target_still_uncovered_and_gives_a_reason(cc):
    assert [(d.doc_id, a) for d in cc.documents for a in d.stale] == []
    assert [(d.doc_id, a) for d in cc.documents for a, why in d.allowed.items() if not why.strip()] == []


def _only(book, doc: str, cases: list[dict], defaults: dict | None = None):
    spec = {"document": doc, "defaults": defaults or {"kind": "enterprise", "id": "c"}, "cases": cases}
    return case_coverage(book, {doc: CaseFile(doc, spec, None)}).document(doc)  # type: ignore[arg-type]


def test_a_boundary_is_seen_only_when_a_case_sits_exactly_on_it(book):
    """002/八 链主企业订单增量: 1亿元以上 (含本数). A case at exactly 1亿元 exercises the boundary; one at
    2亿元 does not."""
    item = "002/八/订单增量"
    rs = book.rulesets["002"]
    bound = [t for t in targets(rs) if t.kind == "boundary" and "1亿元" in t.what]
    assert bound, [t.what for t in targets(rs) if t.kind == "boundary"]

    def case(increase: int) -> dict:
        return {
            "name": f"增量{increase}",
            "year": 2023,
            "profile": {
                "years": {
                    2023: {
                        "is_fiscal_revenue_in_district": True,
                        "is_chain_leader": True,
                        "local_order_increment_fen": increase,
                    }
                }
            },
            "expect": {item: {"status": "discretionary"}},
        }

    at = _only(book, "002", [case(10_000_000_000)])
    above = _only(book, "002", [case(20_000_000_000)])
    assert {t.id for t in bound} <= set(at.hit)
    assert not {t.id for t in bound} & set(above.hit)


def test_a_cap_counts_only_when_it_binds(book):
    """003-29/第十八条: 25% of the national funding, at most 500万元 a year. 1000万元 → 250万元 (the cap
    does not bind); 3000万元 → 750万元 cut to 500万元 (it binds)."""

    def case(received: int) -> dict:
        return {
            "name": f"到帐{received}",
            "year": 2022,
            "profile": {
                "facts": {"industry": "人工智能"},
                "years": {2022: {"national_key_rd_funding_received_fen": received}},
            },
        }

    caps = [t.id for t in targets(book.rulesets["003-29"]) if t.kind == "cap" and "第十八条" in t.id]
    assert caps
    low = _only(book, "003-29", [case(1_000_000_000)])
    high = _only(book, "003-29", [case(3_000_000_000)])
    assert not set(caps) & set(low.hit)
    assert set(caps) & set(high.hit)


def test_cli_coverage_cases_json():
    from huiqi.cli import app

    res = CliRunner().invoke(app, ["coverage", "--cases", "--doc", "002", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)["documents"][0]
    assert doc["document"] == "002" and doc["tier"]["targets"] >= doc["tier"]["exercised"] > 0
    res = CliRunner().invoke(app, ["coverage", "--cases", "--doc", "999"])
    assert res.exit_code != 0 and "999" in str(res.exception or res.output)
