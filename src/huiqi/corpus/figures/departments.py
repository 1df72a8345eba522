"""Departments named in a clause's duty note: （牵头单位：区科技局；责任单位：区发改局、财政局）.

The texts write the note in four ways, all handled here:

- 002: ``（牵头单位：区科技局；责任单位：区发改局、财政局）`` — 牵头单位 (lead unit) and
  责任单位 (responsible units);
- 003: ``（牵头单位：市经信局，配合单位：市财政局…）`` — 配合单位 (supporting units), and
  ``〔责任单位：市市场监管局…，各区、县（市）政府（管委会）〕`` with 〔〕 or [] brackets;
- 003: ``（市地方金融监管局、市财政局…按职责分工负责）`` — no label, every body is 责任;
- 004: ``（责任单位：区科技局、…、零磁科学谷 排第一责任单位为牵头单位，下同）`` — the note says the first body
  listed is the lead, for this and every later list of the document (下同 = "the same below").

One DEPARTMENT figure per body, its span the body exactly as written (``财政局``). ``name`` is the
body with the level prefix the text leaves implicit restored: in ``区发改局、财政局`` the second body
is the district's (``区财政局``); a body that is not a 局/委/办 (``科创公司``) keeps its written name.
``role`` is 牵头 / 责任 / 配合.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache

from huiqi.corpus.model import Figure, FigureKind

_OPEN_TO_CLOSE = {"（": "）", "(": ")", "〔": "〕", "[": "]"}
_OPENER = re.compile(r"[（(〔\[]")
_LONGEST_NOTE = 1000  # characters; the longest duty note in the texts is about 200
# The label may be broken by the conversion's line breaks: "[责任单\n\n位：…".
_LABEL = re.compile(r"(牵|责|配)\s*(?:头|任|合)\s*单\s*位\s*[:：]")
_ROLE = {"牵": "牵头", "责": "责任", "配": "配合"}
_UNLABELLED_END = "按职责分工负责"
# 004: "排第一责任单位为牵头单位，下同"; 003 (高耗低效 document): "列第一位的为牵头单位，下同" — the first
# 责任单位 is the lead, here and in the later lists of the same document.
_FIRST_IS_LEAD = re.compile(r"排第一责任单位为牵头单位|列第一位的为牵头单位")
# A document of the compendium 003 starts with its 文号 on a line of its own: the note stops there.
_DOC_NUMBER_LINE = re.compile(r"^[^\n]{0,12}〔\d{4}〕\s*\d+\s*号[^\n]{0,30}$", re.M)
# "各区、县（市）政府" is one body although it contains 、: protect it before splitting on 、.
_DISTRICTS_AND_COUNTIES = re.compile(r"区、县（市）")
_SEPARATORS = "、，,；;及"
_LEVEL_PREFIXES = ("区", "市", "省", "国家", "浙江", "杭州", "人行", "各", "相关", "中国")
_ALIAS_NOTE = re.compile(r"（以下简称[^）]*）")


def _closing(text: str, i: int, limit: int) -> int | None:
    """Index of the bracket closing the one at ``i`` (nested （） allowed); None if not closed by limit."""
    stack = [_OPEN_TO_CLOSE[text[i]]]
    for j in range(i + 1, limit):
        ch = text[j]
        if ch in _OPEN_TO_CLOSE:
            stack.append(_OPEN_TO_CLOSE[ch])
        elif ch in ("）", ")", "〕", "]"):
            # Half- and full-width parentheses are mixed freely, and 〔 is sometimes closed by ].
            want = stack[-1]
            if ch == want or {ch, want} <= {"）", ")"} or {ch, want} <= {"〕", "]"}:
                stack.pop()
                if not stack:
                    return j
            else:
                return None
    return None


def _bodies(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Spans of the bodies listed in text[start:end], split on 、，；及 outside parentheses."""
    work = list(text[start:end])
    for m in _DISTRICTS_AND_COUNTIES.finditer(text, start, end):
        work[m.start() + 1 - start] = "\x00"
    depth, piece = 0, start
    for k, ch in enumerate(work, start):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
        elif depth == 0 and ch in _SEPARATORS:
            yield piece, k
            piece = k + 1
    yield piece, end


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    # A body ends at the first space: "零磁科学谷 排第一责任单位为牵头单位" keeps only the body.
    for k in range(s, e):
        if text[k] in " \u3000\t\n":
            e = k
            break
    return s, e


