"""The page 政策计算器 as rendered on the server: examples, pasted JSON, an upload, the generated form, and
bad input shown beside the inputs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

from huiqi.web.profile_form import profile_from_form

ROOT = Path(__file__).resolve().parents[2]
LITTLE_GIANT = ROOT / "examples/little_giant_2023.json"


def _embedded(html: str) -> dict:
    return json.loads(
        re.search(r'<script id="calc-data" type="application/json">(.*?)</script>', html).group(1)
    )


def _row(html: str, item_id: str) -> str:
    return re.search(
        rf'<tr class="item [a-z_]+" data-item="{re.escape(item_id)}">(.*?)</tr>', html, re.S
    ).group(1)


def test_calculator_is_in_the_navigation_and_offers_examples_json_and_form(client):
    assert 'href="/calculator"' in client.get("/").text
    r = client.get("/calculator")
    assert r.status_code == 200 and "政策计算器" in r.text
    assert 'href="/calculator?example=little_giant_2023"' in r.text
    assert 'name="profile_json"' in r.text and 'name="profile_file"' in r.text
    # The form comes from the vocabulary and the rules: 002/五's compute fee, typed in 元, with its label.
    assert 'name="year.public_compute_fee_fen"' in r.text
    assert "公共平台服务实际使用费（元）" in r.text
    assert 'name="event.enterprise_title.0.title"' in r.text and "专精特新小巨人" in r.text
    assert 'id="result"' not in r.text  # nothing computed yet


def test_an_example_shows_the_80_wan_upgrade_with_its_quote_and_clause_link(client):
    r = client.get("/calculator?example=little_giant_2023")
    assert r.status_code == 200
    row = _row(r.text, "002/六/专精特新")
    # 002/六 小巨人 100万元, less the 20万元 paid in 2022 for the provincial title (002/十六 补足差额).
    assert "80万元" in row and "符合" in row
    assert f'href="/clauses/{quote("002/六", safe="/")}"' in row
    assert "计算过程" in row  # the expandable trace
    # Undetermined items say what is missing, in Chinese.
    assert "缺少：" in _row(r.text, "002/八/成果转移") and "承接科技成果转移实际支出" in r.text
    # The page shows the answer the API gives for the same profile and year.
    profile = json.loads(LITTLE_GIANT.read_text("utf-8"))
    api = client.post("/api/v1/calculate", json={"profile": profile, "year": 2023}).json()
    assert _embedded(r.text) == api
    assert f'id="total" class="total">{api["total"]["display"]}<' in r.text
    assert "差一点" in r.text and api["near_misses"][0]["change"] in r.text


def test_unknown_example_is_a_404_page_naming_the_examples(client):
    r = client.get("/calculator?example=nope")
    assert r.status_code == 404 and "little_giant_2023" in r.text


def test_pasted_json_and_uploaded_file_give_the_same_answer(client):
    text = LITTLE_GIANT.read_text("utf-8")
    pasted = client.post("/calculator", data={"mode": "json", "year": "2023", "profile_json": text})
    uploaded = client.post(
        "/calculator",
        data={"mode": "json", "year": "2023"},
        files={"profile_file": ("p.json", text.encode(), "application/json")},
    )
    assert pasted.status_code == uploaded.status_code == 200
    assert _embedded(pasted.text) == _embedded(uploaded.text)
    assert "80万元" in _row(uploaded.text, "002/六/专精特新")


def test_bad_json_and_bad_profile_are_listed_beside_the_inputs(client):
    r = client.post("/calculator", data={"mode": "json", "year": "2023", "profile_json": "{not json"})
    assert r.status_code == 422 and "不是有效的 JSON" in r.text
    assert "{not json" in r.text  # what was typed is kept for correcting
    bad = json.dumps({"kind": "enterprise", "years": {"2023": {"rd_expense_fen": 1.5}}})
    r = client.post("/calculator", data={"mode": "json", "year": "2023", "profile_json": bad})
    assert r.status_code == 422
    assert "profile.years.2023.rd_expense_fen: expected a whole number of fen" in r.text
    r = client.post("/calculator", data={"mode": "json", "year": "20x3", "profile_json": "{}"})
    assert r.status_code == 422 and "年份" in r.text


def test_the_form_computes_in_yuan_and_shows_the_profile_it_built(client):
    # 002/五 算力补贴: 12,345.67元 × 20% = 2,469.13元; 002/六 小巨人 (no earlier payment): 100万元.
    form = {
        "mode": "form",
        "year": "2023",
        "kind": "enterprise",
        "year.is_fiscal_revenue_in_district": "true",
        "year.is_innovation_org_member": "true",
        "static.industry": "人工智能",
        "year.public_compute_fee_fen": "12,345.67",
        "event.enterprise_title.0.date": "2023-07-20",
        "event.enterprise_title.0.title": "专精特新小巨人",
        "event.enterprise_title.0.level": "国家",
    }
    r = client.post("/calculator", data=form)
    assert r.status_code == 200
    result = _embedded(r.text)
    eligible = {i["item"]: i["amount"]["fen"] for i in result["items"] if i["status"] == "eligible"}
    assert eligible["002/五/算力补贴"] == 246913 and eligible["002/六/专精特新"] == 100_000_000
    assert "&#34;public_compute_fee_fen&#34;: 1234567" in r.text  # the built profile, in fen, in the JSON box
    assert 'value="12,345.67"' in r.text  # the form keeps what was typed
    assert 'name="event.enterprise_title.1.date"' in r.text  # and offers a slot for another event


def test_form_values_become_an_exact_profile():
    profile, problems = profile_from_form(
        {
            "static.industry": "集成电路",
            "year.rd_expense_fen": "50000000",  # 5000万元 typed in 元
            "year.is_chain_leader": "false",
            "year.tech_service_contract_fen": "",  # empty: unknown, left out
            "event.standard_published.0.date": "2023-03-01",
            "event.standard_published.0.scope": "国家标准",
            "event.standard_published.0.drafter_rank": "2",
        },
        "enterprise",
        2023,
    )
    assert problems == []
    assert profile["facts"] == {"industry": "集成电路"}
    assert profile["years"] == {"2023": {"rd_expense_fen": 5_000_000_000, "is_chain_leader": False}}
    assert profile["events"] == [
        {"type": "standard_published", "date": "2023-03-01", "scope": "国家标准", "drafter_rank": 2}
    ]


def test_form_money_with_more_than_a_fen_is_refused_not_rounded():
    _, problems = profile_from_form({"year.rd_expense_fen": "10.005"}, "enterprise", 2023)
    assert problems and problems[0].startswith("years.2023.rd_expense_fen: 金额请填元")
