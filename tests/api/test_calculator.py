"""政策计算器 over HTTP: situations from 002 (figures of policies/002/cases.yaml, checked by hand), the
vocabulary and schema endpoints, and bad profiles answered 422 with every problem — never a 500."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
IN_DISTRICT = {"is_fiscal_revenue_in_district": True, "is_innovation_org_member": True}


def _enterprise(year: int, facts: dict | None = None, events: list | None = None, payments=None) -> dict:
    return {
        "kind": "enterprise",
        "id": "91330108TEST",
        "facts": {"industry": "人工智能"},
        "years": {str(year): {**IN_DISTRICT, **(facts or {})}},
        "events": events or [],
        "payments": payments or [],
    }


def _calc(client, profile: dict, year: int, **extra) -> dict:
    # Only 002's rules: the totals below are 002's, whatever other documents get rules meanwhile.
    r = client.post(
        "/api/v1/calculate", json={"profile": profile, "year": year, "documents": ["002"], **extra}
    )
    assert r.status_code == 200, r.text
    return r.json()


def _item(answer: dict, item_id: str) -> dict:
    return next(i for i in answer["items"] if i["item"] == item_id)


def test_upgrade_pays_the_difference_80_wan(client):
    # 002/六: 省级专精特新 20万元, 国家级“小巨人” 100万元; 002/十六: 晋升到高等次时补足差额.
    # Paid 20万元 in 2022 as a provincial 专精特新 SME, a national 小巨人 in 2023: 100 − 20 = 80万元.
    profile = _enterprise(
        2023,
        events=[
            {"type": "enterprise_title", "date": "2022-10-12", "title": "专精特新中小企业", "level": "省"},
            {"type": "enterprise_title", "date": "2023-07-20", "title": "专精特新小巨人", "level": "国家"},
        ],
        payments=[
            {"item": "002/六/专精特新", "year": 2022, "amount_fen": 20000000, "subject": "ladder:专精特新"}
        ],
    )
    answer = _calc(client, profile, 2023)
    item = _item(answer, "002/六/专精特新")
    assert item["status"] == "eligible" and item["status_zh"] == "符合"
    assert item["amount"] == {"fen": 80_000_000, "yuan": "800000.00", "display": "80万元"}
    assert item["clause"] == "002/六" and item["document"] == "002"
    assert "专精特新" in item["quote"]
    assert any(s["kind"] == "upgrade" for s in item["trace"])  # the difference is explained, not just paid
    assert answer["total"]["fen"] == 80_000_000
    assert answer["items"][0]["item"] == "002/六/专精特新"  # the eligible item is listed first


def test_the_little_giant_example_gets_134_wan(client):
    # examples/little_giant_2023.json, 2023:
    #   002/五 创新券: 技术服务合同 80万元 × 30% = 24万元 (under the 50万元 yearly cap)
    #   002/五 算力补贴: 使用费 150万元 × 20% = 30万元
    #   002/六 专精特新: 小巨人 100万元 − 20万元 already paid as a provincial SME = 80万元
    profile = json.loads((ROOT / "examples/little_giant_2023.json").read_text("utf-8"))
    answer = _calc(client, profile, 2023)
    amounts = {i["item"]: i["amount"]["fen"] for i in answer["items"] if i["status"] == "eligible"}
    assert amounts == {
        "002/五/创新券": 24_000_000,
        "002/五/算力补贴": 30_000_000,
        "002/六/专精特新": 80_000_000,
    }
    assert answer["total"] == {"fen": 134_000_000, "yuan": "1340000.00", "display": "134万元"}
    assert answer["by_document"][0]["document"] == "002"
    assert answer["by_document"][0]["total"]["fen"] == 134_000_000
    assert answer["counts"]["eligible"] == 3
    # 002/十三 政策性股权投资: conditions met, amount left to a decision, ceiling 2000万元.
    equity = _item(answer, "002/十三/股权投资")
    assert equity["status"] == "discretionary" and equity["cap"]["display"] == "2,000万元"
    assert equity["amount"]["fen"] == 0  # a ceiling is not money due
    # 002/八 成果转移 needs the year's spending on transferred results: 待定, naming the fact in Chinese.
    transfer = _item(answer, "002/八/成果转移")
    assert transfer["status"] == "undetermined"
    assert transfer["missing"] == [
        {"path": "years.2023.tech_transfer_spend_fen", "label": "承接科技成果转移实际支出"}
    ]


def test_compute_subsidy_is_rounded_to_the_fen(client):
    # 002/五 算力补贴: 使用费 12,345.67元 × 20% = 2,469.134元 → 2,469.13元 (四舍五入 to the fen).
    answer = _calc(client, _enterprise(2023, {"public_compute_fee_fen": 1234567}), 2023)
    assert _item(answer, "002/五/算力补贴")["amount"] == {
        "fen": 246913,
        "yuan": "2469.13",
        "display": "2,469.13元",
    }


def test_voucher_is_capped_at_50_wan_a_year_and_the_cap_cites_its_clause(client):
    # 002/五: 技术服务合同 200万元 × 30% = 60万元; 单个企业年最高额度不超过50万元.
    answer = _calc(client, _enterprise(2023, {"tech_service_contract_fen": 200_000_000}), 2023)
    item = _item(answer, "002/五/创新券")
    assert item["amount"]["display"] == "50万元"
    amounts = [s for s in item["trace"] if s.get("amount")]
    assert amounts and all(s["amount"]["fen"] >= 0 for s in amounts)
    assert "单个企业年最高额度不超过50万元" in item["quote"]


def test_missing_drafter_rank_is_named_with_its_event(client):
    # 002/十一: 国家标准 pays the first three drafters; the rank is not given, so the item is 待定.
    events = [{"type": "standard_published", "date": "2023-03-01", "scope": "国家标准", "role": "参与"}]
    item = _item(_calc(client, _enterprise(2023, events=events), 2023), "002/十一/国家行业标准")
    assert item["status"] == "undetermined" and item["status_zh"] == "待定"
    assert item["missing"] == [
        {"path": "events[0].drafter_rank", "label": "标准制定并发布（2023-03-01）的起草单位排名"}
    ]


def test_outside_the_district_nothing_is_due_and_the_reason_cites_002_一(client):
    profile = json.loads((ROOT / "examples/outside_district_2023.json").read_text("utf-8"))
    answer = _calc(client, profile, 2023)
    assert answer["total"]["fen"] == 0
    champion = _item(answer, "002/六/单项冠军")
    assert champion["status"] == "not_eligible"
    assert any("财政收入级次" in w for w in champion["why_not"])


def test_near_miss_one_fen_short_of_100_million_orders(client):
    # 002/八: 链主企业年度执行本地上下游配套订单增量 1亿元以上, 最高100万元 (酌定). One fen short: not
    # eligible, and the near-miss names the threshold and the ceiling it would open.
    facts = {"is_chain_leader": True, "local_order_increment_fen": 9_999_999_999}
    answer = _calc(client, _enterprise(2023, facts), 2023)
    assert _item(answer, "002/八/订单增量")["status"] == "not_eligible"
    near = next(n for n in answer["near_misses"] if n["items"] == ["002/八/订单增量"])
    assert near["facts"] == {"local_order_increment_fen": 10_000_000_000}
    assert near["opens_discretionary"] and near["discretionary_cap"]["display"] == "100万元"
    assert "1亿元" in near["change"]
    # Near-misses with a definite gain come first, the largest first.
    gains = [n["gain"]["fen"] for n in answer["near_misses"]]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0


def test_near_misses_can_be_left_out(client):
    answer = _calc(client, _enterprise(2023), 2023, near_misses=False)
    assert answer["near_misses"] == []


def test_every_cited_clause_exists_and_holds_its_quote(client):
    # The page links each quote to /clauses/<id>: that clause must exist, and the quote must be in it
    # (verbatim up to line breaks, the rule loader's own test; a quote may run into the clause's children).
    from huiqi.api.library import corpus

    profile = json.loads((ROOT / "examples/chain_leader_2024.json").read_text("utf-8"))
    r = client.post("/api/v1/calculate", json={"profile": profile, "year": 2024})
    assert r.status_code == 200
    items = r.json()["items"]
    assert items
    for clause in {i["clause"] for i in items}:
        assert client.get(f"/api/v1/clauses/{quote(clause, safe='/')}").status_code == 200, clause
    for i in items:
        assert corpus().locate_quote(i["clause"], i["quote"]) is not None, i["item"]


def test_anonymous_use_stores_nothing(client, app):
    # No login needed; the account database holds the same rows before and after.
    from sqlalchemy import inspect, text

    engine = app.state.accounts.engine
    with engine.connect() as c:
        before = {
            t: c.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
            for t in inspect(engine).get_table_names()
        }
    _calc(client, _enterprise(2023, {"public_compute_fee_fen": 100}), 2023)
    with engine.connect() as c:
        after = {
            t: c.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
            for t in inspect(engine).get_table_names()
        }
    assert before == after


# --- bad input: a 4xx that names every problem ---------------------------------------------------------


def _problems(r) -> dict[str, str]:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "invalid"
    return {e["field"]: e["message"] for e in body["errors"]}


def test_money_as_a_float_and_an_unknown_fact_are_both_reported(client):
    profile = _enterprise(2023, {"rd_expense_fen": 1.5, "rd_expens_fen": 100})
    profile["events"] = [
        {"type": "enterprise_title", "date": "2023-13-01", "title": "小巨人", "level": "国家"}
    ]
    r = client.post("/api/v1/calculate", json={"profile": profile, "year": 2023})
    problems = _problems(r)
    assert "whole number of fen" in problems["profile.years.2023.rd_expense_fen"]
    assert "did you mean rd_expense_fen" in problems["profile.years.2023.rd_expens_fen"]
    assert "YYYY-MM-DD" in problems["profile.events[0].date"]
    assert "profile.years.2023.rd_expense_fen" in r.json()["detail"]  # the message names the field too


def test_bad_kind_year_documents_and_shapes(client):
    assert "kind" in " ".join(_problems(client.post("/api/v1/calculate", json={"profile": {}, "year": 2023})))
    assert "year" in _problems(
        client.post("/api/v1/calculate", json={"profile": {"kind": "enterprise"}, "year": 3000})
    )
    assert "profile" in _problems(client.post("/api/v1/calculate", json={"profile": [], "year": 2023}))
    # The body is JSON: a year is a number and near_misses a boolean, not "2023" or 0.
    assert "year" in _problems(
        client.post("/api/v1/calculate", json={"profile": {"kind": "enterprise"}, "year": "2023"})
    )
    body = {"profile": {"kind": "enterprise"}, "year": 2023, "near_misses": 0}
    assert "near_misses" in _problems(client.post("/api/v1/calculate", json=body))
    # A document without rules is a missing resource (404), as an unknown document is for the search.
    r = client.post(
        "/api/v1/calculate", json={"profile": {"kind": "enterprise"}, "year": 2023, "documents": ["999"]}
    )
    assert r.status_code == 404 and "'999'" in r.json()["detail"]
    many = {
        "kind": "enterprise",
        "events": [{"type": "talent_training_cooperation", "date": "2023-01-01"}] * 201,
    }
    assert (
        "at most 200"
        in _problems(client.post("/api/v1/calculate", json={"profile": many, "year": 2023}))["profile.events"]
    )


def test_a_body_that_is_not_json_is_refused_cleanly(client):
    r = client.post("/api/v1/calculate", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    assert "JSON" in r.json()["detail"]


# --- the vocabulary and the schema ---------------------------------------------------------------------


def test_facts_endpoint_gives_labels_types_and_readers(client):
    r = client.get("/api/v1/facts")
    assert r.status_code == 200
    body = r.json()
    facts = {f["name"]: f for f in body["facts"]}
    rd = facts["rd_expense_fen"]
    assert rd["label"] == "研发投入（研发费用）" and rd["type"] == "money" and rd["period"] == "year"
    assert "002/六/链主研发" in rd["read_by"]
    assert "人工智能" in facts["industry"]["allowed"]
    events = {e["type"]: e for e in body["events"]}
    title = {a["name"]: a for a in events["enterprise_title"]["attrs"]}["title"]
    assert "专精特新小巨人" in title["allowed"] and title["required"]
    assert body["payment_keys"]["amount_fen"] == "money"


def test_schema_endpoint_is_the_published_schema(client):
    # docs/schema/profile.schema.json is this same generator's output (tests/rules keep the file in step).
    from huiqi.rules.schema import schema_json

    r = client.get("/api/v1/schema/profile")
    assert r.status_code == 200
    assert r.json() == json.loads(schema_json())
    assert r.json()["properties"]["kind"]["enum"] == ["enterprise", "talent", "carrier", "institution"]


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/calculate", "/api/v1/facts", "/api/v1/schema/profile"} <= set(paths)
    assert "422" in paths["/api/v1/calculate"]["post"]["responses"]


def test_the_api_date_pattern_accepts_exactly_the_days_the_engine_accepts():
    # The OpenAPI document describes dates by a pattern (huiqi.api.profile_contract.EXACT_DATE); the engine
    # reads them with date.fromisoformat and keeps 1949-10-01 … 2100-12-31. Every day of 1940–2110 agrees.
    import re
    from datetime import date, timedelta

    from huiqi.api.profile_contract import EXACT_DATE
    from huiqi.engine.profile import EARLIEST, LATEST

    pattern = re.compile(EXACT_DATE)
    day = date(1940, 1, 1)
    while day <= date(2110, 12, 31):
        assert bool(pattern.match(day.isoformat())) == (EARLIEST <= day <= LATEST), day
        day += timedelta(days=1)
    for impossible in ("2023-02-29", "2100-02-29", "2023-04-31", "2023-13-01", "0000-00-00", "2023-1-01"):
        assert not pattern.match(impossible)
    assert pattern.match("2000-02-29") and pattern.match("2024-02-29")
