"""政策计算器 in a real browser: Debian's chromium through Playwright, against uvicorn on loopback.

The server and browser fixtures are conftest.py's, the screenshot helper browser.py's; screenshots go to
``artifacts/screenshots/calculator-*.png``, at 1280 px and at 390 px, where no page may be wider than the
phone screen.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.web.browser import MARKS, shoot

ROOT = Path(__file__).resolve().parents[2]

pytestmark = MARKS


def test_loading_an_example_shows_amounts_quote_trace_and_chart(page, base_url):
    page.goto(base_url + "/")
    page.click("header.top >> text=政策计算器")
    page.wait_for_selector("#json-input")
    shoot(page, "calculator")
    page.click("a.example >> text=杭州示例智能科技有限公司")
    page.wait_for_selector("#calc-chart[data-rendered=true] canvas")
    row = page.locator('tr[data-item="002/六/专精特新"]')
    # 002/六: 国家级“小巨人” 100万元, less the 20万元 already paid for the provincial title = 80万元.
    assert row.locator("td.amount").inner_text().strip() == "80万元"
    assert row.locator(".badge").inner_text() == "符合"
    assert "专精特新" in row.locator("blockquote.quote").inner_text()
    # The total is the API's for the same profile (with 002 alone: 24 + 30 + 80 = 134万元; other documents'
    # rules may add to it as they are written).
    profile = json.loads((ROOT / "examples/little_giant_2023.json").read_text("utf-8"))
    api = page.request.post(base_url + "/api/v1/calculate", data={"profile": profile, "year": 2023}).json()
    assert page.locator("#total").inner_text() == api["total"]["display"]
    only_002 = {"profile": profile, "year": 2023, "documents": ["002"], "near_misses": False}
    assert (
        page.request.post(base_url + "/api/v1/calculate", data=only_002).json()["total"]["display"]
        == "134万元"
    )
    trace = row.locator("details.trace")
    assert not trace.locator("ol").is_visible()
    trace.locator("summary").click()
    assert trace.locator("ol").is_visible() and trace.locator("li.step").count() >= 3
    assert page.locator("ul.near li").count() >= 1
    shoot(page, "calculator-result")
    # The cited clause is one click away.
    row.locator("a.clause").click()
    page.wait_for_selector("section.text")
    assert "专精特新" in page.locator("section.text").inner_text()


def test_filling_the_form_computes_and_bad_input_is_explained(page, base_url):
    page.goto(base_url + "/calculator")
    page.click("#form-input > summary")
    page.select_option('select[name="year.is_fiscal_revenue_in_district"]', "true")
    page.select_option('select[name="static.industry"]', "人工智能")
    slot = page.locator('details.event[data-type="enterprise_title"]').first
    if not slot.locator("input[type=date]").is_visible():
        # The slot sits in its document's fold and its own fold; open both.
        page.locator("details.doc").filter(has=slot).locator("> summary").click()
        slot.locator("summary").click()
    slot.locator("input[type=date]").fill("2024-03-01")
    slot.locator('select[name$=".title"]').select_option("单项冠军")
    slot.locator('select[name$=".level"]').select_option("国家")
    page.fill('#form-input input[name="year"]', "2024")
    page.click("#form-input button[type=submit]")
    page.wait_for_selector("#result")
    # 002/六: 对“单项冠军”企业、“专精特新小巨人”企业、…分别给予200万元、100万元、…一次性奖励.
    assert page.locator('tr[data-item="002/六/单项冠军"] td.amount').inner_text().strip() == "200万元"
    shoot(page, "calculator-form")
    page.click("#json-input > summary")
    page.fill(
        "textarea[name=profile_json]", '{"kind": "enterprise", "years": {"2024": {"rd_expense_fen": 1.5}}}'
    )
    page.click("#json-input button[type=submit]")
    page.wait_for_selector("#problems")
    assert "profile.years.2024.rd_expense_fen" in page.locator("#problems").inner_text()
    shoot(page, "calculator-problems")
