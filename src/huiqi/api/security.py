"""Who is asking: the bearer token (API) or the session cookie (pages) turned into a ``Principal``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from huiqi.api.errors import unauthorized
from huiqi.auth.accounts import AccountStore
from huiqi.auth.roles import Principal

SESSION_COOKIE = "huiqi_session"

_bearer = HTTPBearer(auto_error=False, description="the token from POST /api/v1/auth/login")


def account_store(request: Request) -> AccountStore:
    return request.app.state.accounts


def request_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """The bearer token if one was sent, else the session cookie of the web pages."""
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return credentials.credentials
    return request.cookies.get(SESSION_COOKIE)


BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def optional_principal(request: Request, credentials: BearerCredentials = None) -> Principal | None:
    """The logged-in account, or None for an anonymous request (an invalid token counts as anonymous)."""
    token = request_token(request, credentials)
    if not token:
        return None
    return account_store(request).principal(token)


def require_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """The logged-in account; 401 when there is none or its session expired."""
    if principal is None:
        raise unauthorized("请先登录：缺少登录凭证，或登录已过期（POST /api/v1/auth/login 获取新的凭证）")
    return principal


CurrentUser = Annotated[Principal, Depends(require_principal)]
MaybeUser = Annotated[Principal | None, Depends(optional_principal)]
Store = Annotated[AccountStore, Depends(account_store)]
