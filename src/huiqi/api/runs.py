"""Redemption runs over HTTP (免申即享兑现): runs, the 公示 notice list, objections, decisions, payments.

One data function per endpoint, each rendered by the 工作台 pages too (``huiqi.web.desk_runs``), so a page
and its endpoint cannot disagree. The work itself is done by ``huiqi.redemption`` (``run.start_run``,
``notice.publish``, ``objection.add/resolve``, ``decision.decide``, ``orders.pay``), which appends every
change to the audit log in the change's own transaction; this module only decides who may ask, turns the
module's refusals into 4xx answers, and shapes the answers.

Who may do what (``huiqi.auth.roles``): a run belongs to the departments that lead its items (牵头单位, read
from the policy text by ``huiqi.redemption.lead``). Their officials read it; an official whose department
leads every item starts it, publishes its notice, resolves its objections and decides its lines (never the
official who prepared it: maker-checker, refused by the redemption module and the database); finance pays;
the auditor reads everything; an enterprise reads its own lines of a published run, objects to them, and
reads its own payments; the admin reads no business data. The acting day is the server's today (China
time), never a day the client names: a decision cannot be back-dated.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from huiqi.api import profile_contract as contract
from huiqi.api.calculator import Money, money, rule_book
from huiqi.api.errors import ApiError, forbidden, not_found
from huiqi.auth.roles import (
    Principal,
    Role,
    may_approve_payment,
    may_edit_enterprise,
    may_read_enterprise,
    may_read_run,
    may_work_on_run,
)
from huiqi.redemption import decision, exports, notice, objection, orders
from huiqi.redemption import run as runs
from huiqi.redemption.calendar import CalendarNotCovered
from huiqi.redemption.lead import clause_leads
from huiqi.store.db import transaction
from huiqi.store.models import Entity, PaymentOrder
from huiqi.store.models_runs import Decision, Notice, Objection, RedemptionRun, RunLine

LINE_STATE_ZH = {
    "open": "待审批",
    "excluded": "已排除（禁止申报期内）",
    "declined": "主动放弃",
    "approved": "已批准",
    "rejected": "不予兑现",
}
STATUS_ZH = {"eligible": "确定金额", "discretionary": "酌定"}
OBJECTION_STATE_ZH = {"pending": "待处理", "kept": "维持原结果", "changed": "已调整金额"}
ORDER_STATUS_ZH = {"reserved": "已下达（预算已冻结）", "posted": "已支付", "cancelled": "已撤销"}
Stage = Literal["prepared", "in_notice", "deciding", "decided"]
STAGE_ZH = {"prepared": "待公示", "in_notice": "公示中", "deciding": "待审批", "decided": "审批完毕"}
OrderStatus = Literal["reserved", "posted", "cancelled"]  # huiqi.store.models.ORDER_STATUSES
Action = Literal["publish", "object", "decline", "resolve", "decide", "pay"]

LINES_LIMIT_MAX = 1000
_READ_REFUSED = "当前账号无权查看该兑现批次"  # the same words whether the run exists or not


# --- models ----------------------------------------------------------------------------------------

# Bodies are read strictly, as the calculator's: "2023" is not a year and 1 is not true; 2023.0 is 2023.
Whole = Annotated[int, BeforeValidator(contract.whole_number)]
# Bounds inside the type, so that the published schema carries them on the integer, optional or not.
Fen = Annotated[int, Field(ge=0, le=10**13), BeforeValidator(contract.whole_number)]
LineNumber = Annotated[int, Field(ge=1, le=2**31 - 1), BeforeValidator(contract.whole_number)]


# "Not only spaces": every character that JSON Schema's (ECMAScript's) \s matches, spelled out, so that the
# published schema and pydantic's regex engine (whose \s also matches U+0085) accept exactly the same texts.
TEXT_PATTERN = r"[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"


class _StrictIn(BaseModel):
    model_config = ConfigDict(strict=True)


class RunStartIn(_StrictIn):
    target: str = Field(
        min_length=1,
        max_length=100,
        pattern=f"^{TEXT_PATTERN}+$",
        description="a document (002) or one item (002/六/专精特新)",
    )
    year: Whole = Field(ge=1949, le=2100, description="the year the awards are for, e.g. 2023")


class NoticeIn(_StrictIn):
    working_days: Whole = Field(ge=1, le=60, description="公示期 in working days, e.g. 5")


class ObjectionIn(_StrictIn):
    reason: str = Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN, description="异议的理由")


class DeclineIn(_StrictIn):
    reason: str = Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN, description="主动放弃的理由")


class ResolutionIn(_StrictIn):
    reason: str = Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN, description="处理意见")
    new_amount_fen: Fen | None = Field(
        None, description="the line's new amount in fen; absent: keep the line as it is"
    )


class DecisionIn(_StrictIn):
    approve: bool = Field(description="true: 批准; false: 不予兑现")
    reason: str = Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN)
    lines: list[LineNumber] | None = Field(
        None,
        min_length=1,
        max_length=LINES_LIMIT_MAX,
        description="line numbers; absent: every open line (a discretionary line needs its own amount)",
    )
    amount_fen: Fen | None = Field(
        None, description="a discretionary (酌定) line's amount, within its ceiling"
    )


class NoticeOut(BaseModel):
    published_on: date
    working_days: int
    first_day: date
    last_day: date
    published_by: str
    open: bool = Field(description="objections are still accepted today")


class ObjectionOut(BaseModel):
    id: int
    run_id: int
    line_no: int
    raised_by: str
    raised_on: date
    reason: str
    state: str
    state_zh: str
    resolved_by: str | None
    resolved_on: date | None
    resolution: str | None
    old_amount: Money | None
    new_amount: Money | None


class DecisionOut(BaseModel):
    line_no: int
    decision: str
    decided_by: str
    decided_on: date
    reason: str
    amount: Money | None


class OrderOut(BaseModel):
    id: int
    key: str = Field(description="the idempotency key; run:RUN:line:N for an order from a run")
    run_id: int | None
    line_no: int | None
    enterprise: str
    credit_code: str | None
    item: str
    period: str
    amount: Money
    city_share: Money
    district_share: Money
    share_citation: str | None
    citation: str
    status: str
    status_zh: str
    ordered_on: date
    created_by: str
    posted_at: datetime | None


class LineOut(BaseModel):
    line_no: int
    enterprise: str
    credit_code: str | None
    item: str
    title: str
    clause: str
    quote: str
    status: str
    status_zh: str
    computed: Money | None = Field(description="as the engine computed it (none for a discretionary line)")
    cap: Money | None = Field(description="a discretionary line's ceiling, when the text states one")
    amount: Money | None = Field(description="the current amount, after objections and decisions")
    state: str
    state_zh: str
    state_reason: str | None
    trace: list[dict] = Field(description="the engine's explanation, each step with its clause")
    objections: list[ObjectionOut]
    decision: DecisionOut | None
    order: OrderOut | None


class RunTotals(BaseModel):
    listed: Money = Field(description="lines still due: open or approved")
    approved: Money
    paid: Money


class RunOut(BaseModel):
    id: int
    target: str
    title: str
    year: int
    run_on: date
    prepared_by: str
    created_at: datetime
    leads: list[str] = Field(
        description="牵头单位 of the run's items, from the policy text; empty: none named"
    )
    stage: Stage
    stage_zh: str
    notice: NoticeOut | None
    lines: int = Field(description="lines visible to the caller")
    counts: dict[str, int] = Field(description="lines by state")
    totals: RunTotals


class RunList(BaseModel):
    runs: list[RunOut]


class RunDetail(RunOut):
    own_lines_only: bool = Field(description="an enterprise sees only its own lines")
    actions: list[Action] = Field(description="what the caller may do on this run now")
    offset: int
    shown: list[LineOut]


class NoticeRowOut(BaseModel):
    line_no: int
    enterprise: str
    credit_code: str
    item: str
    clause: str
    amount: Money | None
    cap: Money | None
    status_zh: str
    state_zh: str


class NoticeList(BaseModel):
    run_id: int
    title: str
    notice: NoticeOut
    rows: list[NoticeRowOut]


class PayOut(BaseModel):
    placed: int
    already_placed: int
    posted: int
    already_posted: int
    refused: list[str]
    orders: list[OrderOut]


class TargetOut(BaseModel):
    target: str = Field(description="a document (002) or one item (002/六/专精特新)")
    title: str
    leads: list[str] = Field(description="牵头单位 from the policy text; empty: the text names none")
    may_start: bool = Field(description="the caller's department leads every item of it")


class TargetList(BaseModel):
    targets: list[TargetOut]


class OrderList(BaseModel):
    orders: list[OrderOut]
    total: Money


# --- who leads what --------------------------------------------------------------------------------


def target_leads(target: str) -> list[frozenset[str]] | None:
    """The lead departments of each item a run of ``target`` covers; None when the rule book has no such
    document or item (the run itself then reports what exists)."""
    ruleset = rule_book().rulesets.get(runs.document_of(target))
    if ruleset is None:
        return None
    items = [it for it in ruleset.items if "/" not in target or it.id == target]
    return [clause_leads(it.source.clause) for it in items] or None


def _run_leads(session: Session, run: RedemptionRun) -> list[frozenset[str]]:
    found = target_leads(run.target)
    if found is not None:
        return found
    # the rules changed since the run: the clauses its lines cite still name their leads
    clauses = session.execute(
        select(RunLine.result["clause"].as_string()).where(RunLine.run_id == run.id).distinct()
    ).scalars()
    return [clause_leads(c) for c in clauses if c]


def run_targets(who: Principal) -> TargetList:
    """Every document with rules and each of its items, with their lead departments and whether the
    caller may start a run of it (officials, finance and audit ask; an enterprise and the admin do not)."""
    if who.role in (Role.ENTERPRISE, Role.ADMIN):
        raise forbidden("只有部门经办人、财政和审计账号可以查看兑现事项及其牵头单位")
    out = []
    for doc, ruleset in rule_book().rulesets.items():
        item_leads = [clause_leads(it.source.clause) for it in ruleset.items]
        if not item_leads:
            continue
        whole = sorted({d for leads in item_leads for d in leads})
        out.append(
            TargetOut(
                target=doc, title=ruleset.title, leads=whole, may_start=may_work_on_run(who, item_leads)
            )
        )
        for it, leads in zip(ruleset.items, item_leads, strict=True):
            out.append(
                TargetOut(
                    target=it.id, title=it.title, leads=sorted(leads), may_start=may_work_on_run(who, [leads])
                )
            )
    return TargetList(targets=out)


def _leads_text(leads: Iterable[frozenset[str]]) -> str:
    names = sorted({d for item in leads for d in item})
    return "、".join(names) if names else "（原文未写明牵头单位）"


def _title(target: str) -> str:
    ruleset = rule_book().rulesets.get(runs.document_of(target))
    if ruleset is None:
        return target
    if "/" in target:
        return next((it.title for it in ruleset.items if it.id == target), target)
    return ruleset.title


# --- errors ----------------------------------------------------------------------------------------


def _conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


def _refusal(exc: Exception) -> ApiError:
    """The redemption module's refusal as an answer: maker-checker is a 403, the rest a 409."""
    if isinstance(exc, decision.MakerCheckerError):
        return ApiError(403, "maker_checker", f"经办人不能审批自己经办的批次（审核分离）：{exc}")
    if isinstance(exc, CalendarNotCovered):
        return _conflict(f"工作日历没有该年份的数据：{exc}")
    # the redemption module words its refusals in English (they are the CLI's too); a Chinese lead says which
    # rule refused, the module's sentence says exactly what and what to do
    if isinstance(exc, notice.NoticeError):
        return _conflict(f"公示规则不允许此操作：{exc}")
    return _conflict(f"兑现规则不允许此操作：{exc}")


