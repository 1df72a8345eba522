"""The JSON API of redemption runs (``/api/v1/runs``, ``/objections``, ``/payments``): thin calls of the
data functions in ``huiqi.api.runs``, which the 工作台 pages render too."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from huiqi.api import runs
from huiqi.api.errors import error_responses
from huiqi.api.security import CurrentUser, Database

router = APIRouter(prefix="/api/v1", tags=["redemption"])

# Ids are database integers: bounded so that no request can overflow a column.
RunId = Annotated[int, Path(ge=1, le=2**31 - 1, description="兑现批次编号")]
LineNo = Annotated[int, Path(ge=1, le=2**31 - 1, description="名单序号")]
ObjectionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CreditCode = Annotated[
    str | None, Query(min_length=18, max_length=18, description="统一社会信用代码 of the beneficiary")
]
FILE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _today(request: Request) -> date:
    return request.app.state.settings.today()


@router.get("/runs", response_model=runs.RunList, responses=error_responses(401, 403, 422))
def list_runs(
    request: Request,
    who: CurrentUser,
    db: Database,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    document: Annotated[str | None, Query(max_length=20, description="e.g. 002")] = None,
    stage: runs.Stage | None = None,
) -> runs.RunList:
    """The runs the caller may read, newest first (an enterprise: published runs listing it)."""
    return runs.list_runs(db, who, _today(request), year, document, stage)


@router.post(
    "/runs",
    status_code=201,
    response_model=runs.RunDetail,
    responses=error_responses(400, 401, 403, 404, 422),
)
def start_run(request: Request, who: CurrentUser, db: Database, data: runs.RunStartIn) -> runs.RunDetail:
    """Start a run: evaluate every registered enterprise for a document or an item and a year. Only an
    official of the department leading every item of the target (牵头单位); the caller is its preparer."""
    return runs.start_run(db, who, data, _today(request))


@router.get("/run-targets", response_model=runs.TargetList, responses=error_responses(401, 403))
def run_targets(who: CurrentUser) -> runs.TargetList:
    """What a run can be started for: every document with rules and each of its items, with the lead
    departments the policy text names (牵头单位) and whether the caller's department may start it."""
    return runs.run_targets(who)


@router.get("/runs/{run_id}", response_model=runs.RunDetail, responses=error_responses(401, 403, 404, 422))
def get_run(
    request: Request,
    who: CurrentUser,
    db: Database,
    run_id: RunId,
    offset: Annotated[int, Query(ge=0, le=10**6)] = 0,
    limit: Annotated[int, Query(ge=1, le=runs.LINES_LIMIT_MAX)] = 200,
) -> runs.RunDetail:
    """One run with its lines (amounts, clause, trace, objections, decision, payment order), its totals
    and the actions the caller may take now. An enterprise sees only its own lines."""
    return runs.run_detail(db, who, run_id, _today(request), offset, limit)


@router.post(
    "/runs/{run_id}/notice",
    response_model=runs.RunDetail,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def publish_notice(
    request: Request, who: CurrentUser, db: Database, run_id: RunId, data: runs.NoticeIn
) -> runs.RunDetail:
    """Publish the run's 公示 list today for a number of working days (holidays and make-up days
    counted). A run is published once."""
    return runs.publish_notice(db, who, run_id, data, _today(request))


@router.get(
    "/runs/{run_id}/notice",
    response_model=runs.NoticeList,
    responses=error_responses(401, 403, 404, 409, 422),
)
def get_notice(request: Request, who: CurrentUser, db: Database, run_id: RunId) -> runs.NoticeList:
    """The published 公示 list: every line but those excluded by a ban, with its current state."""
    return runs.notice_list(db, who, run_id, _today(request))


@router.get(
    "/runs/{run_id}/notice.{kind}",
    response_class=Response,
    responses={
        200: {"description": "the file", "content": {t: {} for t in FILE_TYPES.values()}},
        **error_responses(401, 403, 404, 409, 422),
    },
)
def notice_file(who: CurrentUser, db: Database, run_id: RunId, kind: Literal["csv", "xlsx"]) -> Response:
    """The 公示 list as CSV (UTF-8 with BOM, opens right in Excel) or xlsx (credit codes as text)."""
    body = runs.notice_file(db, who, run_id, kind)
    return Response(
        body,
        media_type=FILE_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="notice-{run_id}.{kind}"'},
    )


@router.post(
    "/runs/{run_id}/lines/{line_no}/objections",
    status_code=201,
    response_model=runs.ObjectionOut,
    responses=error_responses(400, 401, 403, 409, 422),
)
def add_objection(
    request: Request, who: CurrentUser, db: Database, run_id: RunId, line_no: LineNo, data: runs.ObjectionIn
) -> runs.ObjectionOut:
    """异议: an enterprise objects to its own line, during the notice window."""
    return runs.add_objection(db, who, run_id, line_no, data, _today(request))


@router.post(
    "/runs/{run_id}/lines/{line_no}/decline",
    response_model=runs.RunDetail,
    responses=error_responses(400, 401, 403, 409, 422),
)
def decline_line(
    request: Request, who: CurrentUser, db: Database, run_id: RunId, line_no: LineNo, data: runs.DeclineIn
) -> runs.RunDetail:
    """主动放弃: an enterprise gives up its own line during the notice window; it stays on the record."""
    return runs.decline_line(db, who, run_id, line_no, data, _today(request))


@router.post(
    "/objections/{objection_id}/resolution",
    response_model=runs.ObjectionOut,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def resolve_objection(
    request: Request, who: CurrentUser, db: Database, objection_id: ObjectionId, data: runs.ResolutionIn
) -> runs.ObjectionOut:
    """Resolve an objection: keep the line, or change its amount (within a discretionary line's ceiling)."""
    return runs.resolve_objection(db, who, objection_id, data, _today(request))


@router.post(
    "/runs/{run_id}/decisions",
    response_model=runs.RunDetail,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def decide(
    request: Request, who: CurrentUser, db: Database, run_id: RunId, data: runs.DecisionIn
) -> runs.RunDetail:
    """Approve or reject lines after the notice window, with no objection pending. Never by the run's
    preparer (maker-checker: 403 ``maker_checker``)."""
    return runs.decide(db, who, run_id, data, _today(request))


@router.post(
    "/runs/{run_id}/payments",
    response_model=runs.PayOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def pay(request: Request, who: CurrentUser, db: Database, run_id: RunId) -> runs.PayOut:
    """Finance: place and post the payment order of every approved line. Repeating it pays nothing twice;
    what the ledger refuses (budget used up, already paid, a ban) is listed in ``refused``."""
    return runs.pay(db, who, run_id, _today(request))


@router.get("/payments", response_model=runs.OrderList, responses=error_responses(401, 403, 422))
def list_payments(
    who: CurrentUser,
    db: Database,
    run: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="orders of this run")] = None,
    enterprise: CreditCode = None,
    status: runs.OrderStatus | None = None,
) -> runs.OrderList:
    """Payment orders: finance and audit all; an official those of items their department leads; an
    enterprise only its own."""
    return runs.list_orders(db, who, run, enterprise, status)
