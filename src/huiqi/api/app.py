"""The ASGI application: ``create_app(settings)`` wires the JSON API, the pages and the static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from huiqi import __version__
from huiqi.api import errors, routes, routes_runs
from huiqi.api.security import LoginLimiter, csrf_cookie_middleware
from huiqi.api.settings import Settings
from huiqi.auth.accounts import AccountStore
from huiqi.store import open_engine
from huiqi.web import pages

DESCRIPTION = """惠企 huiqi: the policy texts of Hangzhou and Binjiang as citable clauses.

JSON under `/api/v1`; the same data as Chinese web pages under `/`. Log in with `POST /api/v1/auth/login` and
send the token as `Authorization: Bearer <token>`. Every error is a JSON object with `detail` (a message a
person can act on) and `code`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new application. Opens the database (migrating it to the current schema) at once, so a bad
    ``HUIQI_DATABASE_URL`` fails at start-up rather than at the first login."""
    settings = settings or Settings()
    app = FastAPI(
        title="huiqi 惠企",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.accounts = AccountStore(open_engine(settings.database_url), settings.session_ttl)
    app.state.login_limiter = LoginLimiter()
    app.middleware("http")(csrf_cookie_middleware)
    errors.install(app, pages.render_error)
    app.include_router(routes.router)
    app.include_router(routes_runs.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    return app
