"""政策库 (the policy library): documents, clauses and search, as data.

One function per view. Each returns a pydantic model that the JSON endpoint returns as is and the web page
renders (Datasette's lesson: every page is also an API answer, and they cannot drift apart).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field

from huiqi.api.errors import bad_request, not_found
from huiqi.corpus.load import Corpus, UnknownIdError, load_corpus
from huiqi.corpus.model import Bound, Clause, Dated, Document, Figure, FigureKind
from huiqi.money import format_fen

SEARCH_LIMIT_MAX = 50


def corpus() -> Corpus:
    """The parsed corpus (``load_corpus`` parses once per process and returns the same object after)."""
    return load_corpus()


# --- models ----------------------------------------------------------------------------------------


class Validity(StrEnum):
    IN_FORCE = "in_force"  # 有效
    NOT_YET = "not_yet"  # 尚未施行
    EXPIRED = "expired"  # 已失效
    OPEN = "open"  # 文本未写明: the text leaves the dates open (e.g. a draft "自发布之日起30日后施行")


VALIDITY_ZH = {
    Validity.IN_FORCE: "有效",
    Validity.NOT_YET: "尚未施行",
    Validity.EXPIRED: "已失效",
    Validity.OPEN: "施行日期未定",
}


class DatedOut(BaseModel):
    value: dt.date | None
    reason: str | None = None  # why there is no date, in the project's words
    source: str | None = None  # the sentence of the text the date was read from


class DocumentSummary(BaseModel):
    id: str
    title: str
    file: str
    issuers: list[str]
    doc_numbers: list[str] = Field(description="文号")
    issued: DatedOut
    effective: DatedOut
    expires: DatedOut = Field(description="last day in force, inclusive")
    draft: bool = Field(description="征求意见稿: a draft for comment")
    validity: Validity = Field(description="judged on `as_of`")
    validity_zh: str
    as_of: dt.date
    year: int | None = Field(
        description="year issued (or in force from), for grouping; null when the text has none"
    )
    clause_count: int


class DocumentList(BaseModel):
    as_of: dt.date
    documents: list[DocumentSummary]


class ClauseNode(BaseModel):
    """A clause in a document's tree: enough to list it and link to it."""

    id: str
    label: str
    heading: str
    level: int
    figure_count: int
    children: list[ClauseNode] = []


class DocumentDetail(DocumentSummary):
    clauses: list[ClauseNode] = Field(description="the top-level clauses, each with its subtree")
    notes: list[str] = Field(description="what the parser found odd in the text (broken numbering…)")


class ClauseRef(BaseModel):
    id: str
    label: str
    heading: str


class FigureOut(BaseModel):
    """A typed value read from the clause; ``span`` are character offsets into the source file."""

    kind: FigureKind
    text: str
    span: tuple[int, int]
    bound: Bound
    display: str = Field(description="the value for people, e.g. 最高50万元")
    value_fen: int | None = None
    low_fen: int | None = None
    high_fen: int | None = None
    value: str | None = Field(None, description="a Decimal, as a string")
    low: str | None = None
    high: str | None = None
    unit: str | None = None
    date: dt.date | None = None
    name: str | None = None
    role: str | None = None


class ClauseDetail(BaseModel):
    id: str
    doc_id: str
    doc_title: str
    label: str
    heading: str
    level: int
    path: list[ClauseRef] = Field(description="the clauses above this one, outermost first")
    text: str = Field(description="the clause's own text: heading and body, without its children")
    span: tuple[int, int] = Field(description="character offsets of the whole clause in the source file")
    figures: list[FigureOut]
    children: list[ClauseRef]


class SearchHit(BaseModel):
    clause_id: str
    doc_id: str
    doc_title: str
    heading: str
    score: float
    terms: list[str]
    snippet: str = Field(description="verbatim text of the clause around the matches")
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) of each match, offsets into `snippet`"
    )
    cut_before: bool = Field(description="the clause goes on before the snippet")
    cut_after: bool = Field(description="the clause goes on after the snippet")


