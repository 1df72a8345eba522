"""No request makes the server answer 500, and every answer matches the OpenAPI document.

schemathesis generates requests from ``/api/v1/openapi.json`` (valid and invalid ones) and runs them
in-process against the ASGI app, checking status codes, content types and bodies against the document. It
runs twice: anonymously, and as the admin (so that the account endpoints are explored past the 401).
Examples are bounded per operation so that this stays a few seconds.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from huiqi.api import Settings, create_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# schemathesis needs the schema when the tests are collected, so this module builds its own app (on a
# database of its own) at import time rather than through the conftest fixtures.
_db = Path(tempfile.mkdtemp(prefix="huiqi-fuzz-")) / "huiqi.sqlite"
APP = create_app(Settings(database_url=f"sqlite:///{_db}", today=lambda: date(2024, 6, 1)))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture(scope="module", autouse=True)
def _remove_database():
    yield
    APP.state.accounts.engine.dispose()
    shutil.rmtree(_db.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def admin_headers():
    from huiqi.auth.roles import Role

    store = APP.state.accounts
    store.create("cli", "fuzz-admin", "fuzz-password-1", Role.ADMIN)
    done = store.login("fuzz-admin", "fuzz-password-1")
    return {"Authorization": f"Bearer {done.token}"}


@schema.parametrize()
@FUZZ
def test_anonymous_requests_get_documented_answers(case):
    case.call_and_validate()


@schema.parametrize()
@FUZZ
def test_admin_requests_get_documented_answers(case, admin_headers):
    case.call_and_validate(headers=admin_headers)