# --- reading ---------------------------------------------------------------------------------------


def _run_or_404(session: Session, run_id: int) -> RedemptionRun:
    run = session.get(RedemptionRun, run_id)
    if run is None:
        raise not_found(f"没有第 {run_id} 批兑现（run {run_id}）")
    return run


def _notice_out(n: Notice | None, today: date) -> NoticeOut | None:
    if n is None:
        return None
    return NoticeOut(
        published_on=n.published_on,
        working_days=n.working_days,
        first_day=n.first_day,
        last_day=n.last_day,
        published_by=n.published_by,
        open=today <= n.last_day,
    )


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for DateTime(timezone=True); they were written as UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _maybe_money(fen: int | None) -> Money | None:
    return None if fen is None else money(fen)


def _objection_out(o: Objection, line: RunLine) -> ObjectionOut:
    return ObjectionOut(
        id=o.id,
        run_id=line.run_id,
        line_no=line.line_no,
        raised_by=o.raised_by,
        raised_on=o.raised_on,
        reason=o.reason,
        state=o.state,
        state_zh=OBJECTION_STATE_ZH.get(o.state, o.state),
        resolved_by=o.resolved_by,
        resolved_on=o.resolved_on,
        resolution=o.resolution,
        old_amount=_maybe_money(o.old_amount_fen),
        new_amount=_maybe_money(o.new_amount_fen),
    )


