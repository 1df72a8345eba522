"""Accounts over HTTP: log in and out, one's own account, and account management for the admin.

The role checks live in ``huiqi.auth.roles``; the data functions here call them, so the JSON endpoints and the
pages (``huiqi.web.pages``) refuse exactly the same things.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from huiqi.api.errors import ApiError, bad_request, forbidden, not_found
from huiqi.auth.accounts import AccountError, AccountStore, AccountView, NotFound
from huiqi.auth.roles import ROLE_NAMES_ZH, Principal, Role, may_manage_accounts, may_read_accounts


class AccountOut(BaseModel):
    username: str
    display_name: str
    role: Role
    role_zh: str
    unit: str | None = Field(description="enterprise: 统一社会信用代码; official: department")
    active: bool
    created_at: datetime


class AccountList(BaseModel):
    accounts: list[AccountOut]


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    token: str = Field(description="send as `Authorization: Bearer <token>`")
    expires_at: datetime
    account: AccountOut


class AccountCreate(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=256)
    role: Role
    unit: str | None = Field(None, max_length=100)
    display_name: str = Field("", max_length=100)


class AccountUpdate(BaseModel):
    role: Role | None = None
    unit: str | None = Field(None, max_length=100)
    active: bool | None = None
    display_name: str | None = Field(None, max_length=100)


class PasswordChange(BaseModel):
    new_password: str = Field(min_length=1, max_length=256)
    old_password: str | None = Field(
        None, max_length=256, description="required when changing one's own password"
    )


def account_out(a: AccountView) -> AccountOut:
    return AccountOut(
        username=a.username,
        display_name=a.display_name,
        role=a.role,
        role_zh=ROLE_NAMES_ZH[a.role],
        unit=a.unit,
        active=a.active,
        created_at=a.created_at,
    )


def _user_error(exc: AccountError) -> ApiError:
    if isinstance(exc, NotFound):
        return not_found(str(exc))
    return bad_request(str(exc))


def me(store: AccountStore, who: Principal) -> AccountOut:
    return account_out(store.get(who.username))


def list_accounts(store: AccountStore, who: Principal) -> AccountList:
    if not may_read_accounts(who):
        raise forbidden("只有管理员和审计可以查看账号列表")
    return AccountList(accounts=[account_out(a) for a in store.list()])


def get_account(store: AccountStore, who: Principal, username: str) -> AccountOut:
    # Anyone may read their own account; only admin and audit may read others'. The refusal comes before
    # the lookup, so a refused caller cannot learn whether the name exists.
    if username.strip().lower() != who.username and not may_read_accounts(who):
        raise forbidden("只能查看自己的账号")
    try:
        return account_out(store.get(username))
    except AccountError as exc:
        raise _user_error(exc) from None


def create_account(store: AccountStore, who: Principal, data: AccountCreate) -> AccountOut:
    if not may_manage_accounts(who):
        raise forbidden("只有管理员可以创建账号")
    try:
        return account_out(
            store.create(who.username, data.username, data.password, data.role, data.unit, data.display_name)
        )
    except AccountError as exc:
        raise _user_error(exc) from None


def update_account(store: AccountStore, who: Principal, username: str, data: AccountUpdate) -> AccountOut:
    if not may_manage_accounts(who):
        raise forbidden("只有管理员可以修改账号")
    if username.strip().lower() == who.username and (data.role is not None or data.unit is not None):
        # An admin demoting themself could leave nobody able to manage accounts.
        raise bad_request("不能修改自己的角色或单位；请让另一位管理员操作")
    try:
        return account_out(
            store.update(
                who.username,
                username,
                role=data.role,
                unit=data.unit,
                active=data.active,
                display_name=data.display_name,
            )
        )
    except AccountError as exc:
        raise _user_error(exc) from None


def change_password(store: AccountStore, who: Principal, username: str, data: PasswordChange) -> None:
    own = username.strip().lower() == who.username
    if not own and not may_manage_accounts(who):
        raise forbidden("只能修改自己的密码")
    if own and data.old_password is None:
        raise bad_request("修改自己的密码须提供原密码 old_password")
    try:
        store.set_password(who.username, username, data.new_password, data.old_password if own else None)
    except AccountError as exc:
        raise _user_error(exc) from None
