"""The corpus data model: documents, their clause trees, and the typed figures found in clauses.

Offsets are character offsets (Python ``str`` indices) into the decoded text of the source file;
``source_text[start:end]`` is always exactly the text a value came from. ``byte_span`` converts to
UTF-8 byte offsets for readers that want to check a quote against the file byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Bound(StrEnum):
    """How a figure binds: the text's own wording, never guessed."""

    EXACT = "exact"  # 给予50万元
    CAP = "cap"  # 最高不超过50万元 / 不高于 / 以内 — an upper limit, never a floor
    FLOOR = "floor"  # 不少于2亿元 / 以上 / 不低于 — a lower limit
    APPROX = "approx"  # 约7.5亿元


class FigureKind(StrEnum):
    AMOUNT = "amount"  # money: value_fen (or low_fen/high_fen for a range)
    RATIO = "ratio"  # a share: value (Decimal fraction, 30% → 0.30) or low/high
    DURATION = "duration"  # 三年, 6个月: value + unit
    DATE = "date"  # 2022年9月6日: date (or year/month when partial)
    DEPARTMENT = "department"  # 牵头单位 / 责任单位: name + role
    BUDGET = "budget"  # 每年安排预算不少于…: an annual budget line; value_fen + bound
    QUANTITY = "quantity"  # 前200名, 500人: value + unit (counts that rules use as thresholds)


@dataclass(frozen=True, slots=True)
class Figure:
    """One typed value read from a clause, with the exact span it came from.

    Only the fields that make sense for ``kind`` are set; the rest stay ``None``.
    """

    kind: FigureKind
    text: str  # source_text[start:end]
    start: int
    end: int
    bound: Bound = Bound.EXACT
    value_fen: int | None = None  # AMOUNT / BUDGET, exact integer fen
    low_fen: int | None = None  # AMOUNT range "5—10万元"
    high_fen: int | None = None
    value: Decimal | None = None  # RATIO (fraction), DURATION, QUANTITY
    low: Decimal | None = None  # RATIO range "5—10%"
    high: Decimal | None = None
    unit: str | None = None  # DURATION: 年/月/日/个工作日; QUANTITY: 名/人/家/项 …
    date: date | None = None  # DATE (full dates)
    name: str | None = None  # DEPARTMENT: 区科技局
    role: str | None = None  # DEPARTMENT: 牵头 / 责任

    def to_json(self) -> dict:
        out: dict = {"kind": self.kind.value, "text": self.text, "span": [self.start, self.end]}
        if self.bound is not Bound.EXACT:
            out["bound"] = self.bound.value
        for key in ("value_fen", "low_fen", "high_fen", "unit", "name", "role"):
            v = getattr(self, key)
            if v is not None:
                out[key] = v
        for key in ("value", "low", "high"):
            v = getattr(self, key)
            if v is not None:
                out[key] = str(v)
        if self.date is not None:
            out["date"] = self.date.isoformat()
        return out


@dataclass(slots=True)
class Clause:
    """A numbered unit of a document (一、 / （一） / 1. / （1） / 第X条 / 第X章) or its preamble.

    ``id`` is ``<doc-id>/<label>/<label>…`` with labels as the document writes them, minus trailing
    punctuation: ``002/六``, ``003-12/第八条/（一）``, ``000/二/（二）/5``. Articles (第X条) are numbered
    through a whole document, so their id skips the chapter (第X章) that contains them, while the tree
    still hangs them under it.

    ``start``/``end`` cover the heading and the whole subtree; ``body_end`` is where the first child
    starts (== ``end`` for a leaf), so ``own_text`` is the clause without its children.
    """

    id: str
    doc_id: str
    label: str  # 六 / （一） / 1 / 第八条 / 前言
    heading: str  # the heading line's title text, e.g. "给予认定奖励" ("" when the clause has none)
    start: int
    end: int
    body_end: int
    level: int  # depth in the tree, 1 for top-level clauses
    parent_id: str | None = None
    children: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Dated:
    """A date the document states, or why it has none (``value is None`` ⇒ ``reason`` says why)."""

    value: date | None
    reason: str | None = None  # e.g. "文中未写明施行日期" / "自发布后30日施行，发布日期未写明"
    source: str | None = None  # the sentence it was read from
    span: tuple[int, int] | None = None

    def to_json(self) -> dict:
        return {
            "value": self.value.isoformat() if self.value else None,
            "reason": self.reason,
            "source": self.source,
            "span": list(self.span) if self.span else None,
        }


@dataclass(slots=True)
class Document:
    """One policy document. A source file holds one document, except 003 which holds about forty.

    ``id`` is the file's prefix (``000`` … ``004``) or, for the documents inside the compendium 003,
    ``003-NN`` numbered in the order they appear (01, 02, …): the source files are never edited, so
    the numbering is stable.
    """

    id: str
    file: str  # source file name, e.g. "003_4e297dd621b20189.txt"
    title: str
    issuers: list[str]
    doc_numbers: list[str]  # 文号, e.g. ["杭科资〔2020〕72号"]; several when jointly issued
    issued: Dated
    effective: Dated
    expires: Dated  # last day in force (inclusive)
    start: int  # span of the document inside its source file
    end: int
    clauses: dict[str, Clause] = field(default_factory=dict)  # by id, in document order
    top: list[str] = field(default_factory=list)  # ids of top-level clauses, in order
    notes: list[str] = field(default_factory=list)  # parse warnings: broken numbering etc.

    def in_force(self, day: date) -> bool | None:
        """True/False when the dates decide it; None when the text leaves it open."""
        if self.effective.value is None:
            return None
        if day < self.effective.value:
            return False
        if self.expires.value is not None and day > self.expires.value:
            return False
        return True


def byte_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Character offsets into ``text`` → UTF-8 byte offsets into the file it was decoded from."""
    b0 = len(text[:start].encode("utf-8"))
    return b0, b0 + len(text[start:end].encode("utf-8"))