_RUN_ORDER_KEY = re.compile(r"run:(\d+):line:(\d+)")  # decision.order_key


def _run_line_of_key(key: str) -> tuple[int | None, int | None]:
    found = _RUN_ORDER_KEY.fullmatch(key)
    return (int(found[1]), int(found[2])) if found else (None, None)


def _order_out(o: PaymentOrder, entity: Entity) -> OrderOut:
    run_id, line_no = _run_line_of_key(o.idempotency_key)
    return OrderOut(
        id=o.id,
        key=o.idempotency_key,
        run_id=run_id,
        line_no=line_no,
        enterprise=entity.name,
        credit_code=entity.credit_code,
        item=o.item,
        period=o.period,
        amount=money(o.amount_fen),
        city_share=money(o.city_share_fen),
        district_share=money(o.district_share_fen),
        share_citation=o.share_citation,
        citation=o.citation,
        status=o.status,
        status_zh=ORDER_STATUS_ZH.get(o.status, o.status),
        ordered_on=o.ordered_on,
        created_by=o.created_by,
        posted_at=_utc(o.posted_at),
    )


def _visible_lines(session: Session, who: Principal, run: RedemptionRun) -> list[tuple[RunLine, Entity]]:
    rows = runs.lines_of(session, run.id)
    if who.role is Role.ENTERPRISE:
        # only its own lines, and only once the list is public (公示); excluded lines never are
        if notice.get_notice(session, run.id) is None:
            return []
        return [
            (ln, e)
            for ln, e in rows
            if ln.state != "excluded" and e.credit_code and may_read_enterprise(who, e.credit_code)
        ]
    return rows


