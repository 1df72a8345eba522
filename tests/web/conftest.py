"""A server on a fresh SQLite database with a few accounts, for the page and browser tests."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from datetime import date

import pytest
from argon2 import PasswordHasher

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's test client asks for httpx2; httpx works the same here
    from fastapi.testclient import TestClient

from tests.web import browser as browser_helpers

from huiqi.api import Settings, create_app
from huiqi.auth import passwords
from huiqi.auth.roles import Role

PASSWORD = browser_helpers.PASSWORD
TODAY = date(2024, 6, 1)  # inside 002's validity (2022-09-06 … 2025-09-05)

ACCOUNTS = {
    "admin": (Role.ADMIN, None),
    "audit": (Role.AUDITOR, None),
    "firm-a": (Role.ENTERPRISE, "91330108MA27Y5XH14"),
    "firm-b": (Role.ENTERPRISE, "91330108MA2CFQ8R04"),
}


@pytest.fixture(scope="session", autouse=True)
def cheap_argon2():
    """Real argon2id with small cost parameters, so that the many logins of the suite stay fast."""
    saved = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = saved


@pytest.fixture(scope="module")
def app(tmp_path_factory, cheap_argon2):
    db = tmp_path_factory.mktemp("db") / "huiqi.sqlite"
    application = create_app(Settings(database_url=f"sqlite:///{db}", today=lambda: TODAY))
    for name, (role, unit) in ACCOUNTS.items():
        application.state.accounts.create("cli", name, PASSWORD, role, unit)
    return application


@pytest.fixture
def client(app):
    """A fresh client (own cookie jar) per test."""
    return TestClient(app)


# --- browser tests: a server on loopback and Debian's chromium (helpers in browser.py) ---------------


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


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not browser_helpers.has_chinese_font():
        # The tests still pass (they read the DOM), but the screenshots would show boxes for every character.
        warnings.warn(
            "no Chinese font installed (apt-get install fonts-noto-cjk): screenshots will show boxes",
            stacklevel=2,
        )

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(browser_helpers.CHROMIUM), args=browser_helpers.CHROMIUM_ARGS
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=browser_helpers.DESKTOP, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
