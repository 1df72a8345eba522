"""A server on a fresh SQLite database with one account of each role, for the API tests."""

from __future__ import annotations

import warnings
from datetime import date

import pytest
from argon2 import PasswordHasher

with warnings.catch_warnings():
    # Starlette asks for httpx2 in its test client; the httpx one works the same for these tests.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from huiqi.api import Settings, create_app
from huiqi.auth import passwords
from huiqi.auth.roles import Role

# Fictional but valid 统一社会信用代码 (the last character is the check digit).
ENTERPRISE_A = "91330108MA27Y5XH14"
ENTERPRISE_B = "91330108MA2CFQ8R04"
PASSWORD = "test-password-1"
# A day inside 002's validity (2022-09-06 … 2025-09-05) and after 001's year (2023).
TODAY = date(2024, 6, 1)

ACCOUNTS = {
    "admin": (Role.ADMIN, None),
    "audit": (Role.AUDITOR, None),
    "finance": (Role.FINANCE, None),
    "kejiju": (Role.OFFICIAL, "区科技局"),
    "firm-a": (Role.ENTERPRISE, ENTERPRISE_A),
    "firm-b": (Role.ENTERPRISE, ENTERPRISE_B),
}


@pytest.fixture(scope="session", autouse=True)
def cheap_argon2():
    """Real argon2id, with small cost parameters so that the suite's many logins stay fast."""
    saved = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = saved


@pytest.fixture(scope="module")
def app(tmp_path_factory, cheap_argon2):
    db = tmp_path_factory.mktemp("db") / "huiqi.sqlite"
    application = create_app(Settings(database_url=f"sqlite:///{db}", today=lambda: TODAY))
    store = application.state.accounts
    for name, (role, unit) in ACCOUNTS.items():
        store.create("cli", name, PASSWORD, role, unit)
    return application


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app)


@pytest.fixture(scope="module")
def login(client):
    """``login(username)`` → the Authorization header of a fresh session for that account."""

    def _login(username: str, password: str = PASSWORD) -> dict[str, str]:
        r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    return _login