def _readable(
    session: Session, who: Principal, run: RedemptionRun
) -> tuple[list[frozenset[str]], list[tuple[RunLine, Entity]]] | None:
    """The run's item leads and the lines the caller sees; None when the caller may not read the run (an
    enterprise may when it has a line on the published list)."""
    leads = _run_leads(session, run)
    if who.role is not Role.ENTERPRISE and not may_read_run(who, leads):
        return None
    lines = _visible_lines(session, who, run)
    if who.role is Role.ENTERPRISE and not lines:
        return None
    return leads, lines


def _stage(n: Notice | None, counts: Counter[str], today: date) -> Stage:
    if n is None:
        return "prepared"
    if today <= n.last_day:
        return "in_notice"
    return "deciding" if counts.get("open") else "decided"


def _run_prefix(run_id: int) -> str:
    return decision.order_key(run_id, 0).removesuffix("0")  # "run:RUN:line:"


def _orders_by_key(session: Session, run_id: int) -> dict[str, PaymentOrder]:
    found = session.execute(
        select(PaymentOrder).where(
            PaymentOrder.idempotency_key.startswith(_run_prefix(run_id), autoescape=True)
        )
    ).scalars()
    return {o.idempotency_key: o for o in found}


def _summary(
    session: Session,
    run: RedemptionRun,
    leads: list[frozenset[str]],
    lines: list[tuple[RunLine, Entity]],
    today: date,
) -> RunOut:
    n = notice.get_notice(session, run.id)
    counts = Counter(ln.state for ln, _ in lines)
    stage = _stage(n, counts, today)
    keys = {decision.order_key(run.id, ln.line_no) for ln, _ in lines}
    paid = sum(
        o.amount_fen for k, o in _orders_by_key(session, run.id).items() if k in keys and o.status == "posted"
    )
    return RunOut(
        id=run.id,
        target=run.target,
        title=_title(run.target),
        year=run.year,
        run_on=run.run_on,
        prepared_by=run.prepared_by,
        created_at=_utc(run.created_at),  # type: ignore[arg-type]
        leads=sorted({d for item in leads for d in item}),
        stage=stage,
        stage_zh=STAGE_ZH[stage],
        notice=_notice_out(n, today),
        lines=len(lines),
        counts=dict(sorted(counts.items())),
        totals=RunTotals(
            listed=money(sum(ln.amount_fen or 0 for ln, _ in lines if ln.state in ("open", "approved"))),
            approved=money(sum(ln.amount_fen or 0 for ln, _ in lines if ln.state == "approved")),
            paid=money(paid),
        ),
    )


