"""Who may do what: the one place where a role is turned into a yes or a no.

Every check is a small function of a ``Principal`` (the logged-in account) and the unit the data belongs to.
Endpoints call these functions; they never compare roles themselves, so the rules can be read here in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from stdnum.cn import uscc


class Role(StrEnum):
    """The five roles of the issue."""

    ENTERPRISE = "enterprise"  # 企业用户: bound to one enterprise (its 统一社会信用代码)
    OFFICIAL = "official"  # 部门经办人: bound to one department, e.g. 区科技局
    FINANCE = "finance"  # 财政: approves payments
    AUDITOR = "auditor"  # 审计: reads everything, changes nothing
    ADMIN = "admin"  # 管理员: manages accounts


ROLE_NAMES_ZH = {
    Role.ENTERPRISE: "企业用户",
    Role.OFFICIAL: "部门经办人",
    Role.FINANCE: "财政",
    Role.AUDITOR: "审计",
    Role.ADMIN: "管理员",
}

# A department is named the way the policy texts name it in their （牵头单位：…） notes: 区科技局, 市财政局.
_DEPARTMENT = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}$")


def check_unit(role: Role, unit: str | None) -> str | None:
    """The unit an account of ``role`` is bound to, normalised; ``ValueError`` with the reason when wrong.

    An enterprise user is bound to an enterprise by its 统一社会信用代码 (unified social credit code, 18
    characters with a check digit), an official to a department; the other roles to no unit at all.
    """
    unit = (unit or "").strip() or None
    if role is Role.ENTERPRISE:
        if unit is None:
            raise ValueError("企业用户必须填写所属企业的统一社会信用代码（18位）")
        try:
            return uscc.validate(unit)
        except Exception as exc:  # stdnum raises its own ValidationError subclasses
            raise ValueError(f"统一社会信用代码 {unit!r} 无效：{exc}") from exc
    if role is Role.OFFICIAL:
        if unit is None or not _DEPARTMENT.match(unit):
            raise ValueError("部门经办人必须填写所属部门的中文名称，例如“区科技局”")
        return unit
    if unit is not None:
        raise ValueError(f"{ROLE_NAMES_ZH[role]}账号不绑定单位，请不要填写 unit")
    return None


@dataclass(frozen=True, slots=True)
class Principal:
    """The account a request acts as: its name, its role and the unit it is bound to."""

    username: str
    role: Role
    unit: str | None = None  # enterprise: USCC; official: department; others: None


def may_read_enterprise(p: Principal, enterprise_id: str) -> bool:
    """An enterprise's profile, results and payments.

    The enterprise itself; officials (their runs go over all enterprises); finance and audit. Not the admin:
    managing accounts does not need anyone's business data.
    """
    if p.role is Role.ENTERPRISE:
        return p.unit == enterprise_id
    return p.role in (Role.OFFICIAL, Role.FINANCE, Role.AUDITOR)


def may_edit_enterprise(p: Principal, enterprise_id: str) -> bool:
    """Only the enterprise edits its own profile and applications."""
    return p.role is Role.ENTERPRISE and p.unit == enterprise_id


def may_read_policy_work(p: Principal, department: str) -> bool:
    """Runs, notice lists, objections and decisions of a policy led by ``department``."""
    if p.role is Role.OFFICIAL:
        return p.unit == department
    return p.role in (Role.FINANCE, Role.AUDITOR)


def may_work_on_policy(p: Principal, department: str) -> bool:
    """Start runs, publish the 公示 (public notice) list, decide objections.

    Only the officials of the department that leads the policy (its 牵头单位).
    """
    return p.role is Role.OFFICIAL and p.unit == department


def may_read_run(p: Principal, item_leads: Iterable[frozenset[str]]) -> bool:
    """A redemption run (its lines, notice, objections, decisions), given the lead departments of each of
    its items: an official of a department leading one of them; finance and audit. An enterprise reads only
    its own lines of a published run (``may_read_enterprise``), not the run."""
    if p.role is Role.OFFICIAL:
        return any(may_read_policy_work(p, d) for leads in item_leads for d in leads)
    return p.role in (Role.FINANCE, Role.AUDITOR)


def may_work_on_run(p: Principal, item_leads: Iterable[frozenset[str]]) -> bool:
    """Start a run, publish its notice, resolve its objections, decide its lines: an official whose
    department leads every item of the run (one of the joint leads will do). The notice and the decisions
    cover every line, so a run over items of several departments is nobody's alone, and an item whose text
    names no lead is nobody's."""
    leads = list(item_leads)
    return bool(leads) and all(any(may_work_on_policy(p, d) for d in item) for item in leads)


def may_approve_payment(p: Principal) -> bool:
    """Approve a payment order: finance only (the official who decided cannot also pay: maker-checker)."""
    return p.role is Role.FINANCE


def may_read_accounts(p: Principal) -> bool:
    """List and read all accounts: the admin, and the auditor who reads everything."""
    return p.role in (Role.ADMIN, Role.AUDITOR)


def may_manage_accounts(p: Principal) -> bool:
    """Create, change and disable accounts."""
    return p.role is Role.ADMIN


def may_list_registry(p: Principal) -> bool:
    """List and search the registry (登记册): officials, finance and audit — not an enterprise (it would see
    other enterprises) and not the admin (no business data)."""
    return p.role in (Role.OFFICIAL, Role.FINANCE, Role.AUDITOR)


def may_import_registry(p: Principal) -> bool:
    """Import registry files: officials, who keep the registry their runs read."""
    return p.role is Role.OFFICIAL


def may_read_budgets(p: Principal) -> bool:
    """Budget use per policy line: officials (who must stay inside it), finance and audit."""
    return p.role in (Role.OFFICIAL, Role.FINANCE, Role.AUDITOR)


def may_set_budget(p: Principal) -> bool:
    """Set or change a budget line: finance only."""
    return p.role is Role.FINANCE


def may_read_audit_log(p: Principal) -> bool:
    """Read the audit log and verify its chain: the auditor, and the admin (whose account changes are in it).
    Nobody writes to it except through the change it records."""
    return p.role in (Role.AUDITOR, Role.ADMIN)


def may_read_indicators(p: Principal) -> bool:
    """004's targets against the registry's figures (district-wide counts, no single enterprise)."""
    return p.role in (Role.OFFICIAL, Role.FINANCE, Role.AUDITOR)
