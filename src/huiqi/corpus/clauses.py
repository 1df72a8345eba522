"""The clause tree (条款树) of one policy document: numbered headings → citable ``Clause`` objects.

A document numbers its parts in its own way — 第X章 / 第X条 / 一、 / （一） / 1. / （1） / 1) — and
nests them differently (（一） under 一、 in one document, 1. directly under 第八条 in another). The
parser never assumes a fixed hierarchy: the level of a numbering style is decided by where it first
appears, inside its parent, and every number is checked against the sequence it continues. The
rules, and the clause-id scheme that every rule of the project cites, are written down in
``docs/clauses.md``.

Entry point: :func:`parse_clauses`. It only reads the text; it never edits or normalises it, so
``text[c.start:c.end]`` is always the exact source of a clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from huiqi.corpus.model import Clause

__all__ = ["PREAMBLE", "LabelMatch", "cn_number", "match_label", "parse_clauses"]

PREAMBLE = "前言"  # label and id segment of the text before the first heading

# Numbering styles. The name of a style is the shape of its first label.
CHAPTER = "第X章"
ARTICLE = "第X条"
CN = "一、"  # Chinese numeral + 、 (or ．)
PAREN_CN = "（一）"  # （一） and half-width (一)
NUM = "1."  # 1. / 1． / 1、
PAREN_NUM = "（1）"  # （1） and half-width (1)
NUM_PAREN = "1)"  # 1) / 1）

_CN = "一二三四五六七八九十百零〇两"
_CN_DIGIT = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))

# What may stand before a heading on its line: spaces (also full-width), conversion residue
# "[bookmark: …]", a Markdown list dash "- " and Markdown bold "**" (003 carries both).
_LEAD = re.compile(r"(?:[ \t\u3000]+|\[bookmark:[^\]\n]*\]|- |\*\*)*")

# One label at a given position. Order matters: 第X章/第X条 before bare numerals.
_LABEL = re.compile(
    rf"""
    第(?P<chapter>[{_CN}]+)章(?=[ \t\u3000]|$)       # 第三章 总 则 — always followed by a space
  | 第(?P<article>[{_CN}]+)条(?=[ \t\u3000]|$)       # 第八条 … — a space: "第五条规定" is a reference
  | (?P<cn>[{_CN}]+)[、．]                            # 二、 ("二、三等奖" is left to the sequence check)
  | [（(][ \t]*(?P<paren_cn>[{_CN}]+)[ \t]*[)）]      # （一） (一) ( 一 )
  | [（(][ \t]*(?P<paren_num>\d{{1,3}})[ \t]*[)）]    # （1） (1)
  | (?P<num_paren>\d{{1,3}})[)）]                     # 1) 1）
  | (?P<num>\d{{1,3}})(?:[.．](?!\d)|、)              # 1. 1． 1、 but not 1.5亿元
    """,
    re.VERBOSE | re.MULTILINE,
)
_STYLE_OF_GROUP = {
    "chapter": CHAPTER,
    "article": ARTICLE,
    "cn": CN,
    "paren_cn": PAREN_CN,
    "paren_num": PAREN_NUM,
    "num_paren": NUM_PAREN,
    "num": NUM,
}

# Items that run on inside one paragraph, as in 000's 附则 5 ("…兑现：（1）研发资助：…。（2）投资资助：…")
# and 003's 第三条 ("…包括:(1)…;(2)…"): a parenthesised label right after a colon or a sentence end.
_INLINE = re.compile(rf"(?<=[：:。；;])[ \t\u3000]*(?=[（(][ \t]*(?:[{_CN}]+|\d{{1,3}})[ \t]*[)）])")

_TITLE_END = "。：:；;"
_MAX_TITLE = 24  # a lead phrase longer than this is a sentence of the body, not a title
_MAX_SECTION_TITLE = 60


@dataclass(frozen=True, slots=True)
class LabelMatch:
    """A heading label found in the text: its style, its number and its normalised form."""

    style: str
    number: int
    label: str  # normalised: 六 / （一） / 1 / （1） / 第八条
    start: int  # first character of the label as written
    end: int  # just after the label as written (and its punctuation)


def cn_number(numeral: str) -> int:
    """Value of a Chinese numeral as documents write it: 三, 十六, 二十二, 五十, 一百零五."""
    if not numeral or any(ch not in _CN for ch in numeral):
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    total, digit = 0, None
    for ch in numeral:
        if ch == "百":
            total += (digit if digit is not None else 1) * 100
            digit = None
        elif ch == "十":
            total += (digit if digit is not None else 1) * 10
            digit = None
        else:
            digit = _CN_DIGIT[ch]
    return total + (digit or 0)


def match_label(text: str, pos: int) -> LabelMatch | None:
    """The heading label written exactly at ``text[pos]``, or None."""
    m = _LABEL.match(text, pos)
    if m is None:
        return None
    group = m.lastgroup
    assert group is not None
    raw = m.group(group)
    style = _STYLE_OF_GROUP[group]
    number = int(raw) if style in (NUM, PAREN_NUM, NUM_PAREN) else cn_number(raw)
    if style == CHAPTER:
        label = f"第{raw}章"
    elif style == ARTICLE:
        label = f"第{raw}条"
    elif style in (PAREN_CN, PAREN_NUM):
        label = f"（{raw}）"  # half-width (1) is normalised to full-width （1）
    else:
        label = raw
    if number <= 0:
        return None
    return LabelMatch(style, number, label, m.start(), m.end())


@dataclass(slots=True)
class _Candidate:
    """A heading-looking label before the tree decides whether it is a heading."""

    mark: LabelMatch
    line_no: int  # 1-based line of the source file
    heading: str
    # "二、三等奖…": a numeral right after the label reads as a list of numerals, a sign of body text
    numeral_follows: bool = False


@dataclass(slots=True)
class _Node:
    cand: _Candidate
    parent: _Node | None
    depth: int
    children: list[_Node] = field(default_factory=list)
    id: str = ""


def parse_clauses(
    text: str, start: int, end: int, doc_id: str
) -> tuple[dict[str, Clause], list[str], list[str]]:
    """Clause tree of the document occupying ``text[start:end]`` (``text`` = the whole source file).

    Returns ``(clauses, top, notes)``: the clauses by id in document order, the ids of the top-level
    clauses in order, and numbering warnings that name the document and source line (broken or
    repeated numbers, heading-looking tokens kept as text). Never raises on odd numbering.
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"{doc_id}: span {start}:{end} lies outside a text of {len(text)} characters")
    candidates = _candidates(text, start, end)
    notes: list[str] = []
    roots = _build_tree(candidates, doc_id, notes)
    return _to_clauses(text, start, end, doc_id, roots, notes)