class SearchResults(BaseModel):
    query: str
    doc: str | None
    terms: list[str] = Field(description="the terms the query was split into")
    missing: list[str] = Field(description="terms found nowhere in scope: then there are no hits")
    total: int = Field(description="clauses that matched, before the limit")
    hits: list[SearchHit]


# --- the data functions ----------------------------------------------------------------------------


def _dated(d: Dated) -> DatedOut:
    return DatedOut(value=d.value, reason=d.reason, source=d.source)


def validity(doc: Document, day: dt.date) -> Validity:
    in_force = doc.in_force(day)
    if in_force is None:
        return Validity.OPEN
    if in_force:
        return Validity.IN_FORCE
    assert doc.effective.value is not None  # in_force() is only False once the start date is known
    return Validity.NOT_YET if day < doc.effective.value else Validity.EXPIRED


def _summary_fields(doc: Document, day: dt.date) -> dict:
    v = validity(doc, day)
    year_from = doc.issued.value or doc.effective.value
    return {
        "id": doc.id,
        "title": doc.title,
        "file": doc.file,
        "issuers": doc.issuers,
        "doc_numbers": doc.doc_numbers,
        "issued": _dated(doc.issued),
        "effective": _dated(doc.effective),
        "expires": _dated(doc.expires),
        "draft": "征求意见稿" in doc.title,
        "validity": v,
        "validity_zh": VALIDITY_ZH[v],
        "as_of": day,
        "year": year_from.year if year_from else None,
        "clause_count": len(doc.clauses),
    }


def document_list(day: dt.date) -> DocumentList:
    """Every document with its validity on ``day``, in corpus order."""
    return DocumentList(
        as_of=day, documents=[DocumentSummary(**_summary_fields(d, day)) for d in corpus().documents.values()]
    )


def _suggest(exc: UnknownIdError) -> str:
    return f"；是否要找：{'、'.join(exc.suggestions)}" if exc.suggestions else ""


def _document(doc_id: str) -> Document:
    try:
        return corpus().document(doc_id)
    except UnknownIdError as exc:
        raise not_found(
            f"没有编号为 {doc_id!r} 的文件{_suggest(exc)}（文件编号形如 002 或 003-12，见 /api/v1/documents）"
        ) from None


def _clause(clause_id: str) -> Clause:
    try:
        return corpus().clause(clause_id)
    except UnknownIdError as exc:
        raise not_found(
            f"没有编号为 {clause_id!r} 的条款{_suggest(exc)}（条款编号形如 002/三，见文件页的条款目录）"
        ) from None


def _node(doc: Document, clause_id: str) -> ClauseNode:
    c = doc.clauses[clause_id]
    return ClauseNode(
        id=c.id,
        label=c.label,
        heading=c.heading,
        level=c.level,
        figure_count=len(c.figures),
        children=[_node(doc, k) for k in c.children],
    )


def document_detail(doc_id: str, day: dt.date) -> DocumentDetail:
    """One document: its metadata and its clause tree."""
    doc = _document(doc_id)
    return DocumentDetail(
        **_summary_fields(doc, day), clauses=[_node(doc, k) for k in doc.top], notes=list(doc.notes)
    )


def _ref(c: Clause) -> ClauseRef:
    return ClauseRef(id=c.id, label=c.label, heading=c.heading)


def _percent(x: Decimal) -> str:
    return f"{(x * 100).normalize():f}%"


_BOUND_ZH = {Bound.EXACT: "", Bound.CAP: "最高", Bound.FLOOR: "不少于", Bound.APPROX: "约"}