def list_runs(
    engine: Engine,
    who: Principal,
    today: date,
    year: int | None = None,
    document: str | None = None,
    stage: Stage | None = None,
) -> RunList:
    """The runs the caller may read, newest first; an enterprise's runs are those listing it publicly."""
    if who.role is Role.ADMIN:
        raise forbidden("管理员账号管理账号，不查看兑现业务数据")
    out = []
    with transaction(engine) as session:
        query = select(RedemptionRun).order_by(RedemptionRun.id.desc())
        if year is not None:
            query = query.where(RedemptionRun.year == year)
        for run in session.execute(query).scalars():
            if document is not None and runs.document_of(run.target) != document:
                continue
            readable = _readable(session, who, run)
            if readable is None:
                continue
            summary = _summary(session, run, *readable, today)
            if stage is None or summary.stage == stage:
                out.append(summary)
    return RunList(runs=out)


def _actions(
    who: Principal,
    leads: list[frozenset[str]],
    summary: RunOut,
    lines: list[tuple[RunLine, Entity]],
    unpaid: int,
) -> list[Action]:
    """What the caller may do now; ``unpaid``: approved lines with an amount and no posted order."""
    acts: list[Action] = []
    works = may_work_on_run(who, leads)
    window_open = summary.notice is not None and summary.notice.open
    if works and summary.notice is None:
        acts.append("publish")
    if who.role is Role.ENTERPRISE and window_open and any(ln.state == "open" for ln, _ in lines):
        acts.extend(("object", "decline"))
    if works and summary.notice is not None:
        acts.append("resolve")
    if works and summary.stage == "deciding" and who.username != summary.prepared_by:
        acts.append("decide")
    if may_approve_payment(who) and unpaid:
        acts.append("pay")
    return acts


def run_detail(
    engine: Engine, who: Principal, run_id: int, today: date, offset: int = 0, limit: int = 200
) -> RunDetail:
    """One run: its lines (an enterprise: its own) with amounts, clause, trace, objections, decision and
    payment order; the totals; and what the caller may do now."""
    if who.role is Role.ADMIN:
        raise forbidden(_READ_REFUSED)
    with transaction(engine) as session:
        run = session.get(RedemptionRun, run_id)
        if run is None and who.role is Role.ENTERPRISE:
            raise forbidden(_READ_REFUSED)
        run = _run_or_404(session, run_id)
        readable = _readable(session, who, run)
        if readable is None:
            raise forbidden(_READ_REFUSED)
        leads, lines = readable
        summary = _summary(session, run, leads, lines, today)
        page = lines[offset : offset + limit]
        ids = [ln.id for ln, _ in page]
        objections: dict[int, list[Objection]] = {}
        for o in session.execute(
            select(Objection).where(Objection.line_id.in_(ids)).order_by(Objection.id)
        ).scalars():
            objections.setdefault(o.line_id, []).append(o)
        decisions = {
            d.line_id: d for d in session.execute(select(Decision).where(Decision.line_id.in_(ids))).scalars()
        }
        by_key = _orders_by_key(session, run.id)
        posted = {k for k, o in by_key.items() if o.status == "posted"}
        unpaid = sum(
            1
            for ln, _ in lines
            if ln.state == "approved"
            and ln.amount_fen
            and decision.order_key(run.id, ln.line_no) not in posted
        )
        shown = []
        for ln, e in page:
            d = decisions.get(ln.id)
            o = by_key.get(decision.order_key(run.id, ln.line_no))
            shown.append(
                LineOut(
                    line_no=ln.line_no,
                    enterprise=e.name,
                    credit_code=e.credit_code,
                    item=ln.item,
                    title=str(ln.result.get("title") or ln.item),
                    clause=str(ln.result.get("clause") or ""),
                    quote=str(ln.result.get("quote") or ""),
                    status=ln.status,
                    status_zh=STATUS_ZH.get(ln.status, ln.status),
                    computed=_maybe_money(ln.computed_fen),
                    cap=_maybe_money(ln.cap_fen),
                    amount=_maybe_money(ln.amount_fen),
                    state=ln.state,
                    state_zh=LINE_STATE_ZH.get(ln.state, ln.state),
                    state_reason=ln.state_reason,
                    trace=list(ln.result.get("trace") or []),
                    objections=[_objection_out(x, ln) for x in objections.get(ln.id, [])],
                    decision=None
                    if d is None
                    else DecisionOut(
                        line_no=ln.line_no,
                        decision=d.decision,
                        decided_by=d.decided_by,
                        decided_on=d.decided_on,
                        reason=d.reason,
                        amount=_maybe_money(d.amount_fen),
                    ),
                    order=None if o is None else _order_out(o, e),
                )
            )
        return RunDetail(
            **summary.model_dump(),
            own_lines_only=who.role is Role.ENTERPRISE,
            actions=_actions(who, leads, summary, lines, unpaid),
            offset=offset,
            shown=shown,
        )


