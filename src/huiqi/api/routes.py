"""The JSON API, version 1 (``/api/v1/…``). Each endpoint is a thin call of one data function."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from huiqi.api import accounts, calculator, library
from huiqi.api.errors import error_responses, unauthorized
from huiqi.api.security import (
    SESSION_COOKIE,
    BearerCredentials,
    CurrentUser,
    Store,
    limited_login,
    request_token,
)

router = APIRouter(prefix="/api/v1")

DocId = Annotated[str, Path(max_length=20, description="文件编号, e.g. 002 or 003-12")]
ClauseId = Annotated[str, Path(max_length=200, description="条款编号, e.g. 002/三 or 003-12/第八条/（一）")]
Username = Annotated[str, Path(max_length=100)]
QUERY_PATTERN = r"[^\s,;、；。，]"


def _today(request: Request) -> date:
    return request.app.state.settings.today()


# --- 政策库 ------------------------------------------------------------------------------------------


@router.get("/documents", tags=["policy library"], response_model=library.DocumentList)
def list_documents(request: Request) -> library.DocumentList:
    """Every policy document with its dates and its validity today (China time)."""
    return library.document_list(_today(request))


@router.get(
    "/documents/{doc_id}",
    tags=["policy library"],
    response_model=library.DocumentDetail,
    responses=error_responses(404, 422),
)
def get_document(request: Request, doc_id: DocId) -> library.DocumentDetail:
    """One document: metadata, validity and its clause tree."""
    return library.document_detail(doc_id, _today(request))


@router.get(
    "/clauses/{clause_id:path}",
    tags=["policy library"],
    response_model=library.ClauseDetail,
    responses=error_responses(404, 422),
)
def get_clause(clause_id: ClauseId) -> library.ClauseDetail:
    """One clause: its own text, the figures read from it, its place in the tree and its children."""
    return library.clause_detail(clause_id)


@router.get(
    "/search",
    tags=["policy library"],
    response_model=library.SearchResults,
    responses=error_responses(400, 404, 422),
)
def search(
    q: Annotated[
        str,
        # At least one character that is not a separator: a query of spaces and commas has no terms.
        Query(min_length=1, max_length=200, pattern=QUERY_PATTERN, description="words, e.g. 专精特新 奖励"),
    ],
    limit: Annotated[int, Query(ge=1, le=library.SEARCH_LIMIT_MAX)] = 10,
    doc: Annotated[str | None, Query(max_length=20, description="only this document, e.g. 002")] = None,
) -> library.SearchResults:
    """Full-text search over the clauses; every term must occur somewhere in scope."""
    return library.search(q, limit, doc)


# --- 政策计算器 ----------------------------------------------------------------------------------------


@router.post(
    "/calculate",
    tags=["calculator"],
    response_model=calculator.CalculationOut,
    responses=error_responses(400, 404, 422),
)
def calculate(data: calculator.CalculateIn) -> calculator.CalculationOut:
    """What one enterprise (a profile) can get in a year: each item in force with its status, exact amount,
    the clause it cites and the trace; why not, what is missing, and near-misses (差一点). Nothing is stored;
    no login needed. A profile that does not fit the vocabulary gets a 422 listing every problem."""
    return calculator.calculate(data.profile, data.year, data.documents, data.near_misses)


@router.get("/facts", tags=["calculator"], response_model=calculator.Vocabulary)
def facts() -> calculator.Vocabulary:
    """The facts vocabulary (事实词表): every fact and event a profile may carry, and which rules read it."""
    return calculator.vocabulary()


@router.get("/schema/profile", tags=["calculator"], response_model=dict[str, Any])
def profile_schema() -> dict[str, Any]:
    """The JSON Schema of a profile (画像), as published in docs/schema/profile.schema.json."""
    return calculator.profile_schema()


# --- accounts --------------------------------------------------------------------------------------


@router.post(
    "/auth/login",
    tags=["accounts"],
    response_model=accounts.LoginOut,
    responses=error_responses(400, 401, 422, 429),
)
def login(request: Request, store: Store, data: accounts.LoginIn) -> accounts.LoginOut:
    """Log in with username and password; the token expires after the server's session lifetime. Repeated
    failures lock the username or the client for a while (429 with Retry-After)."""
    done = limited_login(request, store, data.username, data.password)
    if done is None:
        # One message for an unknown name, a wrong password and a disabled account: no account enumeration.
        raise unauthorized("用户名或密码不正确，或账号已停用")
    return accounts.LoginOut(
        token=done.token, expires_at=done.expires_at, account=accounts.account_out(done.account)
    )


@router.post("/auth/logout", tags=["accounts"], status_code=204, responses=error_responses(401))
def logout(request: Request, who: CurrentUser, store: Store, credentials: BearerCredentials) -> Response:
    """End the current session (the token stops working at once)."""
    token = request_token(request, credentials)
    if token:
        store.logout(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/auth/me", tags=["accounts"], response_model=accounts.AccountOut, responses=error_responses(401))
def me(who: CurrentUser, store: Store) -> accounts.AccountOut:
    """The logged-in account."""
    return accounts.me(store, who)


@router.get(
    "/accounts", tags=["accounts"], response_model=accounts.AccountList, responses=error_responses(401, 403)
)
def list_accounts(who: CurrentUser, store: Store) -> accounts.AccountList:
    """All accounts (admin and auditor)."""
    return accounts.list_accounts(store, who)


@router.post(
    "/accounts",
    tags=["accounts"],
    status_code=201,
    response_model=accounts.AccountOut,
    responses=error_responses(400, 401, 403, 422),
)
def create_account(who: CurrentUser, store: Store, data: accounts.AccountCreate) -> accounts.AccountOut:
    """Create an account (admin). Enterprise users need their 统一社会信用代码, officials their department."""
    return accounts.create_account(store, who, data)


@router.get(
    "/accounts/{username}",
    tags=["accounts"],
    response_model=accounts.AccountOut,
    responses=error_responses(401, 403, 404, 422),
)
def get_account(who: CurrentUser, store: Store, username: Username) -> accounts.AccountOut:
    """One account: one's own, or any for admin and auditor."""
    return accounts.get_account(store, who, username)


@router.patch(
    "/accounts/{username}",
    tags=["accounts"],
    response_model=accounts.AccountOut,
    responses=error_responses(400, 401, 403, 404, 422),
)
def update_account(
    who: CurrentUser, store: Store, username: Username, data: accounts.AccountUpdate
) -> accounts.AccountOut:
    """Change role/unit, name or active flag (admin). A change of role or a disabling ends the sessions."""
    return accounts.update_account(store, who, username, data)


@router.post(
    "/accounts/{username}/password",
    tags=["accounts"],
    status_code=204,
    responses=error_responses(400, 401, 403, 404, 422),
)
def change_password(
    who: CurrentUser, store: Store, username: Username, data: accounts.PasswordChange
) -> Response:
    """Set a new password: one's own (with the old one), or anyone's for the admin. Ends all sessions."""
    accounts.change_password(store, who, username, data)
    return Response(status_code=204)


# 工作台: registry, budgets, audit, indicators (``huiqi.api.desk_routes``), joined after the routes above.
from huiqi.api.desk_routes import router as _desk_router  # noqa: E402

router.include_router(_desk_router)
