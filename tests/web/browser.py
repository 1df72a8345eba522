"""What every browser test shares: Debian's chromium, the screenshot folder, the two widths, ``shoot`` and
``login``. The fixtures that start a server and a browser (``base_url``, ``browser``, ``page``) are in this
folder's conftest.py, so every browser test drives the browser the same way.

Screenshots go to ``artifacts/screenshots/`` (kept by CI as test artefacts), at desktop and at phone width;
at phone width no page may be wider than the screen. Tests are skipped when /usr/bin/chromium is not installed
(``apt-get install chromium``); Playwright's own browser download is never used.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 375, "height": 812}  # the narrowest width the pages are designed for
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

PASSWORD = "test-password-1"  # conftest.PASSWORD: the accounts the test servers are given

# The marks of every browser test module: ``pytestmark = browser.MARKS``.
MARKS = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.slow,
]


def has_chinese_font() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip())


def shoot(page, name: str, phone: dict[str, int] = PHONE, suffix: str = "phone") -> None:
    """Screenshots of the current page at desktop and phone width; at phone width nothing may overflow."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(phone)
    # The window's resize event (charts redraw on it) reaches the page after set_viewport_size returns:
    # measure the layout two frames later, once it has settled.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(SHOTS / f"{name}-{suffix}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than a {phone['width']}px phone screen"


def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form (the accounts of conftest.py share one password)."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")