def _require_reader(
    session: Session, who: Principal, run_id: int
) -> tuple[RedemptionRun, list[frozenset[str]]]:
    """The run and its leads, for a caller who may read the whole run (not an enterprise, not the admin)."""
    if who.role in (Role.ENTERPRISE, Role.ADMIN):
        raise forbidden(_READ_REFUSED)
    run = _run_or_404(session, run_id)
    leads = _run_leads(session, run)
    if not may_read_run(who, leads):
        raise forbidden(_READ_REFUSED)
    return run, leads


def notice_list(engine: Engine, who: Principal, run_id: int, today: date) -> NoticeList:
    """The 公示 list as published (``exports.notice_rows``: every line but those excluded by a ban)."""
    with transaction(engine) as session:
        run, _ = _require_reader(session, who, run_id)
        n = notice.get_notice(session, run_id)
        if n is None:
            raise _conflict(f"第 {run_id} 批尚未公示：先发布公示（POST /api/v1/runs/{run_id}/notice）")
        rows = exports.notice_rows(session, run_id)
        return NoticeList(
            run_id=run_id,
            title=_notice_title(run),
            notice=_notice_out(n, today),  # type: ignore[arg-type]
            rows=[
                NoticeRowOut(
                    line_no=r.line_no,
                    enterprise=r.name,
                    credit_code=r.credit_code,
                    item=r.item,
                    clause=r.clause,
                    amount=_maybe_money(r.amount_fen),
                    cap=_maybe_money(r.cap_fen),
                    status_zh=r.status,
                    state_zh=r.state,
                )
                for r in rows
            ],
        )


def _notice_title(run: RedemptionRun) -> str:
    # the same title as the files of ``huiqi notice export``
    return f"{run.target} {run.year}年度兑现名单（第{run.id}批）公示"


def notice_file(engine: Engine, who: Principal, run_id: int, kind: Literal["csv", "xlsx"]) -> bytes:
    """The notice list as the CSV (UTF-8 with BOM) or xlsx file ``huiqi notice export`` writes."""
    with transaction(engine) as session:
        run, _ = _require_reader(session, who, run_id)
        if notice.get_notice(session, run_id) is None:
            raise _conflict(f"第 {run_id} 批尚未公示：先发布公示（POST /api/v1/runs/{run_id}/notice）")
        rows = exports.notice_rows(session, run_id)
        with tempfile.TemporaryDirectory(prefix="huiqi-notice-") as tmp:
            path = Path(tmp) / f"notice-{run_id}.{kind}"
            if kind == "csv":
                exports.write_csv(rows, path)
            else:
                exports.write_xlsx(rows, path, _notice_title(run))
            return path.read_bytes()


# --- changing --------------------------------------------------------------------------------------


