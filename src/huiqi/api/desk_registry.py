"""The registry (登记册) over HTTP: list and search entities, one entity with its facts, events and titles,
and importing registry files by upload.

Data functions, one per endpoint, also rendered by the 工作台 pages (``huiqi.web.desk``). Who may do what is
asked of ``huiqi.auth.roles``; the import itself is ``huiqi.registry.importing.import_files`` (all or
nothing, audited), so a file refused here is refused by ``huiqi registry import`` with the same messages.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, or_, select

from huiqi.api.errors import ApiError, bad_request, forbidden, not_found
from huiqi.auth.roles import (
    Principal,
    Role,
    may_import_registry,
    may_list_registry,
    may_read_enterprise,
)
from huiqi.money import format_fen
from huiqi.registry.importing import ImportRejected, import_files
from huiqi.registry.lookup import UnknownEntity, find_entity
from huiqi.registry.reading import READERS, UnreadableFile
from huiqi.rules.facts import EVENTS_BY_TYPE, FACTS_BY_NAME
from huiqi.store import transaction
from huiqi.store.models import ENTITY_KINDS, Entity, Event, YearlyFact

KIND_ZH = {"enterprise": "企业", "talent": "人才", "carrier": "载体", "institution": "机构"}
PAGE_MAX = 200
# Upload limits (engineering, not policy): a registry file of a district's enterprises is a few MB.
MAX_FILES = 5
MAX_FILE_BYTES = 50 * 1024 * 1024
ERRORS_SHOWN = 200  # a refused import lists at most this many row problems (the count says how many)


class EntityRow(BaseModel):
    key: str = Field(
        description="统一社会信用代码 for enterprises and institutions, the registry's id otherwise"
    )
    kind: str
    kind_zh: str
    name: str
    credit_code: str | None
    industry: str | None = None


class EntityPage(BaseModel):
    total: int = Field(description="entities matching the query, all pages")
    offset: int
    limit: int
    q: str | None
    kind: str | None
    entities: list[EntityRow]


class FactOut(BaseModel):
    name: str
    label: str = Field(description="the vocabulary's Chinese term, e.g. 研发费用")
    value: Any = Field(description="the stored value: integer fen for money, true/false, text, a number")
    display: str = Field(description="for people: 500万元, 是, 2016-05-01")


class YearOut(BaseModel):
    year: int
    facts: list[FactOut]


class EventOut(BaseModel):
    type: str
    label: str
    date: str
    ref: str
    attributes: list[FactOut]


class TitleOut(BaseModel):
    """A recognition (enterprise_title: 专精特新小巨人, 隐形冠军 …) with its level and date."""

    title: str
    level: str | None
    date: str


class EntityDetail(BaseModel):
    key: str
    kind: str
    kind_zh: str
    name: str
    credit_code: str | None
    attributes: list[FactOut]
    years: list[YearOut] = Field(description="yearly facts, latest year first")
    events: list[EventOut] = Field(description="dated events, latest first")
    titles: list[TitleOut] = Field(description="the enterprise_title events, latest first")


class ImportedFile(BaseModel):
    file: str
    kind: str = Field(description="entities, yearly facts or events")
    inserted: int
    updated: int
    unchanged: int


class ImportOut(BaseModel):
    files: list[ImportedFile]


# --- reading ---------------------------------------------------------------------------------------


def _display(name: str, value: Any) -> str:
    spec = FACTS_BY_NAME.get(name)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int) and (name.endswith("_fen") or (spec is not None and spec.unit == "分")):
        return format_fen(value) if value else "0元"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    unit = spec.unit if spec is not None and spec.unit not in (None, "分") else ""
    return f"{value}{unit}"


def _fact(name: str, value: Any, label: str | None = None) -> FactOut:
    spec = FACTS_BY_NAME.get(name)
    return FactOut(
        name=name, label=label or (spec.label if spec else name), value=value, display=_display(name, value)
    )


def _row(e: Entity) -> EntityRow:
    industry = e.attributes.get("industry") if isinstance(e.attributes, dict) else None
    return EntityRow(
        key=e.key,
        kind=e.kind,
        kind_zh=KIND_ZH.get(e.kind, e.kind),
        name=e.name,
        credit_code=e.credit_code,
        industry=industry if isinstance(industry, str) else None,
    )


def like_pattern(text: str) -> str:
    # The user's % and _ are literal characters, not wildcards.
    return re.sub(r"([\\%_])", r"\\\1", text)


def list_entities(
    engine: Engine,
    who: Principal,
    q: str | None = None,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> EntityPage:
    """Entities whose name contains ``q`` or whose key or credit code starts with it, by kind, one page."""
    if not may_list_registry(who):
        raise forbidden("只有部门经办人、财政和审计可以查看登记册")
    if kind is not None and kind not in ENTITY_KINDS:
        raise bad_request(f"未知的主体类型 {kind!r}；可选：{'、'.join(ENTITY_KINDS)}")
    q = (q or "").strip() or None
    query = select(Entity)
    if kind is not None:
        query = query.where(Entity.kind == kind)
    if q is not None:
        pattern = like_pattern(q)
        query = query.where(
            or_(
                Entity.name.like(f"%{pattern}%", escape="\\"),
                Entity.key.like(f"{pattern}%", escape="\\"),
                Entity.credit_code.like(f"{pattern}%", escape="\\"),
            )
        )
    with transaction(engine) as s:
        total = s.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = s.execute(query.order_by(Entity.kind, Entity.key).offset(offset).limit(limit)).scalars()
        entities = [_row(e) for e in rows]
    return EntityPage(total=total, offset=offset, limit=limit, q=q, kind=kind, entities=entities)


def entity_detail(engine: Engine, who: Principal, key: str, kind: str | None = None) -> EntityDetail:
    """One entity with its static facts, yearly facts, events and titles.

    The role is checked before the lookup: an enterprise user asking for another key gets the same 403
    whether that key exists or not, so it cannot probe the registry."""
    key = key.strip()
    if not may_read_enterprise(who, key):
        raise forbidden(
            "企业用户只能查看本企业的登记信息"
            if who.role is Role.ENTERPRISE
            else "当前角色不能查看主体的登记信息"
        )
    if kind is not None and kind not in ENTITY_KINDS:
        raise bad_request(f"未知的主体类型 {kind!r}；可选：{'、'.join(ENTITY_KINDS)}")
    with transaction(engine) as s:
        try:
            e = find_entity(s, key, kind)
        except UnknownEntity:
            raise not_found(f"登记册中没有编号为 {key!r} 的主体" + (f"（{kind}）" if kind else "")) from None
        if who.role is Role.ENTERPRISE and e.kind != "enterprise":
            # An enterprise user's unit is its credit code; another kind of entity with it is not theirs.
            raise forbidden("企业用户只能查看本企业的登记信息")
        facts = s.execute(
            select(YearlyFact)
            .where(YearlyFact.entity_id == e.id)
            .order_by(YearlyFact.year.desc(), YearlyFact.name)
        ).scalars()
        years: dict[int, list[FactOut]] = {}
        for f in facts:
            years.setdefault(f.year, []).append(_fact(f.name, f.value))
        events = list(
            s.execute(
                select(Event)
                .where(Event.entity_id == e.id)
                .order_by(Event.on_date.desc(), Event.type, Event.ref)
            ).scalars()
        )
        return EntityDetail(
            key=e.key,
            kind=e.kind,
            kind_zh=KIND_ZH.get(e.kind, e.kind),
            name=e.name,
            credit_code=e.credit_code,
            attributes=[_fact(n, v) for n, v in sorted(e.attributes.items())],
            years=[YearOut(year=y, facts=fs) for y, fs in years.items()],
            events=[_event(ev) for ev in events],
            titles=[
                TitleOut(
                    title=str(ev.attributes.get("title", "")),
                    level=ev.attributes.get("level"),
                    date=ev.on_date.isoformat(),
                )
                for ev in events
                if ev.type == "enterprise_title"
            ],
        )


def _event(ev: Event) -> EventOut:
    spec = EVENTS_BY_TYPE.get(ev.type)
    labels = {a.name: a.label for a in spec.attrs} if spec is not None else {}
    return EventOut(
        type=ev.type,
        label=spec.label if spec else ev.type,
        date=ev.on_date.isoformat(),
        ref=ev.ref,
        attributes=[_fact(n, v, labels.get(n, n)) for n, v in sorted(ev.attributes.items())],
    )


# --- importing -------------------------------------------------------------------------------------


class Upload(BaseModel):
    """One uploaded file: its name as the user's machine gave it, and its bytes."""

    name: str
    content: bytes


