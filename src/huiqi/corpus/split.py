"""Splitting a source text into its documents.

Most files hold one document. The compendium 003 holds about forty Hangzhou city documents one after
another. Each document begins with a *head*: optional issuer lines (发文机关, e.g. "杭州市科学技术局
杭州市财政局"), then a title that ends in a document kind (通知 / 意见 / 办法 / 方案 / 计划 / 政策 /
措施 …), sometimes broken over several lines. Two shapes occur:

* a notice wrapper (印发通知, "关于印发《…》的通知") with its 文号, addressees, signature and date,
  followed by the body that starts with its own title (the *body head*); notice + body are ONE document;
* a document without wrapper: issuers and title, then the body directly.

So a head starts a new document unless it is the body head of the notice just before it (its title
is the one the notice announces). The split never looks at the clause numbering.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# A title ends in a document kind, optionally followed by parentheticals: （征求意见稿）, （2021—2025年）.
_TITLE_END = re.compile(
    r"(通知|意见|办法|方案|计划|政策|措施|规定|细则|决定|规划|纲要|条例|规则|指南|指引|公告|通告)(?:[（(][^（）()]{1,20}[）)])*$"
)
# A heading or list item inside a body: 第一章 / 第三条 / 一、 / （一） / (一) / 1. / 1、 / - 。
_NUMBERED = re.compile(
    r"^(第[一二三四五六七八九十百零〇\d]+[章条节]|[一二三四五六七八九十]+[、.．]|"
    r"[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|[-—－•·*]\s)"
)
# Sentence punctuation never appears in a title line.
_SENTENCE_PUNCT = re.compile(r"[。；：:，,！？]")
_NOTICE = re.compile(r"(印发|转发|颁发).*通知$")
# A line that is only a date: the signature date of a notice or document ("2020年7月9日",
# "2017 年 1 月 6 日", "二〇一八年五月二十九日").
DATE_LINE = re.compile(
    r"^\s*(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*$"
)
_MAX_TITLE_LINES = 5
_MAX_TITLE_CHARS = 150
_MAX_BLANK_GAP = 2  # 002 writes its title as "…“两链”", blank line, "深度融合的若干政策"

ORG_SUFFIX = re.compile(
    r"(委员会|人民政府|政府|办公厅|办公室|管委会|管理委员会|党委|党工委|工作委员会|区委|市委|县委|"
    r"组织部|宣传部|统战部|局|厅|委|院|联合会|中心|集团)$"
)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the source: ``text`` is ``source[start:end]`` without its line end."""

    no: int  # 1-based line number in the source file
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Head:
    """A document head: issuer lines and a title, possibly over several lines."""

    start: int  # offset of the first head line (issuer or title)
    end: int  # end of the last title line
    first_line: int  # line numbers (1-based) of the head
    last_line: int
    title_start: int  # offset where the title lines begin (after issuer-only lines)
    raw_title: str  # the title lines joined, markup ("**") removed, whitespace as written
    issuer_lines: tuple[str, ...]  # issuer-only lines before the title (as written)

    @property
    def compact_title(self) -> str:
        return re.sub(r"\s+", "", self.raw_title)

    @property
    def is_notice(self) -> bool:
        return bool(_NOTICE.search(self.compact_title))


@dataclass(frozen=True, slots=True)
class Part:
    """One document found in a source text: its span and its head(s)."""

    start: int
    end: int  # trailing whitespace excluded
    head: Head | None  # None when the text has no recognisable title at all
    body_head: Head | None = None  # the body's own title after a notice wrapper


def lines_of(text: str, start: int = 0, end: int | None = None, numbered: bool = True) -> list[Line]:
    """The lines of ``text[start:end]`` with their offsets. Line numbers count from the file start;
    ``numbered=False`` leaves them 0 (counting them costs a scan of the text before ``start``)."""
    end = len(text) if end is None else end
    out: list[Line] = []
    no = text.count("\n", 0, start) + 1 if numbered else 0
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append(Line(no, pos, stop, text[pos:stop]))
        no += 1 if numbered else 0
        pos = stop + 1
    return out


_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")


def clean_line(text: str) -> str:
    """A line without conversion markup (``**`` bold, ``[bookmark: …]``) and outer whitespace."""
    if "[" in text:
        text = _BOOKMARK.sub("", text)
    return text.replace("**", "").strip()


def is_issuer_line(text: str) -> bool:
    """A line made only of organisation names, e.g. "中共杭州市委 杭州市人民政府", "杭 州 市 财 政 局"."""
    tokens = clean_line(text).split()
    if not tokens:
        return False
    if all(len(t) == 1 for t in tokens):  # letter-spaced signature: 杭 州 市 财 政 局
        tokens = ["".join(tokens)]
    return all(ORG_SUFFIX.search(t) and len(t) <= 30 and not _SENTENCE_PUNCT.search(t) for t in tokens)


