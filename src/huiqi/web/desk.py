"""The 工作台 pages (officials' desk): home, registry (+ one entity, import), budgets (+ chart, setting a
line), audit log (+ chain check), and 004's targets (+ chart).

Each page calls the data function of its JSON endpoint (``huiqi.api.desk_*``) and renders the returned model;
refusals are the same ``ApiError`` (a 403 page), and a page that needs a login sends the visitor to it. The
runs pages (兑现批次) live in their own module and are only linked from the home.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from huiqi.api import desk_audit, desk_budgets, desk_home, desk_registry, desk_targets
from huiqi.api.desk_routes import read_uploads
from huiqi.api.errors import ApiError
from huiqi.api.security import CsrfChecked, MaybeUser, database
from huiqi.auth.roles import Principal, may_import_registry, may_set_budget
from huiqi.money import parse_typed_amount
from huiqi.web.pages import _login_redirect, _page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

YearQ = Annotated[int | None, Query(ge=desk_budgets.YEAR_MIN, le=desk_budgets.YEAR_MAX)]
OffsetQ = Annotated[int, Query(ge=0, le=10_000_000)]
PAGE = 50
UNITS = ("元", "万元", "亿元")


@router.get("/desk")
def home_page(request: Request, user: MaybeUser) -> Response:
    if user is None:
        return _login_redirect(request)
    return _page(request, "desk/home.html", user, home=desk_home.desk_home(user))


# --- 登记册 ------------------------------------------------------------------------------------------


def _registry(
    request: Request,
    user: Principal,
    *,
    q: str = "",
    kind: str = "",
    offset: int = 0,
    imported: desk_registry.ImportOut | None = None,
    problem: ApiError | None = None,
    status: int = 200,
) -> HTMLResponse:
    data = desk_registry.list_entities(database(request), user, q or None, kind or None, offset, PAGE)
    return _page(
        request,
        "desk/registry.html",
        user,
        status=status,
        data=data,
        kinds=desk_registry.KIND_ZH,
        can_import=may_import_registry(user),
        imported=imported,
        problem=problem,
        page=PAGE,
    )


@router.get("/desk/registry")
def registry_page(
    request: Request,
    user: MaybeUser,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    offset: OffsetQ = 0,
) -> Response:
    if user is None:
        return _login_redirect(request)
    return _registry(request, user, q=q, kind=kind, offset=offset)


@router.post("/desk/registry/import", dependencies=[CsrfChecked])
async def registry_import(
    request: Request, user: MaybeUser, files: Annotated[list[UploadFile] | None, File()] = None
) -> Response:
    if user is None:
        return _login_redirect(request)
    try:
        # A form sent with no file chosen carries one empty part without a name.
        uploads = await read_uploads([f for f in files or [] if f.filename])
        imported = await run_in_threadpool(desk_registry.import_uploads, database(request), user, uploads)
    except ApiError as exc:
        if exc.status == 403:
            raise
        return _registry(request, user, problem=exc, status=exc.status)
    return _registry(request, user, imported=imported)


@router.get("/desk/registry/{key}")
def entity_page(
    request: Request,
    user: MaybeUser,
    key: str,
    kind: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    if user is None:
        return _login_redirect(request)
    data = desk_registry.entity_detail(database(request), user, key, kind or None)
    return _page(request, "desk/entity.html", user, entity=data)


# --- 预算 --------------------------------------------------------------------------------------------


def _budgets(
    request: Request,
    user: Principal,
    year: int | None,
    problem: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    data = desk_budgets.budget_report(database(request), user, year)
    return _page(
        request,
        "desk/budgets.html",
        user,
        status=status,
        data=data,
        can_set=may_set_budget(user),
        units=UNITS,
        problem=problem,
        form=form or {},
    )


@router.get("/desk/budgets")
def budgets_page(request: Request, user: MaybeUser, year: YearQ = None) -> Response:
    if user is None:
        return _login_redirect(request)
    return _budgets(request, user, year)


@router.post("/desk/budgets", dependencies=[CsrfChecked])
def budgets_set(
    request: Request,
    user: MaybeUser,
    line: Annotated[str, Form(max_length=100)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
    amount: Annotated[str, Form(max_length=30)] = "",
    unit: Annotated[str, Form(max_length=4)] = "元",
    citation: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if user is None:
        return _login_redirect(request)
    form = {"line": line, "year": year, "amount": amount, "unit": unit, "citation": citation}
    try:
        data = desk_budgets.BudgetSet(
            line=line, year=_year(year), amount_fen=_amount(amount, unit), citation=citation
        )
    except ApiError as exc:
        return _budgets(request, user, None, exc.message, form, status=400)
    except ValueError:  # pydantic's own checks: blank line or citation
        return _budgets(request, user, None, "请填写政策条线和依据（条款原文或决定）", form, status=400)
    try:
        desk_budgets.set_line(database(request), user, data)
    except ApiError as exc:
        if exc.status == 403:
            raise
        return _budgets(request, user, None, exc.message, form, status=exc.status)
    return RedirectResponse(f"/desk/budgets?year={data.year}", status_code=303)


def _year(text: str) -> int:
    text = text.strip()
    if not text.isdigit() or not desk_budgets.YEAR_MIN <= int(text) <= desk_budgets.YEAR_MAX:
        raise ApiError(400, "bad_request", f"年度须为 {desk_budgets.YEAR_MIN}–{desk_budgets.YEAR_MAX} 的整数")
    return int(text)


def _amount(text: str, unit: str) -> int:
    """An amount typed in 元/万元/亿元, exactly in fen (``1.005`` 元 is refused, never rounded)."""
    if unit not in UNITS:
        raise ApiError(400, "bad_request", f"金额单位须为 {'、'.join(UNITS)}")
    try:
        fen = parse_typed_amount(text, unit)
    except ValueError:
        raise ApiError(400, "bad_request", f"金额 {text!r} {unit} 无效：请写数字，最多精确到分") from None
    if not 0 <= fen <= desk_budgets.AMOUNT_MAX_FEN:
        raise ApiError(400, "bad_request", "金额须为不小于 0 的数，且不超过 10 万亿元")
    return fen


# --- 审计 --------------------------------------------------------------------------------------------


@router.get("/desk/audit")
def audit_page(
    request: Request,
    user: MaybeUser,
    actor: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[str, Query(max_length=100)] = "",
    subject: Annotated[str, Query(max_length=200)] = "",
    offset: OffsetQ = 0,
) -> Response:
    if user is None:
        return _login_redirect(request)
    db = database(request)
    data = desk_audit.list_entries(
        db,
        user,
        actor=actor or None,
        action=action or None,
        subject=subject or None,
        offset=offset,
        limit=PAGE,
    )
    verdict = desk_audit.verify_chain(db, user)
    filters = {"actor": actor, "action": action, "subject": subject}
    return _page(request, "desk/audit.html", user, data=data, verdict=verdict, filters=filters, page=PAGE)


# --- 指标 --------------------------------------------------------------------------------------------


@router.get("/desk/targets")
def targets_page(request: Request, user: MaybeUser, year: YearQ = None, base_year: YearQ = None) -> Response:
    if user is None:
        return _login_redirect(request)
    today = request.app.state.settings.today()
    data = desk_targets.targets_report(database(request), user, today.year, year, base_year)
    return _page(request, "desk/targets.html", user, data=data)
