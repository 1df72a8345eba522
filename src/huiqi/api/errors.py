"""Errors a request can meet, each answered as a clean 4xx with a message a person can act on.

JSON endpoints (``/api/…``) answer ``{"detail": "<message>", "code": "<machine code>"}``; pages answer the
same message as an HTML page. An unexpected exception is logged and answered with a 500 that says nothing of
the internals; the test suite (schemathesis) holds that no request gets there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger("huiqi.api")


class ApiError(Exception):
    """A refusal with its HTTP status, a short machine code and a message for the person who asked."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.errors = errors  # [{field, message}], e.g. every bad row of a refused import


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def unauthorized(message: str = "请先登录（缺少或无效的登录凭证）") -> ApiError:
    return ApiError(401, "unauthorized", message, {"WWW-Authenticate": "Bearer"})


def forbidden(message: str = "当前账号无权进行此操作") -> ApiError:
    # Never name or describe the data that was refused: the message is the same whether it exists or not.
    return ApiError(403, "forbidden", message)


# The error body, declared in the OpenAPI document for every 4xx an endpoint can give.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry of a route for the error statuses it may answer."""
    return {
        s: {
            "description": _DESCRIPTIONS.get(s, "error"),
            "content": {"application/json": {"schema": ERROR_SCHEMA}},
        }
        for s in statuses
    }


_DESCRIPTIONS = {
    400: "bad request",
    401: "not logged in",
    403: "forbidden",
    404: "not found",
    409: "conflict",
    413: "upload too large",
    422: "invalid parameters",
    429: "too many failed logins: wait Retry-After seconds",
}

_STATUS_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}


def _field(loc: tuple | list) -> str:
    # ("query", "limit") → "limit"; ("body", "role") → "role"; a whole-body problem → "body".
    if not loc:
        return "request"
    parts = [str(p) for p in loc[1:]] or [str(loc[0])]
    return ".".join(parts)


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route accepts at this request's path.

    Asked of the routes by matching the path with each method in turn: FastAPI keeps an included router as
    one entry of ``app.routes``, so its routes cannot be listed from there."""
    return [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in request.app.routes)
    ]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def install(app: FastAPI, render_page_error: Callable[[Request, int, str], Response]) -> None:
    """Register the handlers. ``render_page_error(request, status, message)`` renders the HTML version."""

    def respond(request: Request, status: int, code: str, message: str, **extra: Any) -> Response:
        headers = extra.pop("headers", None)
        if _is_api(request):
            return JSONResponse(
                {"detail": message, "code": code, **extra}, status_code=status, headers=headers
            )
        return render_page_error(request, status, message)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        extra = {"errors": exc.errors} if exc.errors is not None else {}
        return respond(request, exc.status, exc.code, exc.message, headers=exc.headers, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"field": _field(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors()]
        message = "参数有误：" + "；".join(f"{e['field']}: {e['message']}" for e in errors)
        return respond(request, 422, "invalid", message, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            message = f"没有这个地址：{request.url.path}"
        elif exc.status_code == 405:
            allowed = allowed_methods(request)
            message = f"{request.url.path} 不接受 {request.method} 请求；可用：{', '.join(allowed)}"
            # Starlette's Allow names the methods of one matching route only; a path served by several
            # routes (GET and POST /accounts) must list them all.
            return respond(request, 405, "method_not_allowed", message, headers={"Allow": ", ".join(allowed)})
        elif exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            message = "请求体无法解析：请发送 JSON（Content-Type: application/json）或表单"
        else:
            message = str(exc.detail)
        code = _STATUS_CODES.get(exc.status_code, "error")
        return respond(request, exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal", "服务器内部错误，已记录；请稍后再试或联系管理员")
