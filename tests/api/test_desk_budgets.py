"""Budgets over HTTP: finance sets a line with its citation (audited); officials, finance and audit read the
use per line and year; nobody lowers a line below what is already paid."""

from __future__ import annotations

import pytest

from huiqi.redemption import demo_data
from huiqi.redemption.batch import read_batch, run_batch
from huiqi.registry.importing import import_files
from huiqi.store import transaction

QUOTE = "002 一：每年安排专项资金不少于3亿元"
THREE_YI_FEN = 300_000_000 * 100


@pytest.fixture(scope="module")
def paid_2022(app, client, login, tmp_path_factory):
    """The 2022 line set by finance over the API, then the demo's paid 2022 award (20万元) posted on it."""
    r = client.post(
        "/api/v1/budgets",
        headers=login("finance"),
        json={"line": "002", "year": 2022, "amount_fen": THREE_YI_FEN, "citation": QUOTE},
    )
    assert r.status_code == 200, r.text
    files = demo_data.write(tmp_path_factory.mktemp("registry"))
    engine = app.state.accounts.engine
    with transaction(engine) as s:
        import_files(s, [p for p in files if p.name != "paid_2022.csv"], actor="test")
    paid = next(p for p in files if p.name == "paid_2022.csv")
    report = run_batch(engine, read_batch(paid), "test")
    assert report.posted == 1
    return r.json()


def test_finance_sets_a_line_and_the_change_is_audited(client, login, paid_2022):
    assert paid_2022["budget"] == {"fen": THREE_YI_FEN, "yuan": "300000000.00", "display": "30,000万元"}
    assert paid_2022["citation"] == QUOTE and paid_2022["remaining"]["fen"] == THREE_YI_FEN
    log = client.get("/api/v1/audit?action=budget.set", headers=login("audit")).json()["entries"]
    assert log[-1]["actor"] == "finance" and log[-1]["subject"] == "budget:002:2022"
    assert log[-1]["payload"]["citation"] == QUOTE and log[-1]["payload"]["amount_fen"] == THREE_YI_FEN


@pytest.mark.parametrize("who", ["kejiju", "finance", "audit"])
def test_the_report_gives_budget_reserved_spent_and_remaining(client, login, paid_2022, who):
    r = client.get("/api/v1/budgets?year=2022", headers=login(who))
    assert r.status_code == 200
    [line] = r.json()["lines"]
    assert line["line"] == "002" and line["year"] == 2022
    assert (
        line["spent"]["fen"] == demo_data.PROVINCIAL_SPECIALIZED_FEN and line["spent"]["display"] == "20万元"
    )
    assert line["reserved"]["fen"] == 0
    assert line["remaining"]["fen"] == THREE_YI_FEN - demo_data.PROVINCIAL_SPECIALIZED_FEN
    assert line["used_pct"] == "0.1"  # 20万 of 3亿 = 0.0667 % → 0.1 (四舍五入, one decimal)
    assert r.json()["years"] == [2022]


@pytest.mark.parametrize("who", ["firm-a", "admin"])
def test_an_enterprise_and_the_admin_cannot_read_budgets(client, login, paid_2022, who):
    r = client.get("/api/v1/budgets", headers=login(who))
    assert r.status_code == 403 and "002" not in r.text


@pytest.mark.parametrize("who", ["kejiju", "audit", "admin", "firm-a"])
def test_only_finance_sets_a_budget(client, login, who):
    r = client.post(
        "/api/v1/budgets",
        headers=login(who),
        json={"line": "002", "year": 2030, "amount_fen": 1, "citation": QUOTE},
    )
    assert r.status_code == 403
    assert client.get("/api/v1/budgets?year=2030", headers=login("finance")).json()["lines"] == []


def test_a_line_cannot_go_below_what_is_already_paid(client, login, paid_2022):
    h = login("finance")
    r = client.post(
        "/api/v1/budgets", headers=h, json={"line": "002", "year": 2022, "amount_fen": 100, "citation": QUOTE}
    )
    assert r.status_code == 400 and "20万元" in r.json()["detail"]
    assert (
        client.get("/api/v1/budgets?year=2022", headers=h).json()["lines"][0]["budget"]["fen"] == THREE_YI_FEN
    )


@pytest.mark.parametrize(
    "body",
    [
        {"line": "002", "year": 2023, "amount_fen": -1, "citation": QUOTE},
        {"line": "002", "year": 2023, "amount_fen": 1, "citation": "   "},
        {"line": " ", "year": 2023, "amount_fen": 1, "citation": QUOTE},
        {"line": "002", "year": 2023, "amount_fen": 1.5, "citation": QUOTE},
        {"line": "002", "year": 1800, "amount_fen": 1, "citation": QUOTE},
    ],
)
def test_a_bad_budget_is_a_422_naming_the_field(client, login, body):
    r = client.post("/api/v1/budgets", headers=login("finance"), json=body)
    assert r.status_code == 422 and r.json()["errors"]


def test_budgets_need_a_login(client):
    assert client.get("/api/v1/budgets").status_code == 401
