"""The 工作台 (officials' desk) home: what the logged-in role can do, as links. ``GET /api/v1/desk`` and the
page ``/desk`` render the same ``DeskHome``; every link is decided by a ``huiqi.auth.roles`` function."""

from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel, Field

from huiqi.auth.roles import (
    ROLE_NAMES_ZH,
    Principal,
    may_import_registry,
    may_list_registry,
    may_read_accounts,
    may_read_audit_log,
    may_read_budgets,
    may_read_enterprise,
    may_read_indicators,
    may_read_policy_work,
    may_set_budget,
)


class DeskLink(BaseModel):
    title: str
    href: str = Field(description="the page")
    api: str | None = Field(description="the JSON endpoint with the same data")
    description: str


class DeskHome(BaseModel):
    username: str
    role: str
    role_zh: str
    unit: str | None
    links: list[DeskLink]


def desk_home(who: Principal) -> DeskHome:
    links: list[DeskLink] = []

    def add(title: str, href: str, api: str | None, description: str) -> None:
        links.append(DeskLink(title=title, href=href, api=api, description=description))

    # Runs are the work of a department: an official reads their own department's, finance and audit all.
    if may_read_policy_work(who, who.unit or ""):
        add("兑现批次", "/desk/runs", "/api/v1/runs", "免申即享批次、公示名单与异议、审批、支付")
    if may_list_registry(who):
        imports = "；可上传导入文件" if may_import_registry(who) else ""
        add(
            "登记册",
            "/desk/registry",
            "/api/v1/registry/entities",
            f"企业等主体及其年度数据、事件、称号{imports}",
        )
    elif who.unit is not None and may_read_enterprise(who, who.unit):
        path = quote(who.unit, safe="")
        add(
            "本企业登记信息",
            f"/desk/registry/{path}",
            f"/api/v1/registry/entities/{path}",
            "登记册中的本企业数据",
        )
    if may_read_budgets(who):
        setting = "；财政可设定预算" if may_set_budget(who) else ""
        add(
            "预算执行",
            "/desk/budgets",
            "/api/v1/budgets",
            f"各政策条线、各年度的预算、已预留、已支付、剩余{setting}",
        )
    if may_read_indicators(who):
        add(
            "2027 年目标",
            "/desk/targets",
            "/api/v1/indicators/targets",
            "004 的量化目标与登记册当前数据的对照",
        )
    if may_read_audit_log(who):
        add("审计日志", "/desk/audit", "/api/v1/audit", "每一项变更的哈希链记录及其校验")
    if may_read_accounts(who):
        add("账号管理", "/admin/accounts", "/api/v1/accounts", "账号、角色与所属单位")
    return DeskHome(
        username=who.username,
        role=who.role.value,
        role_zh=ROLE_NAMES_ZH[who.role],
        unit=who.unit,
        links=links,
    )
