"""The Corpus API: every policy document with its metadata, clause tree and figures.

    corpus = load_corpus()                       # the five policy files, cached in-process
    doc = corpus.document("003-31")              # 杭州市科技型企业研发费用投入财政补助资金管理办法
    clause = corpus.clause("002/三")
    corpus.text(clause)                          # exact source text of the clause (with children)
    corpus.locate_quote("002/三", "给予…奖励")     # span of a verbatim quote, or None

Document ids: the file prefix (``000`` … ``004``) for a file that holds one document; ``003-01`` …
for the documents inside the compendium 003, numbered in order of appearance. Clause ids are
``<doc-id>/<label>/…`` (see ``docs/clauses.md``). All offsets are ``str`` indices into the decoded
source file (:func:`Corpus.source_text`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from huiqi.corpus.clauses import cn_number, parse_clauses
from huiqi.corpus.figures import extract_figures
from huiqi.corpus.metadata import read_metadata
from huiqi.corpus.model import Clause, Document
from huiqi.corpus.sources import DOCX_SUFFIX, TEXT_SUFFIXES, SourceError, read_source
from huiqi.corpus.split import split_documents
from huiqi.paths import policies_dir

__all__ = ["Corpus", "SourceError", "UnknownIdError", "load_corpus", "load_file"]


class UnknownIdError(KeyError):
    """An id that names no document or clause; ``suggestions`` are the closest known ids.

    A ``KeyError`` (so ``except KeyError`` around a lookup keeps working) whose ``str`` is the plain
    message, not the quoted repr a ``KeyError`` would print."""

    def __init__(self, some_id: str, suggestions: list[str]) -> None:
        self.id = some_id
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown document or clause id {some_id!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Corpus:
    """Documents (in order) with their clauses, over the decoded texts of their source files."""

    documents: dict[str, Document] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # source file name → decoded text
    clauses: dict[str, Clause] = field(default_factory=dict)  # every clause by id, document order

    # --- lookup --------------------------------------------------------------------------------

    def document(self, doc_id: str) -> Document:
        try:
            return self.documents[doc_id]
        except KeyError:
            raise UnknownIdError(doc_id, self._close(doc_id, self.documents)) from None

    def clause(self, clause_id: str) -> Clause:
        try:
            return self.clauses[clause_id]
        except KeyError:
            raise UnknownIdError(clause_id, self._close(clause_id, self.clauses)) from None

    def find(self, some_id: str) -> Document | Clause:
        """A document or a clause by id; ``UnknownIdError`` (with close matches) otherwise."""
        some_id = some_id.strip().rstrip("/")
        if some_id in self.documents:
            return self.documents[some_id]
        if some_id in self.clauses:
            return self.clauses[some_id]
        raise UnknownIdError(some_id, self._close(some_id, [*self.documents, *self.clauses]))

    def iter_clauses(self) -> Iterator[Clause]:
        """Every clause of every document, in document order (parents before children)."""
        yield from self.clauses.values()

    # --- text ----------------------------------------------------------------------------------

    def source_text(self, doc_id_or_file: str) -> str:
        """The whole decoded source file, named by a document id, a file name or a file prefix."""
        if doc_id_or_file in self.texts:
            return self.texts[doc_id_or_file]
        if doc_id_or_file in self.documents:
            return self.texts[self.documents[doc_id_or_file].file]
        for name, text in self.texts.items():
            if name.split("_", 1)[0] == doc_id_or_file or Path(name).stem == doc_id_or_file:
                return text
        raise UnknownIdError(doc_id_or_file, self._close(doc_id_or_file, [*self.documents, *self.texts]))

    def document_text(self, doc: Document | str) -> str:
        """The exact text of a document (notice wrapper and body)."""
        doc = self.document(doc) if isinstance(doc, str) else doc
        return self.texts[doc.file][doc.start : doc.end]

    def text(self, clause: Clause, own: bool = False) -> str:
        """The exact source text of a clause; ``own`` stops where its first child starts."""
        source = self.texts[self.documents[clause.doc_id].file]
        return source[clause.start : clause.body_end if own else clause.end]

    def locate_quote(self, clause_id: str, quote: str) -> tuple[int, int] | None:
        """Where ``quote`` occurs verbatim in the clause, as a span of its source file, or None.

        The texts carry hard line breaks in mid-sentence (003), some after a trailing space, so
        whitespace is free: a quote written on one line matches across line breaks and spaces of the
        source, and spaces in the quote need not be in the source. Every other character — wording,
        full-width punctuation, digits — must be identical: nothing is normalised.
        """
        clause = self.clause(clause_id)
        chars = [c for c in quote if not c.isspace()]
        if not chars:
            return None
        pattern = re.compile(r"\s*".join(re.escape(c) for c in chars))
        source = self.texts[self.documents[clause.doc_id].file]
        m = pattern.search(source, clause.start, clause.end)
        return (m.start(), m.end()) if m else None

    def line_of(self, file_name: str, offset: int) -> int:
        """1-based line number of an offset in a source file (for messages and display)."""
        return self.texts[file_name].count("\n", 0, offset) + 1

    # --- JSON (one shape for the CLI, the HTTP API and the web pages) -------------------------

    def document_json(self, doc: Document, today: date | None = None, clauses: bool = False) -> dict:
        """A document's metadata; ``clauses`` adds every clause (else only the top-level ids)."""
        day = today or date.today()
        out = {
            "id": doc.id,
            "file": doc.file,
            "title": doc.title,
            "issuers": doc.issuers,
            "doc_numbers": doc.doc_numbers,
            "issued": doc.issued.to_json(),
            "effective": doc.effective.to_json(),
            "expires": doc.expires.to_json(),
            "in_force": {"on": day.isoformat(), "value": doc.in_force(day)},
            "span": [doc.start, doc.end],
            "lines": [self.line_of(doc.file, doc.start), self.line_of(doc.file, doc.end)],
            "clause_count": len(doc.clauses),
            "top": doc.top,
            "notes": doc.notes,
        }
        if clauses:
            out["clauses"] = [self.clause_json(c) for c in doc.clauses.values()]
        return out

    def clause_json(self, clause: Clause) -> dict:
        """A clause with its exact text, own text, figures and children."""
        file = self.documents[clause.doc_id].file
        return {
            "id": clause.id,
            "doc_id": clause.doc_id,
            "label": clause.label,
            "heading": clause.heading,
            "level": clause.level,
            "parent_id": clause.parent_id,
            "children": clause.children,
            "span": [clause.start, clause.end],
            "body_end": clause.body_end,
            "lines": [self.line_of(file, clause.start), self.line_of(file, clause.end)],
            "text": self.text(clause),
            "own_text": self.text(clause, own=True),
            "figures": [f.to_json() for f in clause.figures],
        }

    # --- building ------------------------------------------------------------------------------

    def add_source(self, file_name: str, text: str, docs: list[Document]) -> None:
        """Register a decoded source text and its documents (ids must be new)."""
        clash = [d.id for d in docs if d.id in self.documents]
        if file_name in self.texts or clash:
            raise ValueError(f"{file_name}: already loaded ({', '.join(clash) or file_name})")
        self.texts[file_name] = text
        for doc in docs:
            self.documents[doc.id] = doc
            self.clauses.update(doc.clauses)

    def extended(self, path: Path | str, doc_id: str | None = None) -> tuple[Corpus, list[Document]]:
        """A new corpus = this one + the documents of an extra file (this one is left unchanged)."""
        path = Path(path)
        text = read_source(path)
        # a file named like a policy file keeps its full path as its name, so both stay apart
        name = path.name if path.name not in self.texts else str(path)
        docs = documents_from_text(text, name, doc_id or _free_prefix(path, self.documents))
        new = Corpus(dict(self.documents), dict(self.texts), dict(self.clauses))
        new.add_source(name, text, docs)
        return new, docs

    @staticmethod
    def _close(some_id: str, known) -> list[str]:
        """Up to five known ids nearest to a mistyped one: first those that differ only in how the
        numbers are written ("002/3", "003-31/第8条/(1)" → 002/三, 003-31/第八条/（一）), then those
        with the fewest edits ("003-3l" → 003-30, 003-31, …)."""
        want = _numeric_key(some_id)
        same_numbers = [k for k in known if _numeric_key(k) == want]
        limit = max(2, len(some_id) // 3)
        scored = []
        for k in known:
            if abs(len(k) - len(some_id)) > limit or k in same_numbers:
                continue
            d = _edits(some_id, k, limit)
            if d <= limit:
                scored.append((d, -difflib.SequenceMatcher(None, some_id, k).ratio(), k))
        return [*same_numbers, *(k for _, _, k in sorted(scored))][:5]


_CN_NUMERAL = re.compile(r"[一二三四五六七八九十百零〇两]+")


def _numeric_key(some_id: str) -> str:
    """An id with Chinese numerals as digits and brackets half-width, for "did you mean"."""
    key = some_id.translate(str.maketrans("（）", "()"))
    return _CN_NUMERAL.sub(lambda m: str(cn_number(m.group())), key)


def _edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of two short strings (stops early above ``limit``)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def documents_from_text(text: str, file_name: str, prefix: str) -> list[Document]:
    """The documents of one decoded source text: split, metadata, clause tree and figures.

    One document gets the id ``prefix``; several (a compendium) get ``prefix-01``, ``prefix-02`` ….
    """
    parts = split_documents(text)
    docs: list[Document] = []
    width = max(2, len(str(len(parts))))
    for n, part in enumerate(parts, 1):
        doc_id = prefix if len(parts) == 1 else f"{prefix}-{n:0{width}d}"
        meta = read_metadata(text, part)
        clauses, top, notes = parse_clauses(text, part.start, part.end, doc_id)
        _attach_figures(text, clauses)
        docs.append(
            Document(
                id=doc_id,
                file=file_name,
                title=meta.title,
                issuers=meta.issuers,
                doc_numbers=meta.doc_numbers,
                issued=meta.issued,
                effective=meta.effective,
                expires=meta.expires,
                start=part.start,
                end=part.end,
                clauses=clauses,
                top=top,
                notes=[*meta.notes, *notes],
            )
        )
    return docs


def _attach_figures(text: str, clauses: dict[str, Clause]) -> None:
    """Each clause gets the figures of its own text: heading and body up to its first child."""
    for clause in clauses.values():
        clause.figures = extract_figures(text, clause.start, clause.body_end)


def load_file(path: Path | str, doc_id: str | None = None) -> list[Document]:
    """The documents of any document file (.txt in any common encoding, or .docx).

    ``doc_id`` defaults to the file name's prefix before "_" (``003_4e29….txt`` → ``003``).
    Raises :class:`SourceError` with a message naming the file for unreadable input.
    """
    path = Path(path)
    text = read_source(path)
    return documents_from_text(text, path.name, doc_id or _prefix(path))


_CACHE: dict[Path, Corpus] = {}


def load_corpus(folder: Path | None = None) -> Corpus:
    """The policy corpus: every document file under ``folder`` (default: the project's policies),
    one sub-folder per file. Parsed once per process and folder; the same object is returned after."""
    folder = (folder or policies_dir()).resolve()
    cached = _CACHE.get(folder)
    if cached is not None:
        return cached
    if not folder.is_dir():
        raise SourceError(folder, None, "policy folder not found")
    files = _document_files(folder)
    if not files:
        raise SourceError(folder, None, "no document files (.txt or .docx) in the policy folder")
    corpus = Corpus()
    for path in files:
        text = read_source(path)
        try:
            corpus.add_source(path.name, text, documents_from_text(text, path.name, _prefix(path)))
        except ValueError as exc:  # two files with the same prefix would give the same ids
            raise SourceError(path, None, str(exc)) from None
    _CACHE[folder] = corpus
    return corpus


def _document_files(folder: Path) -> list[Path]:
    """Document files directly in ``folder`` or one level down (``policies/<id>/<id>_….txt``);
    rule files and READMEs beside them are not documents."""
    suffixes = {s for s in TEXT_SUFFIXES if s} - {".md"} | {DOCX_SUFFIX}
    found = [
        p
        for p in [*folder.glob("*"), *folder.glob("*/*")]
        if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith(".")
    ]
    return sorted(found, key=lambda p: (p.name, str(p)))


def _prefix(path: Path) -> str:
    return path.stem.split("_", 1)[0] or path.stem


def _free_prefix(path: Path, taken: dict[str, Document]) -> str:
    prefix = _prefix(path)
    if not any(d == prefix or d.startswith(prefix + "-") for d in taken):
        return prefix
    n = 2
    while any(d == f"{prefix}~{n}" or d.startswith(f"{prefix}~{n}-") for d in taken):
        n += 1
    return f"{prefix}~{n}"