def _full_name(body: str, level: str | None) -> str:
    name = _ALIAS_NOTE.sub("", body)
    if level and not name.startswith(_LEVEL_PREFIXES) and name.endswith(("局", "委", "办")):
        return level + name
    return name


def _group_figures(text: str, start: int, end: int, first_is_lead: bool) -> list[Figure]:
    labels = list(_LABEL.finditer(text, start, end))
    if labels:
        segments = [
            (_ROLE[m.group(1)], m.end(), labels[k + 1].start() if k + 1 < len(labels) else end)
            for k, m in enumerate(labels)
        ]
    else:
        cut = text.find(_UNLABELLED_END, start, end)
        segments = [("责任", start, cut)]
    out: list[Figure] = []
    for role, s0, e_seg in segments:
        # A list ends at a full stop: "…，各区、县（市）政府。列第一位的为牵头单位，下同。"
        full_stop = text.find("。", s0, e_seg)
        e0 = e_seg if full_stop == -1 else full_stop
        level: str | None = None
        for k, (s, e) in enumerate(_bodies(text, s0, e0)):
            s, e = _trim(text, s, e)
            body = text[s:e]
            if not body or body == "下同" or _FIRST_IS_LEAD.search(body):
                continue
            if level is None:
                level = "区" if body.startswith("区") else "市" if body.startswith("市") else ""
            this_role = "牵头" if (role == "责任" and first_is_lead and not labels[1:] and k == 0) else role
            out.append(
                Figure(
                    kind=FigureKind.DEPARTMENT,
                    text=body,
                    start=s,
                    end=e,
                    name=_full_name(body, level),
                    role=this_role,
                )
            )
    return out


@lru_cache(maxsize=8)
def _landmarks(text: str) -> tuple[list[int], list[int]]:
    """Where documents start (文号 lines) and where lead notes stand; read once per source text, since
    the loader calls the extractor clause by clause on the same text."""
    doc_starts = [m.start() for m in _DOC_NUMBER_LINE.finditer(text)]
    notes = [m.start() for m in _FIRST_IS_LEAD.finditer(text)]
    return doc_starts, notes


def _first_is_lead(text: str, close: int) -> bool:
    """Whether a "first listed is the lead" note stands in this list or earlier in the same document."""
    doc_starts, notes = _landmarks(text)
    k = bisect_right(doc_starts, close)
    doc_start = doc_starts[k - 1] if k else 0
    n = bisect_right(notes, close)
    return n > 0 and notes[n - 1] >= doc_start


def extract_departments(text: str, start: int, end: int) -> list[Figure]:
    """DEPARTMENT figures of every duty note that lies wholly inside text[start:end]."""
    out: list[Figure] = []
    i = start
    while True:
        opener = _OPENER.search(text, i, end)
        if opener is None:
            break
        i = opener.start()
        close = _closing(text, i, min(end, i + _LONGEST_NOTE))
        if close is None:
            i += 1
            continue
        inner_start = i + 1
        labelled = _LABEL.match(text, inner_start) is not None
        inner = text[inner_start:close]
        # An unlabelled note is a bare list of bodies: no sentence end and no figures before the phrase.
        unlabelled = (
            not labelled
            and _UNLABELLED_END in inner
            and not re.search(r"[。\d]", inner[: inner.find(_UNLABELLED_END)])
        )
        if labelled or unlabelled:
            first_is_lead = _first_is_lead(text, close)
            out.extend(_group_figures(text, inner_start, close, first_is_lead))
            i = close + 1
        else:
            i += 1
    return out
