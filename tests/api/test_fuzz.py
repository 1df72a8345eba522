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


# The 工作台 endpoints (registry, budgets, audit, indicators, desk home) once more as each role that gets past
# their 403: an official (who may import), finance (who may set budgets) and the auditor (who reads the log).
DESK = schema.include(path_regex=r"^/api/v1/(desk|registry|budgets|audit|indicators)")


@pytest.fixture(scope="module")
def desk_registry(tmp_path_factory):
    """The demo registry (12 enterprises), so that the generated requests meet real entities."""
    from huiqi.redemption import demo_data
    from huiqi.registry.importing import import_files
    from huiqi.store import transaction

    files = demo_data.write(tmp_path_factory.mktemp("registry"))
    with transaction(APP.state.accounts.engine) as s:
        import_files(s, [p for p in files if p.name != "paid_2022.csv"], actor="fuzz")


@pytest.fixture(scope="module", params=["official", "finance", "auditor"])
def desk_headers(request, desk_registry):
    from huiqi.auth.roles import Role

    role = Role(request.param)
    name = f"fuzz-{role.value}"
    store = APP.state.accounts
    store.create("cli", name, "fuzz-password-1", role, "区科技局" if role is Role.OFFICIAL else None)
    return {"Authorization": f"Bearer {store.login(name, 'fuzz-password-1').token}"}


@DESK.parametrize()
@FUZZ
def test_desk_requests_get_documented_answers(case, desk_headers):
    excluded = []
    if case.path == "/api/v1/registry/imports":
        # OpenAPI can say "some files", not "a table the importer accepts": a schema-valid upload of arbitrary
        # bytes is rightly refused (422 naming the file). Every other check still runs on this operation.
        excluded.append(schemathesis.checks.positive_data_acceptance)
    # A case generated to lack the credential tests the 401: it is sent as generated.
    negated = case.operation.schema.is_security_param_negated(case)
    case.call_and_validate(headers=None if negated else desk_headers, excluded_checks=excluded)
