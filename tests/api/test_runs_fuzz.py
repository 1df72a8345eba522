"""schemathesis over the redemption endpoints, as every role that can reach past the 401/403.

``tests/api/test_fuzz.py`` runs every operation anonymously and as the admin, who may read no business data;
here the redemption operations (tag ``redemption``) run as the preparing official, the checking official,
finance, the auditor and an enterprise on a registry with a run that is published, so that the generated
requests meet real runs, lines and objections. No request may get a 500, and every answer must match the
OpenAPI document.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from tests.redemption.setup_registry import RUN_DAY, A, make_registry

from huiqi.api import Settings, create_app, runs
from huiqi.auth.roles import Principal, Role

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

_dir = Path(tempfile.mkdtemp(prefix="huiqi-runs-fuzz-"))
_day = [RUN_DAY]
APP = create_app(Settings(database_url=f"sqlite:///{_dir / 'huiqi.sqlite'}", today=lambda: _day[0]))
ROLES = {
    "fuzz-maker": (Role.OFFICIAL, "区经信局"),
    "fuzz-checker": (Role.OFFICIAL, "区经信局"),
    "fuzz-finance": (Role.FINANCE, None),
    "fuzz-audit": (Role.AUDITOR, None),
    "fuzz-firm": (Role.ENTERPRISE, A),
}
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP).include(tag="redemption")
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture(scope="module", autouse=True)
def _world():
    """A registry, the accounts, and a published run of 002/六/专精特新 with an objection on line 1."""
    engine = APP.state.accounts.engine
    make_registry(engine, _dir / "registry", n=12)
    for name, (role, unit) in ROLES.items():
        APP.state.accounts.create("cli", name, "fuzz-password-1", role, unit)
    maker = Principal("fuzz-maker", Role.OFFICIAL, "区经信局")
    run = runs.start_run(engine, maker, runs.RunStartIn(target="002/六/专精特新", year=2023), RUN_DAY)
    runs.publish_notice(engine, maker, run.id, runs.NoticeIn(working_days=5), RUN_DAY)
    line = next(ln.line_no for ln in run.shown if ln.credit_code == A)
    runs.add_objection(
        engine,
        Principal("fuzz-firm", Role.ENTERPRISE, A),
        run.id,
        line,
        runs.ObjectionIn(reason="请核对"),
        RUN_DAY,
    )
    _day[0] = date(2024, 3, 8)  # after the window: decisions and payments are possible
    yield
    engine.dispose()
    shutil.rmtree(_dir, ignore_errors=True)


def _headers(username: str) -> dict[str, str]:
    done = APP.state.accounts.login(username, "fuzz-password-1")
    assert done is not None
    return {"Authorization": f"Bearer {done.token}"}


@pytest.mark.slow
@pytest.mark.parametrize("username", list(ROLES))
@schema.parametrize()
@FUZZ
def test_redemption_requests_get_documented_answers(case, username):
    # A case generated to lack the credential tests the 401: it is sent as generated.
    negated = case.operation.schema.is_security_param_negated(case)
    case.call_and_validate(headers=None if negated else _headers(username))
