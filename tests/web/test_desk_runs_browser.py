"""An official's approval in a real browser: Debian's chromium through Playwright, against uvicorn on
loopback.

区经信局's 王 starts the 2023 run of 002/六/专精特新 and publishes its 公示; the enterprise on it objects to
its line; 王 resolves the objection after the window; 李, the second official, approves (王 may
not: 审核分离); finance pays. Each page is shot at 1280 px and at 375 px (the issue's phone width), where no
page may be wider than the screen, under ``artifacts/screenshots/desk-runs-*.png``. The server and browser
fixtures are conftest.py's, the helpers browser.py's.
"""

from __future__ import annotations

import pytest
from tests.redemption.setup_registry import AFTER_WINDOW, RUN_DAY, A, make_registry
from tests.web.browser import MARKS, NARROW_PHONE, login
from tests.web.browser import shoot as shoot_widths

from huiqi.api import Settings, create_app
from huiqi.auth.roles import Role

pytestmark = MARKS


def shoot(page, name: str) -> None:
    """At 1280 px and at 375 px, the issue's phone width."""
    shoot_widths(page, name, NARROW_PHONE)


ACCOUNTS = {
    "jxj-wang": (Role.OFFICIAL, "区经信局"),
    "jxj-li": (Role.OFFICIAL, "区经信局"),
    "finance": (Role.FINANCE, None),
    "firm-1": (Role.ENTERPRISE, A),
}


class Clock:
    day = RUN_DAY


CLOCK = Clock()


@pytest.fixture(scope="module")
def app(tmp_path_factory, cheap_argon2):
    """The server of this module: the redemption tests' registry, and a clock the test moves."""
    folder = tmp_path_factory.mktemp("desk-runs-browser")
    application = create_app(
        Settings(database_url=f"sqlite:///{folder / 'huiqi.sqlite'}", today=lambda: CLOCK.day)
    )
    make_registry(application.state.accounts.engine, folder / "registry", n=12)
    for name, (role, unit) in ACCOUNTS.items():
        application.state.accounts.create("cli", name, "test-password-1", role, unit)
    return application


def _as(page, base_url: str, username: str) -> None:
    """Log out whoever is logged in, then log in as ``username``."""
    if page.locator("header.top button:has-text('退出')").count():
        page.click("header.top button:has-text('退出')")
        page.wait_for_selector("header.top a[href='/login']")
    login(page, base_url, username)
    page.wait_for_selector("header.top .who")


def _open_run(page, run_url: str) -> None:
    page.goto(run_url)
    page.wait_for_selector("#run-lines")


def test_an_official_approval_from_run_to_payment(page, base_url):
    CLOCK.day = RUN_DAY  # Friday 2024-03-01: a 5-working-day window ends Thursday 2024-03-07

    # 王 (区经信局) starts the run from the desk
    _as(page, base_url, "jxj-wang")
    page.goto(base_url + "/desk")
    page.click("a[href='/desk/runs']")
    page.wait_for_selector("#start-run")
    shoot(page, "desk-runs-list-empty")
    page.fill("#start-run input[name=target]", "002/六/专精特新")
    page.fill("#start-run input[name=year]", "2023")
    page.click("#start-run button[type=submit]")
    page.wait_for_selector("#run-done")
    run_url = page.url.split("?")[0]
    assert page.locator("#run-stage").inner_text() == "待公示"
    mine = page.locator("#run-lines tr", has_text=A)
    assert "80万元" in mine.inner_text() and "002/六" in mine.inner_text()
    shoot(page, "desk-runs-prepared")

    # … and publishes the 公示
    page.fill("#publish-form input[name=working_days]", "5")
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#run-done")
    assert page.locator("#run-stage").inner_text() == "公示中"
    assert "2024-03-01 至 2024-03-07" in page.locator("#run-meta").inner_text()
    shoot(page, "desk-runs-in-notice")

    # the enterprise sees only its own line and objects to it
    _as(page, base_url, "firm-1")
    page.click("header.top a[href='/desk/runs']")
    page.click("#runs-table a >> nth=0")
    page.wait_for_selector("#run-lines")
    assert page.locator("#run-lines tbody tr").count() == 1
    page.fill("#run-lines .object-form input[name=reason]", "2022年已获20万元，请核对补差金额")
    page.click("#run-lines .object-form button[type=submit]")
    page.wait_for_selector("#run-done")
    assert "待处理" in page.locator("#run-lines .objection").inner_text()
    shoot(page, "desk-runs-enterprise-objection")

    # after the window, 王 resolves the objection, and may not approve his own run
    CLOCK.day = AFTER_WINDOW
    _as(page, base_url, "jxj-wang")
    _open_run(page, run_url)
    assert page.locator("#decide-all-form").count() == 0
    page.fill("#run-lines .resolve-form input[name=reason]", "已按002/十六补差：100万元减已付20万元")
    page.click("#run-lines .resolve-form button[type=submit]")
    page.wait_for_selector("#run-done")
    assert "维持原结果" in page.locator("#run-lines .objection").inner_text()
    assert page.locator("#run-stage").inner_text() == "待审批"
    shoot(page, "desk-runs-objection-resolved")

    # 李, the second official of the department, approves every line
    _as(page, base_url, "jxj-li")
    _open_run(page, run_url)
    shoot(page, "desk-runs-to-approve")
    page.click("#decide-all-form button[value='1']")
    page.wait_for_selector("#run-done")
    assert page.locator("#run-stage").inner_text() == "审批完毕"
    assert page.locator("#run-lines tr[data-state=open]").count() == 0
    shoot(page, "desk-runs-approved")

    # finance pays; the line shows its posted order
    _as(page, base_url, "finance")
    _open_run(page, run_url)
    page.click("#pay-form button[type=submit]")
    page.wait_for_selector("#pay-report")
    assert "本次下达" in page.locator("#pay-report").inner_text()
    assert "已支付" in page.locator("#run-lines tr", has_text=A).inner_text()
    totals = page.locator("#run-totals").inner_text()
    assert "已支付 0元" not in totals
    shoot(page, "desk-runs-paid")
    page.goto(base_url + "/desk/runs")
    page.wait_for_selector("#runs-table")
    shoot(page, "desk-runs-list")