def _require_worker(session: Session, who: Principal, run_id: int) -> RedemptionRun:
    run, leads = _require_reader(session, who, run_id)
    if not may_work_on_run(who, leads):
        raise forbidden(f"只有牵头单位（{_leads_text(leads)}）的经办人可以办理第 {run_id} 批")
    return run


def start_run(engine: Engine, who: Principal, data: RunStartIn, today: date) -> RunDetail:
    """Evaluate the registry for a target and a year (``run.start_run``), prepared by the caller."""
    if who.role is not Role.OFFICIAL:
        raise forbidden("只有牵头单位的经办人可以发起兑现批次")
    target = data.target.strip().rstrip("/")
    leads = target_leads(target)
    if leads is None:
        documents = ", ".join(sorted(rule_book().rulesets))
        raise not_found(f"没有 {target} 的兑现规则（有规则的文件：{documents}）")
    if not may_work_on_run(who, leads):
        mine = [
            it.id
            for it in rule_book().rulesets[runs.document_of(target)].items
            if who.unit in clause_leads(it.source.clause) and ("/" not in target or it.id == target)
        ]
        hint = f"；本部门牵头的事项可单独发起，例如 {mine[0]}" if mine else ""
        raise forbidden(f"{target} 的牵头单位是 {_leads_text(leads)}，{who.unit}不能发起{hint}")
    try:
        summary = runs.start_run(engine, target, data.year, who.username, today)
    except runs.RunError as exc:
        raise ApiError(400, "bad_request", f"无法发起兑现批次：{exc}") from exc
    return run_detail(engine, who, summary.run_id, today)


def publish_notice(engine: Engine, who: Principal, run_id: int, data: NoticeIn, today: date) -> RunDetail:
    """Publish the run's 公示 list today for ``working_days`` working days (``notice.publish``)."""
    with transaction(engine) as session:
        _require_worker(session, who, run_id)
        try:
            notice.publish(session, run_id, data.working_days, who.username, today)
        except (runs.RunError, CalendarNotCovered) as exc:
            raise _refusal(exc) from exc
    return run_detail(engine, who, run_id, today)


_NOT_YOUR_LINE = "只有名单上的企业本身可以对本企业的公示事项提出异议或放弃"


def _own_published_line(session: Session, who: Principal, run_id: int, line_no: int) -> RunLine:
    """The caller's own line of a published run. Another enterprise's line, a line that does not exist and
    a list not yet public are refused alike, so an enterprise cannot learn which runs or lines exist."""
    refused = forbidden(_NOT_YOUR_LINE)
    if who.role is not Role.ENTERPRISE:
        raise refused
    line = session.execute(
        select(RunLine).where(RunLine.run_id == run_id, RunLine.line_no == line_no)
    ).scalar_one_or_none()
    entity = session.get(Entity, line.entity_id) if line is not None else None
    if (
        line is None
        or entity is None
        or not may_edit_enterprise(who, entity.credit_code or "")
        or notice.get_notice(session, run_id) is None
    ):
        raise refused
    return line


def add_objection(
    engine: Engine, who: Principal, run_id: int, line_no: int, data: ObjectionIn, today: date
) -> ObjectionOut:
    """An enterprise objects to its own line during the notice window (``objection.add``)."""
    with transaction(engine) as session:
        line = _own_published_line(session, who, run_id, line_no)
        try:
            made = objection.add(session, run_id, line_no, who.username, data.reason, today)
        except runs.RunError as exc:
            raise _refusal(exc) from exc
        return _objection_out(made, line)


def decline_line(
    engine: Engine, who: Principal, run_id: int, line_no: int, data: DeclineIn, today: date
) -> RunDetail:
    """主动放弃: an enterprise gives up its own line during the notice window (``notice.decline``); the line
    stays on the record, declined, and is never paid."""
    with transaction(engine) as session:
        _own_published_line(session, who, run_id, line_no)
        try:
            notice.decline(session, run_id, line_no, who.username, data.reason, today)
        except runs.RunError as exc:
            raise _refusal(exc) from exc
    return run_detail(engine, who, run_id, today)


