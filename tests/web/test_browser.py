"""Browser tests of the library, the search and the accounts: Playwright driving Debian's chromium against a
real server on loopback (fixtures in conftest.py, helpers in browser.py).

Screenshots of each page at desktop and phone width go under ``artifacts/screenshots/``.
"""

from __future__ import annotations

from tests.web.browser import MARKS, login, shoot

pytestmark = MARKS


def test_library_page_draws_its_chart(page, base_url):
    page.goto(base_url + "/")
    page.wait_for_selector("#library-chart[data-rendered=true] canvas")
    assert page.locator("table.docs tbody tr").count() >= 40  # 000–002, 004 and the documents inside 003
    shoot(page, "library")


def test_search_from_the_library_highlights_matches(page, base_url):
    page.goto(base_url + "/")
    page.fill("input[name=q]", "专精特新 奖励")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("ol.hits")
    assert "专精特新" in page.locator("ol.hits mark").first.inner_text()
    assert "共" in page.locator("#result-count").inner_text()
    shoot(page, "search")
    page.click("ol.hits a.hit-title >> nth=0")
    page.wait_for_selector("section.text")
    assert "专精特新" in page.locator("section.text").inner_text()
    shoot(page, "clause-from-search")


def test_document_page_and_clause_page(page, base_url):
    page.goto(base_url + "/")
    page.click("text=推动创新链产业链“两链”深度融合的若干政策")
    page.wait_for_selector("ul.tree")
    assert page.url.endswith("/policies/002")
    shoot(page, "document")
    page.click("ul.tree >> text=给予认定奖励")
    page.wait_for_selector("table.figures")
    assert "最高30万元" in page.locator("table.figures").inner_text()
    shoot(page, "clause")


def test_login_shows_ones_account(page, base_url):
    page.goto(base_url + "/login")
    shoot(page, "login")
    login(page, base_url, "firm-a")
    page.wait_for_selector("#account-username")
    assert page.locator("#account-username").inner_text() == "firm-a"
    shoot(page, "account")


def test_refused_access_is_a_clean_403_page(page, base_url):
    login(page, base_url, "firm-a")
    page.wait_for_selector("#account-username")
    response = page.goto(base_url + "/admin/accounts")
    assert response.status == 403
    assert "无权访问" in page.locator("h1").inner_text()
    assert "firm-b" not in page.content()
    shoot(page, "refused")
