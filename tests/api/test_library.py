"""政策库 over JSON: documents, clauses and search, checked against the policy texts themselves."""

from __future__ import annotations

import pytest

from huiqi.api.library import validity
from huiqi.corpus.load import load_corpus


def test_document_list_gives_each_document_its_dates_and_validity(client):
    # 002: "2022年8月5日" (issued); "本政策自2022年9月6日起施行，有效期三年。" → in force until 2025-09-05.
    body = client.get("/api/v1/documents").json()
    assert body["as_of"] == "2024-06-01"
    docs = {d["id"]: d for d in body["documents"]}
    assert {"000", "001", "002", "004"} <= docs.keys()
    assert any(k.startswith("003-") for k in docs)  # the compendium is split into its documents
    d = docs["002"]
    assert d["title"] == "推动创新链产业链“两链”深度融合的若干政策"
    assert d["issued"]["value"] == "2022-08-05"
    assert d["effective"]["value"] == "2022-09-06"
    assert d["expires"]["value"] == "2025-09-05"
    assert d["validity"] == "in_force" and d["validity_zh"] == "有效"
    assert d["year"] == 2022
    assert d["draft"] is False
    # 000 and 004 are 征求意见稿 (drafts for comment).
    assert docs["000"]["draft"] and docs["004"]["draft"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2022-09-05", "not_yet"),
        ("2022-09-06", "in_force"),
        ("2025-09-05", "in_force"),
        ("2025-09-06", "expired"),
    ],
)
def test_validity_of_002_follows_its_three_year_term(day, expected):
    from datetime import date

    doc = load_corpus().document("002")
    assert validity(doc, date.fromisoformat(day)).value == expected


def test_document_page_data_has_the_clause_tree(client):
    body = client.get("/api/v1/documents/002").json()
    top = {c["id"]: c for c in body["clauses"]}
    assert top["002/三"]["heading"] == "给予认定奖励"
    assert top["002/三"]["label"] == "三"
    assert top["002/三"]["figure_count"] > 0


def test_clause_gives_its_text_and_the_amounts_read_from_it(client):
    # 002 三、给予认定奖励: "对新认定的省、市级企业创新联合体、产业链上下游企业共同体，
    # 分别给予50万元、30万元一次性奖励。对新认定的产业联盟给予最高不超过30万元一次性开办经费奖励。"
    body = client.get("/api/v1/clauses/002/三").json()
    assert body["doc_id"] == "002"
    assert body["text"].startswith("三、给予认定奖励")
    assert "分别给予50万元、30万元一次性奖励" in body["text"]
    amounts = [f for f in body["figures"] if f["kind"] == "amount"]
    first = amounts[0]
    assert (
        first["text"] == "50万元" and first["value_fen"] == 50 * 10_000 * 100 and first["display"] == "50万元"
    )
    cap = next(f for f in amounts if f["bound"] == "cap")
    assert cap["value_fen"] == 30 * 10_000 * 100 and cap["display"] == "最高30万元"
    departments = [f["display"] for f in body["figures"] if f["kind"] == "department"]
    assert "区科技局（牵头）" in departments  # （牵头单位：区科技局；…）


def test_clause_span_points_into_the_source_file(client):
    body = client.get("/api/v1/clauses/002/三").json()
    corpus = load_corpus()
    text = corpus.source_text("002")
    assert text[body["span"][0] : body["span"][0] + len("三、给予认定奖励")] == "三、给予认定奖励"
    for f in body["figures"]:
        assert text[f["span"][0] : f["span"][1]] == f["text"]


def test_unknown_ids_are_a_404_with_a_hint(client):
    r = client.get("/api/v1/documents/999")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found" and "003-12" in r.json()["detail"]
    r = client.get("/api/v1/clauses/002/九十九")
    assert r.status_code == 404 and "002/九十九" in r.json()["detail"]


def test_search_finds_the_clause_and_marks_each_match(client):
    # 002 六、壮大链主企业: "…省级“专精特新”中小企业分别给予200万元、100万元、100万元、20万元一次性奖励。"
    body = client.get("/api/v1/search", params={"q": "专精特新 奖励", "doc": "002"}).json()
    assert body["terms"] == ["专精特新", "奖励"] and body["missing"] == []
    ids = [h["clause_id"] for h in body["hits"]]
    assert "002/六" in ids
    for hit in body["hits"]:
        assert hit["doc_id"] == "002"
        marked = {hit["snippet"][a:b] for a, b in hit["highlights"]}
        assert marked and marked <= {"专精特新", "奖励"}


def test_search_says_which_term_is_nowhere(client):
    body = client.get("/api/v1/search", params={"q": "专精特新 量子引力"}).json()
    assert body["hits"] == [] and body["missing"] == ["量子引力"]


def test_search_limit_and_total(client):
    body = client.get("/api/v1/search", params={"q": "奖励", "limit": 3}).json()
    assert len(body["hits"]) == 3 and body["total"] > 3


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"q": "   "}, 422, "q"),  # no word to look for
        ({"q": "，、"}, 422, "q"),
        ({"q": "奖励", "doc": "777"}, 404, "777"),
        ({"q": "奖励", "limit": 0}, 422, "limit"),
        ({"q": "奖励", "limit": "ten"}, 422, "limit"),
        ({}, 422, "q"),
    ],
)
def test_bad_search_requests_get_an_actionable_4xx(client, params, status, says):
    r = client.get("/api/v1/search", params=params)
    assert r.status_code == status
    assert says in r.json()["detail"]


def test_unknown_path_and_method_are_json_errors(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.delete("/api/v1/documents")
    assert r.status_code == 405 and "DELETE" in r.json()["detail"]


def test_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/documents",
        "/api/v1/documents/{doc_id}",
        "/api/v1/clauses/{clause_id}",
        "/api/v1/search",
    } <= set(spec["paths"])
    assert not any(p.startswith("/policies") for p in spec["paths"])  # pages are not API