def resolve_objection(
    engine: Engine, who: Principal, objection_id: int, data: ResolutionIn, today: date
) -> ObjectionOut:
    """The lead department's official keeps the line or changes its amount (``objection.resolve``)."""
    with transaction(engine) as session:
        if who.role in (Role.ENTERPRISE, Role.ADMIN):
            raise forbidden("只有牵头单位的经办人可以处理异议")
        found = session.get(Objection, objection_id)
        if found is None:
            raise not_found(f"没有编号为 {objection_id} 的异议")
        line = session.get(RunLine, found.line_id)
        assert line is not None  # a foreign key
        _require_worker(session, who, line.run_id)
        try:
            done = objection.resolve(
                session, objection_id, who.username, data.reason, today, data.new_amount_fen
            )
        except runs.RunError as exc:
            raise _refusal(exc) from exc
        return _objection_out(done, line)


def decide(engine: Engine, who: Principal, run_id: int, data: DecisionIn, today: date) -> RunDetail:
    """Approve or reject lines (``decision.decide``): a second official of the lead department."""
    with transaction(engine) as session:
        _require_worker(session, who, run_id)
        known = set(session.execute(select(RunLine.line_no).where(RunLine.run_id == run_id)).scalars())
        unknown = sorted(set(data.lines or []) - known)
        if unknown:
            raise not_found(f"第 {run_id} 批没有第 {', '.join(map(str, unknown))} 行（共 {len(known)} 行）")
        try:
            decision.decide(
                session,
                run_id,
                who.username,
                data.approve,
                data.reason,
                today,
                sorted(set(data.lines)) if data.lines else None,
                data.amount_fen,
            )
        except runs.RunError as exc:
            raise _refusal(exc) from exc
    return run_detail(engine, who, run_id, today)


def pay(engine: Engine, who: Principal, run_id: int, today: date) -> PayOut:
    """Finance places and posts the payment order of every approved line (``orders.pay``): repeating it
    pays nothing twice (each order's key is derived from its run and line)."""
    if not may_approve_payment(who):
        raise forbidden("只有财政账号可以下达支付指令")
    with transaction(engine) as session:
        _run_or_404(session, run_id)
    try:
        report = orders.pay(engine, run_id, who.username, today)
    except runs.RunError as exc:
        raise _refusal(exc) from exc
    with transaction(engine) as session:
        rows = _order_rows(
            session, [PaymentOrder.idempotency_key.startswith(_run_prefix(run_id), autoescape=True)]
        )
    return PayOut(
        placed=report.placed,
        already_placed=report.already_placed,
        posted=report.posted,
        already_posted=report.already_posted,
        refused=report.refused,
        orders=rows,
    )


# --- payments --------------------------------------------------------------------------------------


def _order_rows(session: Session, conditions: list) -> list[OrderOut]:
    found = session.execute(
        select(PaymentOrder, Entity)
        .join(Entity, Entity.id == PaymentOrder.beneficiary_id)
        .where(*conditions)
        .order_by(PaymentOrder.id)
    ).all()
    return [_order_out(o, e) for o, e in found]


def list_orders(
    engine: Engine,
    who: Principal,
    run_id: int | None = None,
    enterprise: str | None = None,
    status: str | None = None,
) -> OrderList:
    """Payment orders: finance and audit see all; an official those of the items their department leads;
    an enterprise only its own (asking for another enterprise's is refused)."""
    if who.role is Role.ADMIN:
        raise forbidden("管理员账号管理账号，不查看兑现业务数据")
    conditions: list = []
    if who.role is Role.ENTERPRISE:
        if enterprise is not None and not may_read_enterprise(who, enterprise):
            raise forbidden("企业账号只能查看本企业的支付记录")
        enterprise = who.unit
    if enterprise is not None:
        conditions.append(Entity.credit_code == enterprise)
    if run_id is not None:
        conditions.append(PaymentOrder.idempotency_key.startswith(_run_prefix(run_id), autoescape=True))
    if status is not None:
        conditions.append(PaymentOrder.status == status)
    with transaction(engine) as session:
        rows = _order_rows(session, conditions)
    if who.role is Role.OFFICIAL:
        items = {it.id: it.source.clause for it in rule_book().items()}
        rows = [r for r in rows if r.item in items and may_read_run(who, [clause_leads(items[r.item])])]
    total = sum(r.amount.fen for r in rows if r.status != "cancelled")
    return OrderList(orders=rows, total=money(total))
