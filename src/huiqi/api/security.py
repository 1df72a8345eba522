"""Who is asking: the bearer token (API) or the session cookie (pages) turned into a ``Principal``; the
login rate limit; the CSRF token of the pages' forms."""

from __future__ import annotations

import hmac
import math
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from markupsafe import Markup
from sqlalchemy import Engine

from huiqi.api.errors import ApiError, forbidden, unauthorized
from huiqi.auth.accounts import AccountStore, Login
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


def database(request: Request) -> Engine:
    """The project database (the same engine the account store uses)."""
    return account_store(request).engine


Database = Annotated[Engine, Depends(database)]


# --- login rate limit (登录限流) ---------------------------------------------------------------------
#
# Security choices of this project, not figures from any policy: 5 failed logins for one username, or 20
# from one client address, within 15 minutes lock further attempts for 15 minutes. A lockout refuses even the
# right password (else guessing would go on), and answers 429 with Retry-After. The counters live in the
# server process's memory: one uvicorn worker (the default) enforces them exactly; N workers allow up to N
# times as many guesses, and a restart forgets them. The client is the TCP peer address: behind a reverse
# proxy every client shares the proxy's address, so the proxy should limit per client itself (X-Forwarded-For
# is not trusted here, since any client can write it).


@dataclass
class LoginLimiter:
    """Failed logins per username and per client address, and the lockouts they lead to."""

    max_per_username: int = 5
    max_per_client: int = 20
    window_seconds: float = 15 * 60
    lockout_seconds: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 100_000  # memory bound: beyond this, counters with no recent failure are dropped
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def _keys(username: str, client: str) -> tuple[str, str]:
        return f"user:{username.strip().lower()}", f"client:{client}"

    def retry_after(self, username: str, client: str) -> int | None:
        """Seconds until ``username`` from ``client`` may try again; None when it may try now."""
        now = self.clock()
        with self._lock:
            waits = [self._locked_until.get(k, 0) - now for k in self._keys(username, client)]
        wait = max(waits)
        return math.ceil(wait) if wait > 0 else None

    def failed(self, username: str, client: str) -> None:
        """Count a failed login; lock the username or the client when it reaches its limit."""
        now = self.clock()
        user_key, client_key = self._keys(username, client)
        with self._lock:
            if len(self._failures) >= self.max_keys:
                self._forget_old(now)
            for key, limit in ((user_key, self.max_per_username), (client_key, self.max_per_client)):
                times = self._failures.setdefault(key, deque())
                times.append(now)
                while times and times[0] <= now - self.window_seconds:
                    times.popleft()
                if len(times) >= limit:
                    self._locked_until[key] = now + self.lockout_seconds
                    times.clear()

    def succeeded(self, username: str) -> None:
        """A right password ends the username's count (not the client's: one valid account must not reset
        the count of a client guessing at others)."""
        user_key, _ = self._keys(username, "")
        with self._lock:
            self._failures.pop(user_key, None)

    def _forget_old(self, now: float) -> None:
        for key in [k for k, t in self._failures.items() if not t or t[-1] <= now - self.window_seconds]:
            del self._failures[key]
        for key in [k for k, until in self._locked_until.items() if until <= now]:
            del self._locked_until[key]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def too_many_logins(wait: int) -> ApiError:
    minutes = max(1, math.ceil(wait / 60))
    return ApiError(
        429,
        "too_many_requests",
        f"登录失败次数过多，已暂时锁定：请在 {minutes} 分钟后再试",
        {"Retry-After": str(wait)},
    )


def limited_login(request: Request, store: AccountStore, username: str, password: str) -> Login | None:
    """``store.login`` behind the rate limit: raises the 429 ``ApiError`` while locked, counts failures.

    Both login paths (``POST /api/v1/auth/login`` and the ``/login`` form) go through here."""
    limiter: LoginLimiter = request.app.state.login_limiter
    client = client_address(request)
    wait = limiter.retry_after(username, client)
    if wait is not None:
        raise too_many_logins(wait)
    done = store.login(username, password)
    if done is None:
        limiter.failed(username, client)
    else:
        limiter.succeeded(username)
    return done


# --- CSRF (跨站请求伪造) protection for the pages' forms --------------------------------------------
#
# The pages authenticate by cookie, so a form on another site could post with it (SameSite=Lax stops most of
# that, but not older browsers nor a same-site attacker page). Double-submit: a random token in its own cookie
# and the same token in a hidden field of every form; a form post whose field does not match the cookie is
# refused. Another site can neither read the cookie nor set it, so it cannot fill the field. The JSON API
# needs none of this: a Bearer token is never sent by a browser on its own.

CSRF_COOKIE = "huiqi_csrf"
CSRF_FIELD = "csrf_token"
_CSRF_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """The request's CSRF token: the cookie's, or a new one that ``csrf_cookie_middleware`` will set."""
    sent = request.cookies.get(CSRF_COOKIE, "")
    if _CSRF_SHAPE.match(sent):
        return sent
    new = getattr(request.state, "csrf_new", None)
    if new is None:
        new = request.state.csrf_new = secrets.token_urlsafe(32)
    return new


def csrf_field(request: Request) -> Markup:
    """The hidden form field every page form carries: ``{{ csrf_field(request) }}`` in a template."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf_token(request))


async def check_csrf(request: Request) -> None:
    """A dependency of every page route that takes a form post: 403 unless the field matches the cookie."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not (isinstance(sent, str) and _CSRF_SHAPE.match(cookie) and hmac.compare_digest(sent, cookie)):
        raise forbidden("表单已过期或不是从本站提交的（CSRF 校验未通过）：请刷新页面后重新提交")


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the token ``csrf_token`` made for this request, if it made one (called by the middleware)."""
    new = getattr(request.state, "csrf_new", None)
    if new is not None:
        response.set_cookie(
            CSRF_COOKIE,
            new,
            httponly=True,  # the token reaches the form through the page, never through a script
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
        )


async def csrf_cookie_middleware(request: Request, call_next: Callable) -> Response:
    response = await call_next(request)
    set_csrf_cookie(request, response)
    return response


CsrfChecked = Depends(check_csrf)
