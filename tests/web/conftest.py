"""A server on a fresh SQLite database with a few accounts, for the page and browser tests."""

from __future__ import annotations

import warnings
from datetime import date

import pytest
from argon2 import PasswordHasher

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's test client asks for httpx2; httpx works the same here
    from fastapi.testclient import TestClient

from huiqi.api import Settings, create_app
from huiqi.auth import passwords
from huiqi.auth.roles import Role

PASSWORD = "test-password-1"
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