def split_issuers(text: str) -> list[str]:
    """The organisation names of an issuer line, letter-spacing removed."""
    tokens = clean_line(text).split()
    if tokens and all(len(t) == 1 for t in tokens):
        return ["".join(tokens)]
    return tokens


def _may_be_title_line(text: str) -> bool:
    c = clean_line(text)
    if not (2 <= len(c) <= _MAX_TITLE_CHARS):
        return False
    if "\t" in c or _SENTENCE_PUNCT.search(c) or _NUMBERED.match(c) or DATE_LINE.match(c):
        return False
    return not c.startswith(("《", "本", "附件", "（此件", "(此件", "抄送", "附："))


def find_heads(text: str, start: int = 0, end: int | None = None) -> list[Head]:
    """Every document head in ``text[start:end]``, in order."""
    lines = lines_of(text, start, end)
    heads: list[Head] = []
    i = 0
    while i < len(lines):
        head, next_i = _head_at(lines, i)
        if head is None:
            i += 1
            continue
        heads.append(head)
        i = next_i
    return heads


def _head_at(lines: list[Line], i: int) -> tuple[Head | None, int]:
    """The head whose title starts at line ``i`` (joining up to a few lines), if there is one."""
    if not _may_be_title_line(lines[i].text):
        return None, i + 1
    taken = [i]
    j = i
    while True:
        joined = "".join(clean_line(lines[k].text) for k in taken)
        compact = re.sub(r"\s+", "", joined)
        if _TITLE_END.search(compact) and not (len(taken) == 1 and is_issuer_line(lines[i].text)):
            break
        # extend to the next non-blank line, across at most _MAX_BLANK_GAP blank lines
        j += 1
        gap = 0
        while j < len(lines) and not lines[j].text.strip():
            gap += 1
            j += 1
        if (
            j >= len(lines)
            or gap > _MAX_BLANK_GAP
            or len(taken) >= _MAX_TITLE_LINES
            or not _may_be_title_line(lines[j].text)
        ):
            return None, i + 1
        taken.append(j)
    # Issuer-only lines directly above the title (blank lines allowed) belong to the head; a date
    # line or any other text stops the walk, so a previous document's signature is never taken.
    first = i
    k = i - 1
    issuer_lines: list[str] = []
    while k >= 0 and (not lines[k].text.strip() or is_issuer_line(lines[k].text)):
        if lines[k].text.strip():
            first = k
            issuer_lines.insert(0, lines[k].text)
        k -= 1
    # Issuer-only lines at the top of the title itself ("**杭州市人民政府 浙江省科学技术厅" …)
    title_from = 0
    while title_from < len(taken) - 1 and is_issuer_line(lines[taken[title_from]].text):
        issuer_lines.append(lines[taken[title_from]].text)
        title_from += 1
    title_lines = taken[title_from:]
    raw = "".join(clean_line(lines[k].text) for k in title_lines)
    head = Head(
        start=lines[first].start,
        end=lines[taken[-1]].end,
        first_line=lines[first].no,
        last_line=lines[taken[-1]].no,
        title_start=lines[title_lines[0]].start,
        raw_title=raw,
        issuer_lines=tuple(issuer_lines),
    )
    return head, taken[-1] + 1


def announced_title(notice: Head) -> str:
    """What a notice announces: the 《…》 name, else the words between 印发/转发 and 的通知."""
    compact = notice.compact_title
    m = re.search(r"《(.+)》", compact)
    if m:
        return m.group(1)
    m = re.search(r"(?:印发|转发|颁发)(.+?)的?通知$", compact)
    return m.group(1) if m else compact


def _is_body_of(notice: Head, head: Head) -> bool:
    """True when ``head`` is the title of the document that ``notice`` announces."""
    if head.is_notice:
        return False
    want = announced_title(notice)
    got = head.compact_title
    if got in want or want in got:
        return True
    return difflib.SequenceMatcher(None, want, got).ratio() >= 0.8


def split_documents(text: str) -> list[Part]:
    """The documents of a source text, in order. Text before the first head goes to the first
    document; a text with no head at all is one document."""
    heads = find_heads(text)
    starts: list[tuple[Head, Head | None]] = []
    for head in heads:
        if starts and starts[-1][0].is_notice and starts[-1][1] is None and _is_body_of(starts[-1][0], head):
            starts[-1] = (starts[-1][0], head)
        else:
            starts.append((head, None))
    if not starts:
        s, e = _trim(text, 0, len(text))
        return [Part(s, e, None)]
    parts: list[Part] = []
    for n, (head, body) in enumerate(starts):
        begin = 0 if n == 0 else head.start
        stop = starts[n + 1][0].start if n + 1 < len(starts) else len(text)
        s, e = _trim(text, begin, stop)
        parts.append(Part(s, e, head, body))
    return parts


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
