"""The 工作台 in a real browser (Debian's chromium through Playwright) on the demo database of ``huiqi serve
--demo``: an official's desk, the registry, the budgets chart and the targets chart; the auditor's log.

The server, browser and page fixtures are conftest.py's; the app they serve is the seeded demo here.
Screenshots go to ``artifacts/screenshots/desk-*.png`` at 1280 px and at 375 px, where no page may be wider
than the phone screen.
"""

from __future__ import annotations

import pytest
from tests.web.browser import MARKS, NARROW_PHONE
from tests.web.browser import shoot as shoot_widths

from huiqi.api.demo import demo_app

pytestmark = MARKS


@pytest.fixture(scope="module")
def demo(tmp_path_factory, cheap_argon2):
    application, accounts = demo_app(tmp_path_factory.mktemp("demo"))
    yield application, {a.username: a.password for a in accounts}
    application.state.accounts.engine.dispose()


@pytest.fixture(scope="module")
def app(demo):
    """The app ``base_url`` serves: the demo's."""
    return demo[0]


def shoot(page, name: str) -> None:
    """At 1280 px and at 375 px; the file names say 375 (desk-*-phone375.png)."""
    shoot_widths(page, name, NARROW_PHONE, "phone375")


def login(page, base_url: str, demo, username: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo[1][username])
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("#account-username")


def test_an_officials_desk_registry_and_entity(page, base_url, demo):
    login(page, base_url, demo, "kejiju")
    page.click("header.top >> text=工作台")
    page.wait_for_selector("ul.desk-links")
    titles = page.locator("ul.desk-links a.title").all_inner_texts()
    assert titles == ["兑现批次", "登记册", "预算执行", "2027 年目标"]
    shoot(page, "desk-home")
    page.click("ul.desk-links >> text=登记册")
    page.wait_for_selector("#registry-table")
    assert "共 12 个主体" in page.locator("#registry-count").inner_text()
    assert page.locator("#import input[type=file]").count() == 1  # an official may import
    shoot(page, "desk-registry")
    page.click("#registry-table >> text=杭州示例01科技有限公司")
    page.wait_for_selector("#entity-titles")
    assert "专精特新小巨人" in page.locator("#entity-titles").inner_text()
    shoot(page, "desk-entity")


def test_the_budgets_chart(page, base_url, demo):
    login(page, base_url, demo, "caizheng")
    page.goto(f"{base_url}/desk/budgets")
    page.wait_for_selector("#budgets-chart[data-rendered=true] canvas")
    rows = page.locator("#budgets-table tbody tr")
    assert rows.count() == 3  # 2022, 2023 and the total
    assert "20万元" in rows.nth(0).inner_text()
    assert page.locator("#set-budget").count() == 1  # finance sets budgets
    shoot(page, "desk-budgets")


def test_the_targets_page_with_its_chart(page, base_url, demo):
    login(page, base_url, demo, "kejiju")
    page.goto(f"{base_url}/desk/targets?base_year=2022")
    page.wait_for_selector("#targets-chart[data-rendered=true] canvas")
    assert page.locator("#targets-table tbody tr").count() == 18
    assert "国家高新技术企业" in page.locator("#targets-table").inner_text()
    shoot(page, "desk-targets")


def test_the_auditors_log_and_an_enterprise_refused(page, base_url, demo):
    login(page, base_url, demo, "shenji")
    page.goto(f"{base_url}/desk/audit")
    page.wait_for_selector("#audit-table")
    assert "哈希链完整" in page.locator("#audit-verdict").inner_text()
    shoot(page, "desk-audit")
    page.click("header.top button:text('退出')")
    page.wait_for_url(f"{base_url}/")
    login(page, base_url, demo, "qiye01")
    response = page.goto(f"{base_url}/desk/budgets")
    assert response.status == 403 and "无权访问" in page.locator("h1").inner_text()
    assert "30,000万元" not in page.content()
