"""The page 政策计算器 (``/calculator``): load an example, paste or upload a profile, or fill the form;
see the answer of ``POST /api/v1/calculate`` (the same data function, ``huiqi.api.calculator.calculate``).

GET shows the inputs (and, with ``?example=<name>``, that example's answer); POST computes. A bad profile is
shown beside the inputs with every problem; the page never stores anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from huiqi.api import calculator
from huiqi.api.errors import not_found
from huiqi.api.security import MaybeUser
from huiqi.engine.evaluate import STATUS_ZH
from huiqi.rules import facts as vocab
from huiqi.web import profile_form
from huiqi.web.pages import _page

# The example profiles of a checkout (``examples/`` beside ``src/``); an installed wheel has none, and the
# page then offers only the JSON box and the form.
EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples"
MAX_UPLOAD = 1_000_000  # bytes: a profile is one entity; a bigger file is not a profile

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def examples() -> list[dict[str, Any]]:
    """The example profiles: file stem, the entity's name, its note, and the year it is about."""
    out = []
    for p in sorted(EXAMPLES_DIR.glob("*.json")) if EXAMPLES_DIR.is_dir() else []:
        try:
            data = json.loads(p.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        years = sorted(int(y) for y in data.get("years", {}) if str(y).isdigit())
        out.append(
            {
                "name": p.stem,
                "title": data.get("facts", {}).get("name") or p.stem,
                "note": data.get("note", ""),
                "year": years[-1] if years else None,
                "data": data,
            }
        )
    return out


def _default_year(request: Request) -> int:
    return request.app.state.settings.today().year


def _render(
    request: Request,
    user: Any,
    *,
    year: int,
    kind: str = "enterprise",
    profile_text: str = "",
    form_values: dict[str, str] | None = None,
    mode: str = "",
    result: calculator.CalculationOut | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return _page(
        request,
        "calculator.html",
        user,
        status=status,
        year=year,
        kind=kind,
        kinds=[(k.value, KIND_ZH[k]) for k in vocab.EntityKind],
        profile_text=profile_text,
        mode=mode,
        examples=examples(),
        groups=profile_form.form_groups(calculator.rule_book(), form_values),
        result=result,
        problems=problems or [],
        status_zh=STATUS_ZH,
    )


KIND_ZH = {
    vocab.EntityKind.ENTERPRISE: "企业",
    vocab.EntityKind.TALENT: "人才",
    vocab.EntityKind.CARRIER: "载体",
    vocab.EntityKind.INSTITUTION: "机构",
}


async def _compute(data: Any, year: int) -> tuple[calculator.CalculationOut | None, list[str]]:
    try:
        # The engine is CPU-bound (tens of ms with near-misses): keep it off the event loop.
        return await run_in_threadpool(calculator.calculate, data, year), []
    except calculator.ProfileInvalid as exc:
        return None, exc.problems


@router.get("/calculator")
async def calculator_page(
    request: Request, user: MaybeUser, example: str = "", year: int | None = None
) -> HTMLResponse:
    if not example:
        return _render(request, user, year=year or _default_year(request))
    chosen = next((e for e in examples() if e["name"] == example), None)
    if chosen is None:
        names = "、".join(e["name"] for e in examples()) or "（无）"
        raise not_found(f"没有名为 {example!r} 的示例画像；可选：{names}")
    year = year or chosen["year"] or _default_year(request)
    if not calculator.YEAR_MIN <= year <= calculator.YEAR_MAX:
        year = chosen["year"] or _default_year(request)
    result, problems = await _compute(chosen["data"], year)
    text = json.dumps(chosen["data"], ensure_ascii=False, indent=2)
    return _render(request, user, year=year, profile_text=text, mode="json", result=result, problems=problems)


@router.post("/calculator")
async def calculator_submit(request: Request, user: MaybeUser) -> HTMLResponse:
    form = await request.form()
    mode = str(form.get("mode", "json"))
    problems: list[str] = []
    try:
        year = int(str(form.get("year", "")).strip())
        if not calculator.YEAR_MIN <= year <= calculator.YEAR_MAX:
            raise ValueError
    except ValueError:
        problems.append(f"year: 请填写 {calculator.YEAR_MIN}–{calculator.YEAR_MAX} 之间的年份")
        year = _default_year(request)
    kind = str(form.get("kind", "enterprise"))
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    text = str(form.get("profile_json", ""))
    data: Any = None
    if mode == "form":
        data, form_problems = profile_form.profile_from_form(values, kind, year)
        problems += form_problems
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        upload = form.get("profile_file")
        if isinstance(upload, UploadFile) and upload.filename:
            raw = await upload.read(MAX_UPLOAD + 1)
            if len(raw) > MAX_UPLOAD:
                problems.append(f"profile_file: 文件超过 {MAX_UPLOAD // 1000} KB，不像是一个画像")
            else:
                text = raw.decode("utf-8", errors="replace")
        if not text.strip():
            problems.append("profile: 请粘贴或上传画像 JSON，或选择一个示例，或填写表单")
        else:
            try:
                data = json.loads(text)
            except ValueError as exc:
                problems.append(f"profile: 不是有效的 JSON（{exc}）")
    result = None
    if not problems:
        result, problems = await _compute(data, year)
    return _render(
        request,
        user,
        year=year,
        kind=kind,
        profile_text=text,
        form_values=values if mode == "form" else None,
        mode=mode,
        result=result,
        problems=problems,
        status=422 if problems else 200,
    )
