"""Browser tests: Playwright driving Debian's chromium against a real server on loopback.

Each test saves screenshots of the pages it visits, at desktop and at phone width, under
``artifacts/screenshots/`` (kept by CI as test artefacts). Skipped when /usr/bin/chromium is not installed
(``apt-get install chromium``); Playwright's own browser download is never used.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import warnings
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def base_url(app):
    """The app served by uvicorn in a thread, on a free loopback port."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _has_chinese_font() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip())


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not _has_chinese_font():
        # The tests still pass (they read the DOM), but the screenshots would show boxes for every character.
        warnings.warn(
            "no Chinese font installed (apt-get install fonts-noto-cjk): screenshots will show boxes",
            stacklevel=2,
        )

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def shoot(page, name: str) -> None:
    """Screenshots of the current page at desktop and phone width; at phone width nothing may overflow."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than a phone screen"


def login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "test-password-1")
    page.click("form.stack button[type=submit]")


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
