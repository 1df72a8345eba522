"""Who may do what: the one place where a role is turned into a yes or a no.

Every check is a small function of a ``Principal`` (the logged-in account) and the unit the data belongs to.
Endpoints call these functions; they never compare roles themselves, so the rules can be read here in full.
"""

from __future__ import annotations

import re
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


def may_approve_payment(p: Principal) -> bool:
    """Approve a payment order: finance only (the official who decided cannot also pay: maker-checker)."""
    return p.role is Role.FINANCE


def may_read_accounts(p: Principal) -> bool:
    """List and read all accounts: the admin, and the auditor who reads everything."""
    return p.role in (Role.ADMIN, Role.AUDITOR)


def may_manage_accounts(p: Principal) -> bool:
    """Create, change and disable accounts."""
    return p.role is Role.ADMIN
