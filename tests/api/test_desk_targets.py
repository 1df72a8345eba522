"""004's targets against the registry over HTTP, and the 工作台 home (what each role can do)."""

from __future__ import annotations

import pytest

from huiqi.redemption import demo_data
from huiqi.registry.importing import import_files
from huiqi.store import transaction


@pytest.fixture(scope="module")
def registry(app, tmp_path_factory):
    files = demo_data.write(tmp_path_factory.mktemp("registry"))
    with transaction(app.state.accounts.engine) as s:
        import_files(s, [p for p in files if p.name != "paid_2022.csv"], actor="test")


def _new_little_giants_2023() -> int:
    """Counted from the demo registry's own rows, independently of huiqi.indicators: enterprises whose first
    national 专精特新小巨人 recognition falls in 2023 (none has one earlier)."""
    _, _, events = demo_data.generate()
    firsts: dict[str, str] = {}
    for code, kind, day, title, level, *_ in events:
        if kind == "enterprise_title" and title == "专精特新小巨人" and level == "国家":
            firsts[code] = min(day, firsts.get(code, day))
    return sum(1 for day in firsts.values() if day.startswith("2023"))


@pytest.mark.parametrize("who", ["kejiju", "finance", "audit"])
def test_every_target_of_004_against_the_registry(client, login, registry, who):
    r = client.get("/api/v1/indicators/targets", headers=login(who))
    assert r.status_code == 200
    data = r.json()
    assert data["year"] == 2023 == data["latest_data_year"]  # the latest year with yearly facts
    assert data["target_years"] == [2027]
    assert len(data["readings"]) == 18 and sum(data["counts"].values()) == 18
    high_tech = {t["id"]: t for t in data["readings"]}["high_tech_enterprises"]
    assert high_tech["target_value"] == "3800" and high_tech["clause"] == "004/一"
    # The demo registry records no 国家高新技术企业 at all: no data, never a silent 0.
    assert high_tech["status"] == "no_data" and high_tech["value"] is None
    increments = [t for t in data["readings"] if t["kind"] == "increment" and t["status"] != "not_computable"]
    assert increments and all(t["status"] == "needs_base_year" for t in increments)


def test_an_increment_counts_from_the_base_year_given(client, login, registry):
    data = client.get("/api/v1/indicators/targets?base_year=2022", headers=login("kejiju")).json()
    [giants] = [t for t in data["readings"] if t["kind"] == "increment" and t["status"] == "computed"]
    assert giants["base_year"] == 2022 and giants["value"] == str(_new_little_giants_2023())
    assert giants["target_value"] == "45" and giants["met"] is False


def test_a_base_year_after_the_year_leaves_the_increments_uncomputed_and_says_why(client, login, registry):
    r = client.get("/api/v1/indicators/targets?year=2022&base_year=2023", headers=login("kejiju"))
    assert r.status_code == 200
    data = r.json()
    assert data["base_year"] is None and "须早于" in data["problem"]
    [giants] = [t for t in data["readings"] if t["id"] == "new_little_giants"]
    assert giants["status"] == "needs_base_year" and giants["detail"] == data["problem"]


@pytest.mark.parametrize("who", ["firm-a", "admin"])
def test_an_enterprise_and_the_admin_cannot_read_the_targets(client, login, who):
    assert client.get("/api/v1/indicators/targets", headers=login(who)).status_code == 403


def test_targets_need_a_login(client):
    assert client.get("/api/v1/indicators/targets").status_code == 401


@pytest.mark.parametrize(
    ("who", "titles"),
    [
        ("kejiju", ["兑现批次", "登记册", "预算执行", "2027 年目标"]),
        ("finance", ["兑现批次", "登记册", "预算执行", "2027 年目标"]),
        ("audit", ["兑现批次", "登记册", "预算执行", "2027 年目标", "审计日志", "账号管理"]),
        ("admin", ["审计日志", "账号管理"]),
        ("firm-a", ["本企业登记信息"]),
    ],
)
def test_the_desk_home_lists_what_each_role_can_do(client, login, who, titles):
    r = client.get("/api/v1/desk", headers=login(who))
    assert r.status_code == 200
    assert [link["title"] for link in r.json()["links"]] == titles


def test_the_desk_home_says_who_may_import_and_set_budgets(client, login):
    official = {
        link["title"]: link for link in client.get("/api/v1/desk", headers=login("kejiju")).json()["links"]
    }
    finance = {
        link["title"]: link for link in client.get("/api/v1/desk", headers=login("finance")).json()["links"]
    }
    assert "导入" in official["登记册"]["description"] and "导入" not in finance["登记册"]["description"]
    assert (
        "设定预算" in finance["预算执行"]["description"] and "设定" not in official["预算执行"]["description"]
    )
    assert client.get("/api/v1/desk").status_code == 401
