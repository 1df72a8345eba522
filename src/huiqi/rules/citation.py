"""Citation checks (引文核对): every quote in a rule file must be in its clause, verbatim.

"Verbatim" tolerates whitespace only: the source files break lines and put spaces inside sentences
(``2023 年 12 月``), so whitespace is ignored on both sides and nothing else is.

The clause tree is the corpus's (``huiqi.corpus.load.load_corpus``); while that module is not
available, a small reader of the numbered headings (``三、`` / ``（一）`` / ``1.``) stands in for it,
so that a rule file can be checked on its own. Both answer the same two questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from huiqi.paths import policies_dir


class Citations(Protocol):
    def has_clause(self, clause_id: str) -> bool: ...

    def locate(self, clause_id: str, quote: str) -> tuple[int, int] | None:
        """The quote's span in the source file, searched inside the clause; None when absent."""
        ...

    def clause_text(self, clause_id: str) -> str | None: ...


def _squeeze(text: str) -> tuple[str, list[int]]:
    """Text without whitespace, and for each kept character its index in ``text``."""
    kept: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if not ch.isspace():
            kept.append(ch)
            index.append(i)
    return "".join(kept), index


def find_tolerant(text: str, quote: str, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
    """Span of ``quote`` in ``text[start:end]`` ignoring whitespace differences; absolute offsets."""
    end = len(text) if end is None else end
    hay, index = _squeeze(text[start:end])
    needle, _ = _squeeze(quote)
    if not needle:
        return None
    at = hay.find(needle)
    if at < 0:
        return None
    return start + index[at], start + index[at + len(needle) - 1] + 1


_CN = "一二三四五六七八九十百零〇"


def _heading_patterns(label: str) -> list[str]:
    """Regexes for a heading with ``label`` at the start of a line, as the documents write them."""
    esc = re.escape(label)
    if label.startswith("（") or label.startswith("("):
        inner = re.escape(label.strip("（）()"))
        return [rf"(?m)^[ \t　]*[（(]{inner}[）)]"]
    if label.startswith("第"):
        return [rf"(?m)^[ \t　]*{esc}"]
    if label.isdigit():
        return [rf"(?m)^[ \t　]*{esc}[.．、](?!\d)"]
    if all(c in _CN for c in label):
        return [rf"(?m)^[ \t　]*{esc}、"]
    return [rf"(?m)^[ \t　]*{esc}"]


def _sibling_pattern(label: str) -> str:
    if label.startswith("（") or label.startswith("("):
        return rf"(?m)^[ \t　]*[（(][{_CN}\d]+[）)]"
    if label.startswith("第"):
        return r"(?m)^[ \t　]*第[一二三四五六七八九十百零〇\d]+[条章]"
    if label.isdigit():
        return r"(?m)^[ \t　]*\d+[.．、](?!\d)"
    return rf"(?m)^[ \t　]*[{_CN}]+、"


@dataclass(slots=True)
class TextCitations:
    """The stand-in: clause ranges from numbered headings in the source text.

    It does not know where the ~40 documents inside 003 begin and end (``003-31/第十四条`` would find
    the compendium's first 第十四条): for 003 only the corpus is reliable.
    """

    root: Path
    _texts: dict[str, str | None] = field(default_factory=dict)

    def _file(self, doc_id: str) -> str | None:
        folder_id = doc_id.split("-")[0]
        if folder_id not in self._texts:
            folder = self.root / folder_id
            files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
            self._texts[folder_id] = files[0].read_text("utf-8") if files else None
        return self._texts[folder_id]

    def _range(self, clause_id: str) -> tuple[str, int, int] | None:
        doc_id, *labels = clause_id.split("/")
        text = self._file(doc_id)
        if text is None:
            return None
        lo, hi = 0, len(text)
        for label in labels:
            m = None
            for pat in _heading_patterns(label):
                m = re.compile(pat).search(text, lo, hi)
                if m:
                    break
            if m is None:
                return None
            nxt = re.compile(_sibling_pattern(label)).search(text, m.end(), hi)
            lo, hi = m.start(), (nxt.start() if nxt else hi)
        return text, lo, hi

    def has_clause(self, clause_id: str) -> bool:
        return self._range(clause_id) is not None

    def locate(self, clause_id: str, quote: str) -> tuple[int, int] | None:
        found = self._range(clause_id)
        if found is None:
            return None
        text, lo, hi = found
        return find_tolerant(text, quote, lo, hi)

    def clause_text(self, clause_id: str) -> str | None:
        found = self._range(clause_id)
        return None if found is None else found[0][found[1] : found[2]]


@dataclass(slots=True)
class CorpusCitations:
    """Citations through the corpus's clause tree (the real thing, once it exists)."""

    corpus: object

    def has_clause(self, clause_id: str) -> bool:
        try:
            return self.corpus.clause(clause_id) is not None  # type: ignore[attr-defined]
        except KeyError:
            return False

    def locate(self, clause_id: str, quote: str) -> tuple[int, int] | None:
        try:
            return self.corpus.locate_quote(clause_id, quote)  # type: ignore[attr-defined]
        except KeyError:
            return None

    def clause_text(self, clause_id: str) -> str | None:
        try:
            clause = self.corpus.clause(clause_id)  # type: ignore[attr-defined]
            return self.corpus.text(clause)  # type: ignore[attr-defined]
        except KeyError:
            return None


_default: Citations | None = None


def default_citations() -> Citations:
    """The corpus when it loads, else the heading reader over ``policies_dir()``."""
    global _default
    if _default is None:
        try:
            from huiqi.corpus.load import load_corpus  # type: ignore[import-not-found]

            _default = CorpusCitations(load_corpus())
        except Exception:  # the corpus module is optional here: fall back, never fail a rule load on it
            _default = TextCitations(policies_dir())
    return _default