# --- finding candidates -------------------------------------------------------------------------


def _candidates(text: str, start: int, end: int) -> list[_Candidate]:
    """Every label that starts a line of ``text[start:end]``, and the run-on items inside lines."""
    out: list[_Candidate] = []
    line_no = text.count("\n", 0, start) + 1
    ls = start
    while ls < end:
        le = text.find("\n", ls, end)
        le = end if le < 0 else le
        lead = _LEAD.match(text, ls, le)
        pos = lead.end() if lead else ls
        mark = _match_in_line(text, pos, le)
        line_marks = ([mark] if mark else []) + _inline_run(text, mark.end if mark else pos, le)
        for k, m in enumerate(line_marks):
            stop = line_marks[k + 1].start if k + 1 < len(line_marks) else le
            follows = m.style == CN and m.end < le and text[m.end] in _CN
            out.append(_Candidate(m, line_no, _title(text[m.end : stop], m.style), follows))
        ls = le + 1
        line_no += 1
    return out


def _match_in_line(text: str, pos: int, line_end: int) -> LabelMatch | None:
    mark = match_label(text, pos)
    if mark is None or mark.end > line_end:
        return None
    return mark


def _inline_run(text: str, pos: int, line_end: int) -> list[LabelMatch]:
    """The run-on items of one paragraph: （1）… then （2）… in sequence, or [].

    Only a run that starts at 1 right after a colon and continues 2, 3 … after sentence ends counts:
    a lone "（一）中所述" in a sentence is a reference, not an item.
    """
    found: list[LabelMatch] = []
    for gap in _INLINE.finditer(text, pos, line_end):
        m = match_label(text, gap.end())
        if m is None or m.style not in (PAREN_NUM, PAREN_CN):
            continue
        if not found:
            if m.number == 1 and text[gap.start() - 1] in "：:":
                found.append(m)
        elif m.style == found[0].style and m.number == found[-1].number + 1:
            found.append(m)
    return found if len(found) >= 2 else []


def _title(rest: str, style: str) -> str:
    """The title a heading line gives its clause: "给予认定奖励", "主要目标", or "" for a plain sentence."""
    rest = rest.replace("**", "").strip(" \t\u3000\r")
    cut = min((rest.find(ch) for ch in _TITLE_END if ch in rest), default=-1)
    if cut < 0:
        # A line of its own is a title: section titles (一、 / 第X章) may be long; for items a long
        # line without punctuation is a sentence hard-wrapped by the conversion.
        limit = _MAX_SECTION_TITLE if style in (CN, CHAPTER) else _MAX_TITLE
        return rest if len(rest) <= limit else ""
    lead = rest[:cut].strip()
    # "主要目标。到2025年…" has a title; "第十条 企业研发费用的补助经费由…，…。" has none.
    if len(lead) <= _MAX_TITLE and not any(ch in lead for ch in "，,；;"):
        return lead
    return ""


# --- building the tree --------------------------------------------------------------------------


