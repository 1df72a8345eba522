"""The pages: 政策库 (library, document, clause, search), login, one's account, and account management.

Each page calls the same data function as its JSON endpoint (``huiqi.api.library`` / ``huiqi.api.accounts``)
and renders the returned model; the templates add nothing but presentation.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from huiqi.api import accounts, library
from huiqi.api.errors import ApiError
from huiqi.api.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfChecked,
    MaybeUser,
    Store,
    csrf_field,
    limited_login,
    optional_principal,
    request_token,
)
from huiqi.auth.roles import ROLE_NAMES_ZH, Principal, Role, may_manage_accounts, may_read_accounts

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")

# Pages are not part of the OpenAPI document: the JSON endpoints are the API.
router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def highlight(
    snippet: str, spans: list[tuple[int, int]], cut_before: bool = False, cut_after: bool = False
) -> Markup:
    """The snippet as HTML with each match in ``<mark>``; ``…`` where the clause was cut."""
    out = [Markup("…") if cut_before else Markup("")]
    at = 0
    for a, b in spans:
        out.append(escape(snippet[at:a]))
        out.append(Markup("<mark>") + escape(snippet[a:b]) + Markup("</mark>"))
        at = b
    out.append(escape(snippet[at:]))
    if cut_after:
        out.append(Markup("…"))
    return Markup("").join(out)


templates.env.filters["highlight"] = highlight
templates.env.filters["urlpath"] = lambda s: quote(s, safe="/")
templates.env.globals["ROLE_NAMES_ZH"] = ROLE_NAMES_ZH
templates.env.globals["may_read_accounts"] = may_read_accounts
templates.env.globals["csrf_field"] = csrf_field  # {{ csrf_field(request) }} in every <form method="post">


def _page(
    request: Request, name: str, user: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"user": user, **context}, status_code=status)


def render_error(request: Request, status: int, message: str) -> Response:
    """The HTML answer for an error on a page (the JSON one is in ``huiqi.api.errors``)."""
    titles = {401: "请先登录", 403: "无权访问", 404: "未找到", 422: "参数有误"}
    user = optional_principal(request) if status != 500 else None  # the header shows who is logged in
    return _page(
        request, "error.html", user, status=status, title=titles.get(status, "出错了"), message=message
    )


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _today(request: Request) -> date:
    return request.app.state.settings.today()


# --- 政策库 ------------------------------------------------------------------------------------------


@router.get("/")
def library_page(request: Request, user: MaybeUser) -> HTMLResponse:
    data = library.document_list(_today(request))
    return _page(request, "library.html", user, data=data)


@router.get("/policies/{doc_id}")
def document_page(request: Request, user: MaybeUser, doc_id: str) -> HTMLResponse:
    data = library.document_detail(doc_id, _today(request))
    return _page(request, "document.html", user, doc=data)


@router.get("/clauses/{clause_id:path}")
def clause_page(request: Request, user: MaybeUser, clause_id: str) -> HTMLResponse:
    data = library.clause_detail(clause_id)
    return _page(request, "clause.html", user, clause=data)


@router.get("/search")
def search_page(
    request: Request,
    user: MaybeUser,
    q: Annotated[str, Query(max_length=200)] = "",
    doc: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    documents = library.document_list(_today(request)).documents
    results, problem = None, None
    if q.strip():
        try:
            results = library.search(q, 20, doc or None)
        except ApiError as exc:  # a bad query is shown beside the search box, not as an error page
            problem = exc.message
    return _page(
        request, "search.html", user, q=q, doc=doc, documents=documents, results=results, problem=problem
    )


# --- login and accounts ----------------------------------------------------------------------------


def _safe_next(target: str) -> str:
    # Only a path on this site: "//evil.example" or "https://…" would make the login an open redirect.
    return (
        target
        if target.startswith("/") and not target.startswith("//") and "\\" not in target
        else "/account"
    )


@router.get("/login")
def login_page(request: Request, user: MaybeUser, next: str = "/account") -> HTMLResponse:
    return _page(request, "login.html", user, next=_safe_next(next), problem=None)


@router.post("/login", dependencies=[CsrfChecked])
def login_submit(
    request: Request,
    store: Store,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "/account",
) -> Response:
    try:
        done = limited_login(request, store, username, password) if username and password else None
    except ApiError as exc:  # locked after repeated failures: the form again, with the wait
        if exc.status != 429:
            raise
        page = _page(request, "login.html", None, status=429, next=_safe_next(next), problem=exc.message)
        page.headers.update(exc.headers or {})
        return page
    if done is None:
        return _page(
            request,
            "login.html",
            None,
            status=401,
            next=_safe_next(next),
            problem="用户名或密码不正确，或账号已停用",
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        done.token,
        max_age=int(store.session_ttl.total_seconds()),
        httponly=True,  # page scripts never need the token
        samesite="lax",  # a form on another site cannot post with this cookie
        secure=request.app.state.settings.secure_cookies,
    )
    response.delete_cookie(CSRF_COOKIE)  # a new form token for the new session (the next page sets it)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout_submit(request: Request, store: Store) -> Response:
    token = request_token(request, None)
    if token:
        store.logout(token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/account")
def account_page(request: Request, user: MaybeUser, store: Store) -> Response:
    if user is None:
        return _login_redirect(request)
    return _page(request, "account.html", user, account=accounts.me(store, user))


@router.get("/admin/accounts")
def accounts_page(request: Request, user: MaybeUser, store: Store) -> Response:
    if user is None:
        return _login_redirect(request)
    data = accounts.list_accounts(store, user)  # 403 page for any role but admin and auditor
    return _page(
        request,
        "accounts.html",
        user,
        data=data,
        can_manage=may_manage_accounts(user),
        roles=list(Role),
        problem=None,
    )


@router.post("/admin/accounts", dependencies=[CsrfChecked])
def accounts_create(
    request: Request,
    user: MaybeUser,
    store: Store,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    unit: Annotated[str, Form(max_length=100)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    if user is None:
        return _login_redirect(request)
    problem = None
    try:
        if not username or not password:
            raise ApiError(400, "bad_request", "请填写用户名和初始密码")
        if role not in {r.value for r in Role}:
            raise ApiError(400, "bad_request", "请选择角色")
        data = accounts.AccountCreate(
            username=username,
            password=password,
            role=Role(role),
            unit=unit or None,
            display_name=display_name,
        )
        accounts.create_account(store, user, data)
    except ApiError as exc:
        if exc.status == 403:
            raise
        problem = exc.message
    if problem is None:
        return RedirectResponse("/admin/accounts", status_code=303)
    data_list = accounts.list_accounts(store, user)
    return _page(
        request,
        "accounts.html",
        user,
        status=400,
        data=data_list,
        can_manage=True,
        roles=list(Role),
        problem=problem,
    )


# 政策计算器 lives in its own module (``huiqi.web.calculator``), which renders through ``_page`` above; its
# routes join this router here, after everything it imports from this module is defined.
from huiqi.web.calculator import router as _calculator_router  # noqa: E402

router.include_router(_calculator_router)

# 工作台 (``huiqi.web.desk``) joins the same way.
from huiqi.web.desk import router as _desk_router  # noqa: E402

router.include_router(_desk_router)

# 兑现批次 (``huiqi.web.desk_runs``) too.
from huiqi.web.desk_runs import router as _desk_runs_router  # noqa: E402

router.include_router(_desk_runs_router)
