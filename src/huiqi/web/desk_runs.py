"""The 兑现批次 pages of the 工作台: the runs (``/desk/runs``) and one run (``/desk/runs/{id}``) with its
lines, 公示, objections, decisions and payments, and the forms that take each step.

Every page renders the model of the JSON endpoint's data function (``huiqi.api.runs``), and every form calls
the data function of the matching POST endpoint, so the pages refuse exactly what the API refuses, with the
same message. A step that succeeds redirects back to the run (post/redirect/get); one that is refused shows
the run again with the message above it and the refusal's status. Forms carry the CSRF field
(``desk/runs_forms.html``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from huiqi.api import runs
from huiqi.api.errors import ApiError
from huiqi.api.routes_runs import LineNo, ObjectionId, RunId
from huiqi.api.security import CsrfChecked, MaybeUser, database
from huiqi.auth.roles import Principal, Role
from huiqi.money import parse_typed_amount
from huiqi.web.pages import _login_redirect, _page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PAGE = 200
# The message shown after a step succeeded (?done=…): the redirect carries only the key.
DONE = {
    "start": "已发起兑现批次。",
    "publish": "已发布公示。",
    "object": "已提交异议，等待牵头单位处理。",
    "decline": "已放弃该事项（记录保留，不予支付）。",
    "resolve": "异议已处理。",
    "decide": "审批已记录。",
}
Text = Annotated[str, Form(max_length=2000)]


def _today(request: Request) -> date:
    return request.app.state.settings.today()


def _invalid(exc: ValidationError) -> ApiError:
    """A form value the API's model refuses, in the words of the API's 422."""
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '表单'}: {e['msg']}" for e in exc.errors()]
    return ApiError(422, "invalid", "参数有误：" + "；".join(parts))


def _fen(raw: str, what: str) -> int | None:
    """An amount typed in 元 as exact fen; empty is None; more than two decimals is refused, not rounded."""
    if not raw.strip():
        return None
    try:
        return parse_typed_amount(raw, "元")
    except ValueError:
        raise ApiError(
            422, "invalid", f"{what}请填元，最多两位小数（例如 800000 或 12345.67），收到 {raw.strip()!r}"
        ) from None


# --- the list ---------------------------------------------------------------------------------------


def _list(
    request: Request,
    user: Principal,
    year: int | None = None,
    document: str = "",
    stage: str = "",
    problem: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    data = runs.list_runs(
        database(request),
        user,
        _today(request),
        year,
        document or None,
        stage or None,  # type: ignore[arg-type]
    )
    return _page(
        request,
        "desk/runs.html",
        user,
        status=status,
        data=data,
        year=year,
        document=document,
        stage=stage,
        stages=runs.STAGE_ZH,
        can_start=user.role is Role.OFFICIAL,
        targets=[t for t in runs.run_targets(user).targets if t.may_start]
        if user.role is Role.OFFICIAL
        else [],
        problem=problem,
        form=form or {"target": "", "year": str(_today(request).year - 1)},
    )


@router.get("/desk/runs")
def runs_page(
    request: Request,
    user: MaybeUser,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    document: Annotated[str, Query(max_length=20)] = "",
    stage: Annotated[str, Query(pattern="^(|prepared|in_notice|deciding|decided)$")] = "",
) -> Response:
    if user is None:
        return _login_redirect(request)
    return _list(request, user, year, document, stage)


@router.post("/desk/runs", dependencies=[CsrfChecked])
async def start_submit(
    request: Request,
    user: MaybeUser,
    target: Annotated[str, Form(max_length=100)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if user is None:
        return _login_redirect(request)
    try:
        try:
            data = runs.RunStartIn(target=target.strip(), year=int(year) if year.strip().isdigit() else -1)
        except ValidationError as exc:
            raise _invalid(exc) from None
        # evaluating the registry takes seconds: off the event loop
        made = await run_in_threadpool(runs.start_run, database(request), user, data, _today(request))
    except ApiError as exc:
        if exc.status == 401:
            return _login_redirect(request)
        return _list(
            request, user, problem=exc.message, status=exc.status, form={"target": target, "year": year}
        )
    return RedirectResponse(f"/desk/runs/{made.id}?done=start", status_code=303)


# --- one run ----------------------------------------------------------------------------------------


def _detail(
    request: Request,
    user: Principal,
    run_id: int,
    offset: int = 0,
    problem: str | None = None,
    status: int = 200,
    done: str = "",
    paid: runs.PayOut | None = None,
) -> HTMLResponse:
    run = runs.run_detail(database(request), user, run_id, _today(request), offset, PAGE)
    return _page(
        request,
        "desk/runs_detail.html",
        user,
        status=status,
        run=run,
        problem=problem,
        done=DONE.get(done),
        paid=paid,
        page=PAGE,
        state_zh=runs.LINE_STATE_ZH,
    )


@router.get("/desk/runs/{run_id}")
def run_page(
    request: Request,
    user: MaybeUser,
    run_id: RunId,
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    if user is None:
        return _login_redirect(request)
    return _detail(request, user, run_id, offset, done=done)


def _refused(request: Request, user: Principal, run_id: int, exc: ApiError) -> Response:
    if exc.status == 401:
        return _login_redirect(request)
    return _detail(request, user, run_id, problem=exc.message, status=exc.status)


def _back(run_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/desk/runs/{run_id}?done={done}", status_code=303)


@router.post("/desk/runs/{run_id}/notice", dependencies=[CsrfChecked])
def publish_submit(
    request: Request, user: MaybeUser, run_id: RunId, working_days: Annotated[str, Form(max_length=5)] = ""
) -> Response:
    if user is None:
        return _login_redirect(request)
    try:
        try:
            data = runs.NoticeIn(working_days=int(working_days) if working_days.isdigit() else 0)
        except ValidationError as exc:
            raise _invalid(exc) from None
        runs.publish_notice(database(request), user, run_id, data, _today(request))
    except ApiError as exc:
        return _refused(request, user, run_id, exc)
    return _back(run_id, "publish")


@router.post("/desk/runs/{run_id}/lines/{line_no}/objection", dependencies=[CsrfChecked])
def objection_submit(
    request: Request, user: MaybeUser, run_id: RunId, line_no: LineNo, reason: Text = ""
) -> Response:
    if user is None:
        return _login_redirect(request)
    try:
        try:
            data = runs.ObjectionIn(reason=reason)
        except ValidationError as exc:
            raise _invalid(exc) from None
        runs.add_objection(database(request), user, run_id, line_no, data, _today(request))
    except ApiError as exc:
        return _refused(request, user, run_id, exc)
    return _back(run_id, "object")


@router.post("/desk/runs/{run_id}/lines/{line_no}/decline", dependencies=[CsrfChecked])
def decline_submit(
    request: Request, user: MaybeUser, run_id: RunId, line_no: LineNo, reason: Text = ""
) -> Response:
    if user is None:
        return _login_redirect(request)
    try:
        try:
            data = runs.DeclineIn(reason=reason)
        except ValidationError as exc:
            raise _invalid(exc) from None
        runs.decline_line(database(request), user, run_id, line_no, data, _today(request))
    except ApiError as exc:
        return _refused(request, user, run_id, exc)
    return _back(run_id, "decline")


@router.post("/desk/runs/{run_id}/objections/{objection_id}/resolution", dependencies=[CsrfChecked])
def resolve_submit(
    request: Request,
    user: MaybeUser,
    run_id: RunId,
    objection_id: ObjectionId,
    reason: Text = "",
    new_amount: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    if user is None:
        return _login_redirect(request)
    try:
        try:
            data = runs.ResolutionIn(reason=reason, new_amount_fen=_fen(new_amount, "新金额"))
        except ValidationError as exc:
            raise _invalid(exc) from None
        runs.resolve_objection(database(request), user, objection_id, data, _today(request))
    except ApiError as exc:
        return _refused(request, user, run_id, exc)
    return _back(run_id, "resolve")


@router.post("/desk/runs/{run_id}/decisions", dependencies=[CsrfChecked])
def decide_submit(
    request: Request,
    user: MaybeUser,
    run_id: RunId,
    approve: Annotated[str, Form(pattern="^[01]$")] = "1",
    reason: Text = "",
    line: Annotated[str, Form(max_length=12)] = "",
    amount: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """All open lines (no ``line``), or one line (a discretionary one with its ``amount`` in 元)."""
    if user is None:
        return _login_redirect(request)
    try:
        try:
            data = runs.DecisionIn(
                approve=approve == "1",
                reason=reason,
                lines=[int(line)] if line.isdigit() else None,
                amount_fen=_fen(amount, "金额"),
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        runs.decide(database(request), user, run_id, data, _today(request))
    except ApiError as exc:
        return _refused(request, user, run_id, exc)
    return _back(run_id, "decide")


@router.post("/desk/runs/{run_id}/payments", dependencies=[CsrfChecked])
async def pay_submit(request: Request, user: MaybeUser, run_id: RunId) -> Response:
    """The pay report (placed, already placed, refused) is shown with the run: a redirect would lose it."""
    if user is None:
        return _login_redirect(request)
    try:
        paid = await run_in_threadpool(runs.pay, database(request), user, run_id, _today(request))
    except ApiError as exc:
        return _refused(request, user, run_id, exc)
    return _detail(request, user, run_id, paid=paid)