def _build_tree(cands: list[_Candidate], doc_id: str, notes: list[str]) -> list[_Node]:
    """Place each candidate in the tree, or keep it as text when it breaks every sequence it could join.

    A stack holds the open clauses, one per level. A label whose style is open on the stack is the
    next sibling at that level; a style not on the stack opens a new level under the innermost clause.
    """
    roots: list[_Node] = []
    stack: list[_Node] = []
    # The last number each style reached, wherever it was: numbering often runs on from one parent
    # to the next (000: 1.–4. under （一）, 5. under （二）; 003's 大学生 plan: 1.–22. under 二、's
    # （一）–（五）, then 23. directly under 三、).
    last_of: dict[str, int] = {}

    for idx, cand in enumerate(cands):
        mark = cand.mark
        level = _open_level(stack, mark.style)
        if level is not None:
            prev = stack[level].cand.mark.number
            problem = None if mark.number == prev + 1 else _sequence_problem(prev, mark.number)
            scope = stack[: level + 1]
        else:
            run_on = last_of.get(mark.style)
            problem = None
            if mark.number not in (1, (run_on or 0) + 1):
                expected = "1" if run_on is None else f"1 or {run_on + 1}"
                problem = f"opens a list at {mark.number} (expected {expected})"
            scope = stack
        if problem is not None:
            where = f"{doc_id} line {cand.line_no}: {mark.label}"
            if not _confirmed(cands, idx, scope):
                notes.append(f"{where} {problem}; kept as text")
                continue
            notes.append(f"{where} {problem}")
        if level is not None:
            del stack[level:]
        parent = stack[-1] if stack else None
        node = _Node(cand, parent, len(stack) + 1)
        (parent.children if parent else roots).append(node)
        stack.append(node)
        last_of[mark.style] = mark.number
    return roots


def _open_level(stack: list[_Node], style: str) -> int | None:
    """Index of the innermost open clause numbered in ``style``, if any."""
    for i in range(len(stack) - 1, -1, -1):
        if stack[i].cand.mark.style == style:
            return i
    return None


def _sequence_problem(prev: int, number: int) -> str:
    if number == prev:
        return f"repeats number {number}"
    if number < prev:
        return f"goes back from {prev} to {number}"
    return f"skips from {prev} to {number}"


def _confirmed(cands: list[_Candidate], idx: int, open_levels: list[_Node]) -> bool:
    """Is an out-of-sequence label a real heading? Yes if the text goes on numbering after it.

    Looks ahead for the next label of the same style before the list is closed by a label of a
    style open above it; the label is a heading if that next one is its successor (一、 二、 四、 五、:
    四 is a heading after a gap). An out-of-sequence "二、三等奖…" is a wrapped sentence, never a heading
    (in sequence, "三、五大产业生态圈…" is a heading).
    """
    if cands[idx].numeral_follows:
        return False
    mark = cands[idx].mark
    above = {n.cand.mark.style for n in open_levels if n.cand.mark.style != mark.style}
    for later in cands[idx + 1 :]:
        style = later.mark.style
        if style == mark.style:
            return later.mark.number == mark.number + 1
        if style in above:
            return False
    return False


# --- ids, spans, Clause objects -----------------------------------------------------------------


def _to_clauses(
    text: str, start: int, end: int, doc_id: str, roots: list[_Node], notes: list[str]
) -> tuple[dict[str, Clause], list[str], list[str]]:
    clauses: dict[str, Clause] = {}
    top: list[str] = []

    first = roots[0].cand.mark.start if roots else end
    # A preamble only when there is text before the first heading, not just spaces or residue.
    if not roots or _LEAD.sub("", text[start:first]).strip():
        preamble = Clause(
            id=f"{doc_id}/{PREAMBLE}",
            doc_id=doc_id,
            label=PREAMBLE,
            heading="",
            start=start,
            end=first,
            body_end=first,
            level=1,
        )
        clauses[preamble.id] = preamble
        top.append(preamble.id)

    def add(nodes: list[_Node], parent_end: int) -> None:
        # A clause runs to the next sibling, or to where its parent ends (the document end at the top).
        for k, node in enumerate(nodes):
            mark = node.cand.mark
            node_end = nodes[k + 1].cand.mark.start if k + 1 < len(nodes) else parent_end
            node.id = _unique_id(node, doc_id, clauses, notes)
            clauses[node.id] = Clause(
                id=node.id,
                doc_id=doc_id,
                label=mark.label,
                heading=node.cand.heading,
                start=mark.start,
                end=node_end,
                body_end=node.children[0].cand.mark.start if node.children else node_end,
                level=node.depth,
                parent_id=node.parent.id if node.parent else None,
            )
            if node.parent is None:
                top.append(node.id)
            else:
                clauses[node.parent.id].children.append(node.id)
            add(node.children, node_end)

    add(roots, end)
    return clauses, top, notes


def _unique_id(node: _Node, doc_id: str, clauses: dict[str, Clause], notes: list[str]) -> str:
    """``<parent id>/<label>``; an article (第X条) is ``<doc>/<label>``, skipping its chapter.

    A label the text really repeats under one parent gets ``#2``, ``#3`` … in document order.
    """
    label = node.cand.mark.label
    if node.parent is None or node.cand.mark.style == ARTICLE:
        base = f"{doc_id}/{label}"
    else:
        base = f"{node.parent.id}/{label}"
    if base not in clauses:
        return base
    k = 2
    while f"{base}#{k}" in clauses:
        k += 1
    notes.append(f"{doc_id} line {node.cand.line_no}: {label} repeats {base}; its id is {base}#{k}")
    return f"{base}#{k}"
