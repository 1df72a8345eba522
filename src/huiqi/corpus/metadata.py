"""A document's metadata read from its own text: title, issuing bodies (发文机关), 文号 (document
number), issue date (成文日期, the date line under the signature), effective date (施行日期) and
expiry (有效期, last day in force, inclusive).

Nothing is guessed: when the text does not say, the value is ``None`` and ``Dated.reason`` says why.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from huiqi.corpus.clauses import cn_number
from huiqi.corpus.model import Dated
from huiqi.corpus.split import DATE_LINE, Line, Part, announced_title, is_issuer_line, lines_of, split_issuers

# 文号: issuer abbreviation, year in 〔〕 (sometimes [] or ［］), serial number, 号 — spaces as written.
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[［]\s*\d{4}\s*[〕\]］]\s*\d+\s*号")

_YEAR_DIGITS = "〇一二三四五六七八九零"  # index % 10 is the digit: 〇/零 → 0
_NUM = r"\d+|[〇零一二三四五六七八九十两]+"
_DATE = rf"(?P<y>\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*日"
_MONTH = rf"(?P<y>\d{{4}})\s*年\s*(?P<m>{_NUM})\s*月(?!\s*(?:{_NUM})\s*日)"
_IN_FORCE = r"(?:起\s*)?(?:施行|实施|生效|执行)"

# "本办法自2018年7月1日起施行" / "本办法自 2019 年 11 月 25 日实施" / "…，自 2020 年 8 月 3 日起施行"
_EFFECTIVE_ON = re.compile(rf"自\s*{_DATE}\s*{_IN_FORCE}")
# "本意见自发布之日起实施" / "自印发之日起施行" / "本方案自公布之日起施行"
_EFFECTIVE_ON_ISSUE = re.compile(r"自\s*(?P<what>发布|印发|公布|颁布|发文)之日起\s*(?:施行|实施|生效|执行)")
# "本意见自发布后30日施行" / "自印发之日起30日后施行"
_EFFECTIVE_AFTER = re.compile(
    rf"自\s*(?P<what>发布|印发|公布|颁布)(?:之日起|后)\s*(?P<n>{_NUM})\s*日(?:后)?\s*{_IN_FORCE}"
)
# 001: "本文件明确的各项政策除标明具体实施期限外，均为2023年全年实施有效"
_WHOLE_YEAR = re.compile(r"(?P<y>\d{4})\s*年全年(?:实施)?有效")

_UNTIL_DATE = re.compile(rf"(?:有效期至|有效期到|至)\s*{_DATE}\s*止?")
_UNTIL_MONTH = re.compile(rf"有效期(?:至|到)\s*{_MONTH}")
_FOR_YEARS = re.compile(rf"有效期\s*(?:为\s*)?(?P<n>{_NUM})\s*年")


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str
    issuers: list[str]
    doc_numbers: list[str]
    issued: Dated
    effective: Dated
    expires: Dated
    notes: list[str]


def read_metadata(text: str, part: Part) -> Metadata:
    """Everything :class:`~huiqi.corpus.model.Document` needs besides its clauses."""
    notes: list[str] = []
    title = document_title(text, part)
    if not title:
        notes.append("no title found: the document has no line that reads like a title")
    elif part.head is not None and part.head.is_notice and part.body_head is None:
        notes.append(
            f"the notice announces 《{announced_title(part.head)}》 but no body with that title follows"
        )
    lines = lines_of(text, part.start, part.end, numbered=False)
    issued = issue_date(lines)
    effective, expires = validity(text, part, issued, draft="征求意见稿" in title)
    return Metadata(
        title=title,
        issuers=issuers(lines, part),
        doc_numbers=doc_numbers(text, part),
        issued=issued,
        effective=effective,
        expires=expires,
        notes=notes,
    )


# --- title and issuers ---------------------------------------------------------------------------


def compact(text: str) -> str:
    """Whitespace removed except between two Latin letters/digits: the spaces inside the titles of
    these texts are residue of line breaks ("杭州市科技型企业研发 费用投入…"), not part of the title."""
    return re.sub(
        r"\s+",
        lambda m: (
            " "
            if m.start() > 0
            and m.end() < len(m.string)
            and m.string[m.start() - 1].isascii()
            and m.string[m.start() - 1].isalnum()
            and m.string[m.end()].isascii()
            and m.string[m.end()].isalnum()
            else ""
        ),
        text,
    ).strip()


def document_title(text: str, part: Part) -> str:
    """The document's own title: the body title after a notice wrapper, else the head title without
    its issuer prefix ("杭州市人民政府关于…的实施意见" → "关于…的实施意见"). A "（征求意见稿）" line right
    under the title is kept, so a draft says so in its title."""
    head = part.head
    if head is None:
        return ""
    if head.is_notice:
        title_head = part.body_head
        title = compact(title_head.raw_title) if title_head else announced_title(head)
    else:
        title_head = head
        title = compact(head.raw_title)
        prefix, sep, rest = title.partition("关于")
        if sep and (not prefix or _all_orgs(head.raw_title.partition("关于")[0])):
            title = sep + rest
    if title_head is not None:
        after = lines_of(text, title_head.end, min(len(text), title_head.end + 200), numbered=False)
        for line in after[1:3]:
            c = compact(line.text)
            if c in ("（征求意见稿）", "(征求意见稿)"):
                title += "（征求意见稿）"
                break
            if c:
                break
    return title


def _all_orgs(prefix: str) -> bool:
    prefix = prefix.replace("**", "").strip()
    return bool(prefix) and is_issuer_line(prefix)


def issuers(lines: list[Line], part: Part) -> list[str]:
    """Issuing bodies: the signature above the date line (full names), else the signature at the end
    of the text, else the head (issuer lines and the prefix before 关于/印发 in the title).
    ``lines`` are the lines of the document."""
    date_at = next((i for i, ln in enumerate(lines) if DATE_LINE.match(ln.text)), None)
    found = _issuers_above(lines, date_at if date_at is not None else len(lines))
    if found:
        return found
    head = part.head
    if head is None:
        return []
    out: list[str] = []
    for line in head.issuer_lines:
        if is_issuer_line(line):
            out.extend(split_issuers(line))
    m = re.match(r"^(.+?)(?:关于|印发|转发)", head.raw_title)
    if m and is_issuer_line(m.group(1)):
        out.extend(split_issuers(m.group(1)))
    return _unique(out)


def _issuers_above(lines: list[Line], stop: int) -> list[str]:
    names: list[str] = []
    k = stop - 1
    while k >= 0 and (not lines[k].text.strip() or is_issuer_line(lines[k].text)):
        if lines[k].text.strip():
            names[:0] = [n for n in re.split(r"\s{2,}|\t", lines[k].text.replace("**", "").strip())]
        k -= 1
    out: list[str] = []
    for chunk in names:
        out.extend(split_issuers(chunk))
    return _unique(out)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- 文号 ------------------------------------------------------------------------------------------


def doc_numbers(text: str, part: Part) -> list[str]:
    """The 文号 on the line(s) right under the (notice) title, as written ("杭政函〔2021〕92 号")."""
    head = part.head
    if head is None:
        return []
    out: list[str] = []
    # the 文号 sits within a few lines under the title
    for line in lines_of(text, head.end, min(part.end, head.end + 400), numbered=False)[1:6]:
        stripped = line.text.strip()
        if not stripped:
            continue
        found = DOC_NUMBER.findall(stripped)
        if not found or DOC_NUMBER.sub("", stripped).strip():
            break
        out.extend(f.strip() for f in found)
    return out


def normalize_doc_number(number: str) -> str:
    """A 文号 for matching: no spaces, brackets as 〔〕 ("杭政函〔2021〕92 号" → "杭政函〔2021〕92号")."""
    number = re.sub(r"\s+", "", number)
    return number.translate(str.maketrans({"[": "〔", "［": "〔", "]": "〕", "］": "〕"}))


# --- dates -----------------------------------------------------------------------------------------


def number(s: str) -> int:
    """Arabic or Chinese numerals: "30", "三", "二十九", and years written digit by digit ("二〇二〇")."""
    if s.isdigit():
        return int(s)
    if len(s) == 4 and all(c in _YEAR_DIGITS for c in s):
        return int("".join(str(_YEAR_DIGITS.index(c) % 10) for c in s))
    return cn_number(s)


def _date_of(m: re.Match) -> date | None:
    try:
        return date(number(m.group("y")), number(m.group("m")), number(m.group("d")))
    except (ValueError, KeyError):
        return None


def issue_date(lines: list[Line]) -> Dated:
    """成文日期: the first of the document's ``lines`` that is only a date (under the notice's
    signature or at the end of a document without wrapper)."""
    for line in lines:
        m = DATE_LINE.match(line.text)
        if m:
            m2 = re.search(_DATE, line.text)
            value = _date_of(m2) if m2 else None
            if value is not None:
                s = line.start + m2.start()
                return Dated(value, None, line.text.strip(), (s, line.start + m2.end()))
    return Dated(None, "文中未写明成文（印发）日期")


def validity(text: str, part: Part, issued: Dated, draft: bool = False) -> tuple[Dated, Dated]:
    """(effective, expires) from the document's own 施行 / 有效期 sentence: the last such sentence in
    the document (the final provisions), so a sentence about a repealed document never wins."""
    body = text[part.start : part.end]
    candidates: list[tuple[int, str, re.Match]] = []
    for kind, pattern in (
        ("on", _EFFECTIVE_ON),
        ("on_issue", _EFFECTIVE_ON_ISSUE),
        ("after", _EFFECTIVE_AFTER),
        ("year", _WHOLE_YEAR),
    ):
        candidates.extend((m.start(), kind, m) for m in pattern.finditer(body))
    if not candidates:
        return (
            Dated(None, "文中未写明施行日期"),
            Dated(None, "文中未写明有效期"),
        )
    _, kind, m = max(candidates, key=lambda c: c[0])
    s_start, s_end = _sentence(body, m.start(), m.end())
    sentence = body[s_start:s_end]
    span = (part.start + s_start, part.start + s_end)

    if kind == "year":
        y = int(m.group("y"))
        return (
            Dated(date(y, 1, 1), None, sentence, span),
            Dated(date(y, 12, 31), None, sentence, span),
        )
    if kind == "on":
        effective = Dated(_date_of(m), None, sentence, span)
    elif issued.value is None:
        why = "发布日期未定" if draft else "印发日期文中未写明"
        effective = Dated(None, f"{'征求意见稿，' if draft else ''}{why}，{m.group(0)}", sentence, span)
    elif kind == "on_issue":
        effective = Dated(issued.value, None, sentence, span)
    else:
        effective = Dated(issued.value + timedelta(days=number(m.group("n"))), None, sentence, span)
    return effective, _expiry(sentence, span, effective)


def _expiry(sentence: str, span: tuple[int, int], effective: Dated) -> Dated:
    m = _UNTIL_DATE.search(sentence)
    if m:
        return Dated(_date_of(m), None, sentence, span)
    m = _UNTIL_MONTH.search(sentence)
    if m:
        y, mo = int(m.group("y")), number(m.group("m"))
        return Dated(date(y, mo, calendar.monthrange(y, mo)[1]), None, sentence, span)
    m = _FOR_YEARS.search(sentence)
    if m:
        if effective.value is None:
            return Dated(None, f"{m.group(0)}，自施行之日起算，施行日期未定", sentence, span)
        return Dated(
            add_years(effective.value, number(m.group("n"))) - timedelta(days=1), None, sentence, span
        )
    return Dated(None, "文中未写明有效期", sentence, span)


def add_years(day: date, years: int) -> date:
    """Same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _sentence(body: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``body[start:end]``: from after the previous 。/line break to the next 。."""
    s = max(body.rfind("。", 0, start), body.rfind("\n", 0, start)) + 1
    stops = [i for i in (body.find("。", end), body.find("\n", end)) if i >= 0]
    e = min(stops) + 1 if stops else len(body)
    if body[e - 1 : e] == "\n":
        e -= 1
    while s < e and body[s].isspace():
        s += 1
    return s, e
