"""The 工作台 endpoints (``/api/v1/desk``, ``/registry``, ``/budgets``, ``/audit``, ``/indicators``): each a
thin call of one data function in ``huiqi.api.desk_*``; joined to ``huiqi.api.routes.router``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from huiqi.api import desk_audit, desk_budgets, desk_home, desk_registry, desk_targets
from huiqi.api.errors import ApiError, error_responses
from huiqi.api.security import CurrentUser, Database

router = APIRouter()

EntityKey = Annotated[str, Path(min_length=1, max_length=64, description="统一社会信用代码 or registry id")]
Kind = Annotated[
    str | None, Query(pattern="^(enterprise|talent|carrier|institution)$", description="entity kind")
]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Year = Annotated[int | None, Query(ge=desk_budgets.YEAR_MIN, le=desk_budgets.YEAR_MAX)]


@router.get("/desk", tags=["desk"], response_model=desk_home.DeskHome, responses=error_responses(401))
def desk(who: CurrentUser) -> desk_home.DeskHome:
    """工作台: what the logged-in role can do, as links to the pages and their JSON endpoints."""
    return desk_home.desk_home(who)


# --- 登记册 registry -------------------------------------------------------------------------------


@router.get(
    "/registry/entities",
    tags=["registry"],
    response_model=desk_registry.EntityPage,
    responses=error_responses(400, 401, 403, 422),
)
def list_entities(
    who: CurrentUser,
    db: Database,
    q: Annotated[str | None, Query(max_length=100, description="name contains, or key starts with")] = None,
    kind: Kind = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=desk_registry.PAGE_MAX)] = 50,
) -> desk_registry.EntityPage:
    """Registered entities, one page (officials, finance, audit)."""
    return desk_registry.list_entities(db, who, q, kind, offset, limit)


@router.get(
    "/registry/entities/{key}",
    tags=["registry"],
    response_model=desk_registry.EntityDetail,
    responses=error_responses(400, 401, 403, 404, 422),
)
def get_entity(
    who: CurrentUser, db: Database, key: EntityKey, kind: Kind = None
) -> desk_registry.EntityDetail:
    """One entity with its static facts, yearly facts, events and titles. An enterprise user: only its own."""
    return desk_registry.entity_detail(db, who, key, kind)


async def read_uploads(files: list[UploadFile]) -> list[desk_registry.Upload]:
    """The uploaded files' names and bytes; 413 as soon as one is larger than the import accepts."""
    uploads = []
    for f in files:
        content = await f.read(desk_registry.MAX_FILE_BYTES + 1)
        if len(content) > desk_registry.MAX_FILE_BYTES:
            limit = desk_registry.MAX_FILE_BYTES // 1024 // 1024
            raise ApiError(413, "too_large", f"{f.filename}：文件超过 {limit} MB")
        uploads.append(desk_registry.Upload(name=f.filename or "", content=content))
    return uploads


@router.post(
    "/registry/imports",
    tags=["registry"],
    status_code=201,
    response_model=desk_registry.ImportOut,
    responses=error_responses(400, 401, 403, 413, 422),
)
async def import_registry(
    who: CurrentUser,
    db: Database,
    files: Annotated[list[UploadFile], File(description="entities, yearly-facts and events files")],
) -> desk_registry.ImportOut:
    """Import registry files (officials): .csv (UTF-8 or GBK), .xlsx or .parquet, all in one transaction, all
    or nothing. A bad row refuses the whole import with a 422 listing every problem (file, row, field)."""
    uploads = await read_uploads(files)
    return await run_in_threadpool(desk_registry.import_uploads, db, who, uploads)


# --- 预算 budgets ----------------------------------------------------------------------------------


@router.get(
    "/budgets",
    tags=["budgets"],
    response_model=desk_budgets.BudgetReport,
    responses=error_responses(401, 403, 422),
)
def budgets(who: CurrentUser, db: Database, year: Year = None) -> desk_budgets.BudgetReport:
    """Budget use per policy line and year: budget, reserved, spent, remaining (officials, finance, audit)."""
    return desk_budgets.budget_report(db, who, year)


@router.post(
    "/budgets",
    tags=["budgets"],
    response_model=desk_budgets.BudgetLineOut,
    responses=error_responses(400, 401, 403, 422),
)
def set_budget(who: CurrentUser, db: Database, data: desk_budgets.BudgetSet) -> desk_budgets.BudgetLineOut:
    """Set or change a line's budget for a year (finance), with the clause or decision that sets it; never
    below what is already reserved or spent. Written to the audit log."""
    return desk_budgets.set_line(db, who, data)


# --- 审计 audit ------------------------------------------------------------------------------------


@router.get(
    "/audit", tags=["audit"], response_model=desk_audit.AuditPage, responses=error_responses(401, 403, 422)
)
def audit_entries(
    who: CurrentUser,
    db: Database,
    actor: Annotated[str | None, Query(max_length=100, description="exactly this actor")] = None,
    action: Annotated[
        str | None,
        Query(max_length=100, description="exactly this action, or a prefix ending in . (budget.)"),
    ] = None,
    subject: Annotated[str | None, Query(max_length=200, description="subject contains")] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=desk_audit.PAGE_MAX)] = 50,
) -> desk_audit.AuditPage:
    """Audit log entries, newest first (auditor, admin). Nobody writes here: a change appends its own."""
    return desk_audit.list_entries(
        db, who, actor=actor, action=action, subject=subject, offset=offset, limit=limit
    )


@router.get(
    "/audit/verify",
    tags=["audit"],
    response_model=desk_audit.AuditVerdict,
    responses=error_responses(401, 403),
)
def audit_verify(who: CurrentUser, db: Database) -> desk_audit.AuditVerdict:
    """Walk the hash chain: ok, or the first entry that was edited, deleted or moved (auditor, admin)."""
    return desk_audit.verify_chain(db, who)


# --- 指标 indicators ------------------------------------------------------------------------------


@router.get(
    "/indicators/targets",
    tags=["indicators"],
    response_model=desk_targets.TargetsReport,
    responses=error_responses(400, 401, 403, 422),
)
def indicator_targets(
    request: Request,
    who: CurrentUser,
    db: Database,
    year: Year = None,
    base_year: Year = None,
) -> desk_targets.TargetsReport:
    """004's targets (2027) against the registry's figures at the end of ``year`` (default: the latest year
    with data). ``base_year``: where increments (新培育…) count from; 004 states none."""
    today = request.app.state.settings.today()
    return desk_targets.targets_report(db, who, today.year, year, base_year)
