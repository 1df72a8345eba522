"""The 工作台 pages on the seeded demo database (``huiqi serve --demo``'s, through the ASGI app, no port):
each role gets the pages it may see and a 403 page for the rest; each page renders its endpoint's JSON;
the forms (import, budget) work with their CSRF token and show problems beside the form."""

from __future__ import annotations

import json
import re
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from huiqi.api.demo import demo_app
from huiqi.api.security import CSRF_COOKIE
from huiqi.redemption import demo_data
from huiqi.store import transaction
from huiqi.store.models import Budget
from huiqi.store.models_runs import Notice, RedemptionRun

PAGES = ("/desk", "/desk/registry", "/desk/budgets", "/desk/audit", "/desk/targets")
OWN = f"/desk/registry/{demo_data.credit_code(1)}"
# What each demo account may open (200); every other desk page is a 403 page.
ALLOWED = {
    "admin": {"/desk", "/desk/audit"},
    "kejiju": {"/desk", "/desk/registry", "/desk/budgets", "/desk/targets", OWN},
    "jingxinju": {"/desk", "/desk/registry", "/desk/budgets", "/desk/targets", OWN},
    "caizheng": {"/desk", "/desk/registry", "/desk/budgets", "/desk/targets", OWN},
    "shenji": {"/desk", "/desk/registry", "/desk/budgets", "/desk/targets", "/desk/audit", OWN},
    "qiye01": {"/desk", OWN},
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, cheap_argon2):
    app, accounts = demo_app(tmp_path_factory.mktemp("demo"))
    yield app, {a.username: a for a in accounts}
    app.state.accounts.engine.dispose()


