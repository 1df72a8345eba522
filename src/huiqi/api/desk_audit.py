"""The audit log (审计日志) over HTTP: read its entries, filtered and paged, and verify its hash chain.

Read-only by design: there is no endpoint that writes to the log. Entries are appended by the changes they
record (``huiqi.redemption.audit.append``, in the change's own transaction). The auditor and the admin read;
``huiqi.auth.roles.may_read_audit_log`` says so.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, select

from huiqi.api.desk_registry import like_pattern
from huiqi.api.errors import forbidden
from huiqi.auth.roles import Principal, may_read_audit_log
from huiqi.redemption.audit import verify
from huiqi.store import transaction
from huiqi.store.models import AuditEntry

PAGE_MAX = 200


class AuditEntryOut(BaseModel):
    seq: int
    at: str = Field(description="UTC, ISO 8601 with microseconds")
    actor: str
    action: str = Field(description="e.g. budget.set, registry.import, account.create, session.login")
    subject: str = Field(description="what changed, e.g. budget:002:2023, account:firm-a")
    payload: dict[str, Any]
    hash: str
    prev_hash: str


class AuditPage(BaseModel):
    total: int = Field(description="entries matching the filters, all pages")
    offset: int
    limit: int
    actions: list[str] = Field(description="every action in the log, for a filter")
    entries: list[AuditEntryOut] = Field(description="newest first")


class AuditVerdict(BaseModel):
    ok: bool
    entries: int = Field(description="entries checked before the first break (all of them when ok)")
    first_bad_seq: int | None
    problem: str | None


def _out(e: AuditEntry) -> AuditEntryOut:
    try:
        payload = json.loads(e.payload)
    except ValueError:  # an altered entry: show what is there; verify names it
        payload = {"unreadable": e.payload}
    return AuditEntryOut(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        action=e.action,
        subject=e.subject,
        payload=payload if isinstance(payload, dict) else {"value": payload},
        hash=e.hash,
        prev_hash=e.prev_hash,
    )


def list_entries(
    engine: Engine,
    who: Principal,
    *,
    actor: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> AuditPage:
    """Entries newest first. ``actor`` exact; ``action`` exact or a prefix ending in a dot (``budget.``);
    ``subject`` contains."""
    if not may_read_audit_log(who):
        raise forbidden("只有审计和管理员可以查看审计日志")
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor.strip())
    if action:
        action = action.strip()
        if action.endswith("."):
            query = query.where(AuditEntry.action.like(like_pattern(action) + "%", escape="\\"))
        else:
            query = query.where(AuditEntry.action == action)
    if subject:
        query = query.where(AuditEntry.subject.like(f"%{like_pattern(subject.strip())}%", escape="\\"))
    with transaction(engine) as s:
        total = s.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = s.execute(query.order_by(AuditEntry.seq.desc()).offset(offset).limit(limit)).scalars()
        entries = [_out(e) for e in rows]
        actions = list(s.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars())
    return AuditPage(total=total, offset=offset, limit=limit, actions=actions, entries=entries)


def verify_chain(engine: Engine, who: Principal) -> AuditVerdict:
    """Walk the whole chain (``huiqi.redemption.audit.verify``): ok, or the first entry that breaks it."""
    if not may_read_audit_log(who):
        raise forbidden("只有审计和管理员可以校验审计日志")
    with transaction(engine) as s:
        v = verify(s)
    return AuditVerdict(ok=v.ok, entries=v.entries, first_bad_seq=v.first_bad_seq, problem=v.problem)