def figure_display(f: Figure) -> str:
    """A figure as a person reads it: 最高50万元, 30%, 3年, 2022-09-06, 区科技局（牵头）."""
    prefix = _BOUND_ZH[f.bound]
    if f.kind in (FigureKind.AMOUNT, FigureKind.BUDGET):
        if f.value_fen is not None:
            return prefix + format_fen(f.value_fen)
        if f.low_fen is not None and f.high_fen is not None:
            return f"{prefix}{format_fen(f.low_fen)}–{format_fen(f.high_fen)}"
    if f.kind is FigureKind.RATIO:
        if f.value is not None:
            return prefix + _percent(f.value)
        if f.low is not None and f.high is not None:
            return f"{prefix}{_percent(f.low)}–{_percent(f.high)}"
    if f.kind in (FigureKind.DURATION, FigureKind.QUANTITY) and f.value is not None:
        return f"{prefix}{f.value.normalize():f}{f.unit or ''}"
    if f.kind is FigureKind.DATE and f.date is not None:
        return f.date.isoformat()
    if f.kind is FigureKind.DEPARTMENT and f.name:
        return f"{f.name}（{f.role}）" if f.role else f.name
    return f.text  # partial dates and anything not typed further: the text itself


def _figure(f: Figure) -> FigureOut:
    def s(x: Decimal | None) -> str | None:
        return None if x is None else str(x)

    return FigureOut(
        kind=f.kind,
        text=f.text,
        span=(f.start, f.end),
        bound=f.bound,
        display=figure_display(f),
        value_fen=f.value_fen,
        low_fen=f.low_fen,
        high_fen=f.high_fen,
        value=s(f.value),
        low=s(f.low),
        high=s(f.high),
        unit=f.unit,
        date=f.date,
        name=f.name,
        role=f.role,
    )


def clause_detail(clause_id: str) -> ClauseDetail:
    """One clause: its own text, the figures read from it, where it sits and what is under it."""
    c = _clause(clause_id)
    doc = _document(c.doc_id)
    path: list[ClauseRef] = []
    parent = c.parent_id
    while parent is not None:
        p = doc.clauses[parent]
        path.insert(0, _ref(p))
        parent = p.parent_id
    return ClauseDetail(
        id=c.id,
        doc_id=c.doc_id,
        doc_title=doc.title,
        label=c.label,
        heading=c.heading,
        level=c.level,
        path=path,
        text=corpus().text(c, own=True),
        span=(c.start, c.end),
        figures=[_figure(f) for f in c.figures],
        children=[_ref(doc.clauses[k]) for k in c.children],
    )


def search(query: str, limit: int = 10, doc: str | None = None) -> SearchResults:
    """Full-text search over the clauses (see ``huiqi.corpus.search`` for how terms match and rank)."""
    from huiqi.corpus.search import QueryError, current_index

    if not 1 <= limit <= SEARCH_LIMIT_MAX:
        raise bad_request(f"limit 须在 1 到 {SEARCH_LIMIT_MAX} 之间")
    index = current_index()
    doc = (doc or "").strip() or None
    # An unknown document is a missing resource (404), not a malformed query; "003" takes in 003-01 … 003-NN.
    if doc is not None and not any(d == doc or d.startswith(doc + "-") for d in index.doc_ids()):
        raise not_found(f"没有编号为 {doc!r} 的文件；文件编号形如 002、003（整个汇编）或 003-12")
    try:
        results = index.query(query, limit=limit, doc=doc)
    except QueryError as exc:
        raise bad_request(str(exc)) from None
    hits = []
    for h in results.hits:
        s0, s1 = h.span
        hits.append(
            SearchHit(
                clause_id=h.clause_id,
                doc_id=h.doc_id,
                doc_title=h.doc_title,
                heading=h.heading,
                score=round(h.score, 4),
                terms=list(h.terms),
                snippet=h.snippet,
                highlights=[(a - s0, b - s0) for a, b in h.highlights],
                cut_before=s0 > h.clause_span[0],
                cut_after=s1 < h.clause_span[1],
            )
        )
    return SearchResults(
        query=query,
        doc=doc or None,
        terms=results.terms,
        missing=results.missing,
        total=results.total,
        hits=hits,
    )