def _safe_name(name: str, n: int) -> str:
    # Only the last path component, and only characters that are harmless in a file name and a message.
    base = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", Path(name.replace("\\", "/")).name).strip("._")
    return base[:100] or f"upload-{n}"


def import_uploads(engine: Engine, who: Principal, uploads: list[Upload]) -> ImportOut:
    """Import uploaded registry files in one transaction, all or nothing; the actor is the logged-in official.

    A refused import is a 422 with one ``errors`` entry per bad row (``entities.csv, row 3, credit_code``),
    the importer's own messages; nothing is written. An import that changes nothing writes nothing either
    (the importer's rule), so uploading the same file twice is harmless.
    """
    if not may_import_registry(who):
        raise forbidden("只有部门经办人可以导入登记册")
    if not uploads:
        raise bad_request("请选择要导入的文件（.csv、.xlsx 或 .parquet）")
    if len(uploads) > MAX_FILES:
        raise bad_request(f"一次最多导入 {MAX_FILES} 个文件")
    with tempfile.TemporaryDirectory(prefix="huiqi-import-") as tmp:
        paths: list[Path] = []
        for n, up in enumerate(uploads):
            name = _safe_name(up.name, n)
            if Path(name).suffix.lower() not in READERS:
                raise ApiError(
                    422,
                    "invalid",
                    f"{name}：不支持的文件类型；请上传 .csv（UTF-8 或 GBK）、.xlsx 或 .parquet",
                )
            if len(up.content) > MAX_FILE_BYTES:
                raise ApiError(413, "too_large", f"{name}：文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
            folder = Path(tmp) / str(n)  # one folder per file, so two uploads of the same name both survive
            folder.mkdir()
            path = folder / name
            path.write_bytes(up.content)
            paths.append(path)

        def plain(text: str) -> str:
            # Messages name the file as uploaded, never the server's temporary folder.
            for p in paths:
                text = text.replace(str(p), p.name)
            return text

        try:
            with transaction(engine) as s:
                reports = import_files(s, paths, actor=who.username)
        except ImportRejected as exc:
            errors = [
                {"field": f"{plain(e.file)}, row {e.row}, {e.field}", "message": plain(str(e))}
                for e in exc.errors[:ERRORS_SHOWN]
            ]
            more = f"（仅列出前 {ERRORS_SHOWN} 条）" if len(exc.errors) > ERRORS_SHOWN else ""
            raise ApiError(
                422,
                "invalid",
                f"导入被拒绝，未写入任何数据：{len(exc.errors)} 处问题{more}。"
                + "；".join(e["message"] for e in errors[:5]),
                errors=errors,
            ) from None
        except UnreadableFile as exc:
            raise ApiError(422, "invalid", f"文件无法读取：{plain(str(exc))}") from None
    return ImportOut(
        files=[
            ImportedFile(
                file=r.path.name,
                kind=str(r.kind),
                inserted=r.inserted,
                updated=r.updated,
                unchanged=r.unchanged,
            )
            for r in reports
        ]
    )