def _client(demo, username: str | None = None) -> TestClient:
    app, accounts = demo
    c = TestClient(app)
    if username is not None:
        c.get("/login")
        r = c.post(
            "/login",
            data={
                "username": username,
                "password": accounts[username].password,
                "csrf_token": c.cookies.get(CSRF_COOKIE),
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    return c


def _bearer(demo, username: str) -> dict[str, str]:
    app, accounts = demo
    r = TestClient(app).post(
        "/api/v1/auth/login", json={"username": username, "password": accounts[username].password}
    )
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _token(c: TestClient) -> str:
    c.get("/desk")
    return c.cookies.get(CSRF_COOKIE)


def _embedded(html: str, element_id: str) -> dict:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, element_id
    return json.loads(found.group(1))


def test_the_demo_is_seeded_with_a_registry_budgets_and_a_run_ready_for_notice(demo):
    app, accounts = demo
    assert {a.role.value for a in accounts.values()} == {
        "admin",
        "official",
        "finance",
        "auditor",
        "enterprise",
    }
    with transaction(app.state.accounts.engine) as s:
        runs = s.query(RedemptionRun).all()
        assert [(r.target, r.year, r.prepared_by) for r in runs] == [("002", 2023, "王经办")]
        assert s.query(Notice).count() == 0  # ready for its 公示, not yet published
        budgets = {(b.line, b.year): b for b in s.query(Budget).all()}
        assert set(budgets) == {("002", 2022), ("002", 2023)}
        assert budgets[("002", 2022)].spent_fen == demo_data.PROVINCIAL_SPECIALIZED_FEN


@pytest.mark.parametrize("username", sorted(ALLOWED))
def test_each_role_opens_its_desk_pages_and_gets_403_for_the_others(demo, username):
    c = _client(demo, username)
    for path in (*PAGES, OWN):
        r = c.get(path)
        expected = 200 if path in ALLOWED[username] else 403
        assert r.status_code == expected, (username, path, r.status_code)
        if expected == 403:
            assert "无权访问" in r.text and "示例02" not in r.text


def test_anonymous_visitors_are_sent_to_the_login(demo):
    c = _client(demo)
    for path in (*PAGES, OWN):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/desk")


def test_the_nav_links_the_desk_for_officials_not_for_enterprises(demo):
    assert '<a href="/desk">工作台</a>' in _client(demo, "kejiju").get("/").text
    assert '<a href="/desk">工作台</a>' not in _client(demo, "qiye01").get("/").text


def test_the_desk_home_links_what_the_role_can_do(demo):
    official = _client(demo, "kejiju").get("/desk").text
    for href in (
        'href="/desk/runs"',
        'href="/desk/registry"',
        'href="/desk/budgets"',
        'href="/desk/targets"',
    ):
        assert href in official
    assert 'href="/desk/audit"' not in official
    firm = _client(demo, "qiye01").get("/desk").text
    assert f'href="{OWN}"' in firm and 'href="/desk/registry"' not in firm


def test_registry_pages_list_search_and_show_an_entity(demo):
    c = _client(demo, "caizheng")
    listing = c.get("/desk/registry").text
    assert "共 12 个主体" in listing and "杭州示例03科技有限公司" in listing
    found = c.get("/desk/registry", params={"q": "示例03"}).text
    assert "共 1 个主体" in found and "杭州示例01科技有限公司" not in found
    entity = c.get(OWN).text
    assert "杭州示例01科技有限公司" in entity and "专精特新小巨人（国家级）" in entity and "2023 年" in entity
    assert "导入登记文件" not in listing  # finance reads; only officials import


def test_an_official_imports_from_the_page_and_sees_every_bad_row(demo, tmp_path):
    c = _client(demo, "kejiju")
    token = _token(c)
    good = (
        f"kind,name,credit_code\r\nenterprise,杭州新登记科技有限公司,{demo_data.credit_code(99)}\r\n".encode()
    )
    r = c.post(
        "/desk/registry/import",
        data={"csrf_token": token},
        files=[("files", ("new.csv", good, "text/csv"))],
    )
    assert r.status_code == 200 and "导入完成" in r.text and "新增 1" in r.text
    assert "共 13 个主体" in r.text
    bad = b"kind,name,credit_code\r\nenterprise,,91330108MA2GOOD000\r\n"
    r = c.post(
        "/desk/registry/import", data={"csrf_token": token}, files=[("files", ("bad.csv", bad, "text/csv"))]
    )
    assert r.status_code == 422 and "未写入任何数据" in r.text
    assert "bad.csv, row 2, field name" in r.text and "bad.csv, row 2, field credit_code" in r.text
    no_token = c.post("/desk/registry/import", files=[("files", ("new.csv", good, "text/csv"))])
    assert no_token.status_code == 403


def test_the_budgets_page_renders_the_endpoints_json_and_its_chart(demo):
    c = _client(demo, "kejiju")
    page = c.get("/desk/budgets?year=2022")
    api = c.get("/api/v1/budgets?year=2022", headers=_bearer(demo, "kejiju")).json()
    assert _embedded(page.text, "budgets-data") == api
    assert 'id="budgets-chart"' in page.text and "/static/vendor/echarts/echarts.min.js" in page.text
    assert "20万元" in page.text and "002 一：每年安排专项资金不少于3亿元" in page.text
    assert "设定预算" not in page.text  # an official reads; finance sets


def test_finance_sets_a_budget_from_the_page(demo):
    c = _client(demo, "caizheng")
    assert "设定预算" in c.get("/desk/budgets").text
    token = _token(c)
    form = {
        "line": "002",
        "year": "2024",
        "amount": "3",
        "unit": "亿元",
        "citation": "002 一：每年安排专项资金不少于3亿元",
    }
    r = c.post("/desk/budgets", data={**form, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/desk/budgets?year=2024"
    assert "30,000万元" in c.get("/desk/budgets?year=2024").text
    bad = c.post("/desk/budgets", data={**form, "amount": "1.005", "unit": "元", "csrf_token": token})
    assert bad.status_code == 400 and "最多精确到分" in bad.text and 'value="1.005"' in bad.text
    below = c.post(
        "/desk/budgets", data={**form, "year": "2022", "amount": "1", "unit": "元", "csrf_token": token}
    )
    assert below.status_code == 400 and "已预留和已支付合计 20万元" in below.text
    official = _client(demo, "kejiju")
    refused = official.post("/desk/budgets", data={**form, "year": "2025", "csrf_token": _token(official)})
    assert refused.status_code == 403


def test_the_audit_page_shows_the_verdict_and_the_entries(demo):
    c = _client(demo, "shenji")
    page = c.get("/desk/audit").text
    assert "✓ 哈希链完整" in page and "budget.set" in page and "registry.import" in page
    filtered = c.get("/desk/audit", params={"action": "budget.set", "subject": "002:2022"}).text
    assert "共 1 条" in filtered and "session.login</code>" not in filtered and "财政局" in filtered


def test_the_targets_page_renders_the_endpoints_json_and_its_chart(demo):
    c = _client(demo, "shenji")
    page = c.get("/desk/targets?base_year=2022")
    api = c.get("/api/v1/indicators/targets?base_year=2022", headers=_bearer(demo, "shenji")).json()
    assert _embedded(page.text, "targets-data") == api
    assert 'id="targets-chart"' in page.text and "国家高新技术企业" in page.text
    assert "“到2030年”一段为定性表述" in page.text
    odd = c.get("/desk/targets?year=2022&base_year=2023")
    assert odd.status_code == 200 and 'id="targets-problem"' in odd.text and "须早于" in odd.text
