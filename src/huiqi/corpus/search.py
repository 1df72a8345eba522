"""Chinese full-text search (全文检索) over the clauses of the policy corpus.

What is indexed: every clause's *own* text — its heading and body without its children — so that a
parent and its children never return the same sentence twice.

How a query matches. The query is split into terms at spaces and list punctuation (，、；。).
A clause *matches a term* when the term occurs in the clause's own text as a contiguous substring
(after width/case folding, with whitespace and conversion residue ignored: see
:func:`huiqi.corpus.tokenize.fold`). This is the rule that keeps
near-misses out: 量子计算机补贴 finds nothing, although 补贴 is everywhere and the bigrams 计算 and 补贴
both occur; write 量子 补贴 to ask for the two words separately.

- A term written without spaces that occurs nowhere as a whole (研发费用补助) is read as the fewest
  pieces of two or more characters that each occur in the texts and cover it exactly (研发费用 + 补助;
  see :func:`huiqi.corpus.tokenize.cover`); it then matches the clauses that contain every piece. A
  term that no such split covers (加密货币: 加密 occurs nowhere), or whose pieces no one clause holds
  together (量子计算机补贴: 量子, 计算机 and 补贴 each occur, never in one clause), stays missing.
- A term that matches no clause in scope makes the whole query return nothing (and the result says
  which term was missing), rather than quietly answering a different question.
- Otherwise every clause matching at least one term is a result, ranked by the sum of its matched
  terms' scores, times ``1 + all_terms_bonus`` when it matches every term. A term found in the
  clause's heading (标题, e.g. 四、实施揭榜挂帅) scores ``1 + heading_bonus`` times as much: a clause
  whose title names the thing is about it, a clause that mentions it in passing is not.

How a term scores: BM25 (Robertson/Spärck Jones, in its Lucene form) over two token fields, words and
CJK bigrams (see :mod:`huiqi.corpus.tokenize`), each with its own length normalization:

    bm25(t, d) = idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·|d|/avgdl)),
    idf(t)     = ln(1 + (N − n_t + 0.5) / (n_t + 0.5))

with tf the count of token t in clause d, |d| the clause's token count in that field, N the number of
clauses and n_t the number containing t. k1 = 1.2 and b = 0.75, the usual defaults (clauses range
from a heading line to a page, so length normalization is kept at its customary strength). A term's
score is ``word · Σ bm25(word) + bigram · Σ bm25(bigram)`` over its distinct tokens. All these
numbers live in :class:`Ranking`; they were chosen on a labelled query set
(``benchmarks/search_bench.py``, results in ``docs/search.md``).

The index is built once and cached under :func:`huiqi.paths.cache_dir`, keyed by a hash of the policy
texts, the corpus code that cuts them into clauses, and :data:`INDEX_FORMAT`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
import os
import pickle
import re
import tempfile
import threading
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from huiqi import paths
from huiqi.corpus import tokenize as tok

# Bump whenever the pickled layout or the tokenization changes: old cache files are then ignored.
INDEX_FORMAT = 2

# Characters shown around the matches in a result's snippet.
SNIPPET_CHARS = 100
_SNIPPET_LEAD = 20  # context kept before the first highlighted match

# Terms are separated by spaces and by list punctuation (the query is normalized first, so ， is ,).
_TERM_SEPARATORS = re.compile(r"[\s,;、；。]+")


class QueryError(ValueError):
    """A query that cannot be run: empty, or naming an unknown document. The message says why."""


@dataclass(frozen=True, slots=True)
class Ranking:
    """The ranking's parameters: BM25's k1 and b, the weights of word and bigram matches, and the
    bonuses for a clause that matches every term or names a term in its heading."""

    word: float = 1.0
    bigram: float = 0.5
    all_terms_bonus: float = 0.25
    heading_bonus: float = 0.5
    k1: float = 1.2
    b: float = 0.75


DEFAULT_RANKING = Ranking()


@dataclass(frozen=True, slots=True)
class Passage:
    """One searchable unit: a clause's own text, and where it sits in its source file.

    ``file_text[start:end] == text`` where ``file_text`` is the decoded source file ``file``.
    """

    clause_id: str
    doc_id: str
    doc_title: str
    heading: str
    file: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    """One result. Offsets (``span``, ``highlights``) are character offsets into the source file
    ``file`` (as in :mod:`huiqi.corpus.model`); ``snippet`` is that file's text at ``span``, verbatim."""

    clause_id: str
    doc_id: str
    doc_title: str
    heading: str
    file: str
    score: float
    terms: tuple[str, ...]  # the query terms this clause matched
    snippet: str
    span: tuple[int, int]
    highlights: tuple[tuple[int, int], ...]
    clause_span: tuple[int, int]  # the clause's own text less blank ends: was the snippet cut?

    def to_json(self) -> dict:
        return {
            "clause_id": self.clause_id,
            "doc_id": self.doc_id,
            "doc_title": self.doc_title,
            "heading": self.heading,
            "file": self.file,
            "score": round(self.score, 4),
            "terms": list(self.terms),
            "snippet": self.snippet,
            "span": list(self.span),
            "highlights": [list(h) for h in self.highlights],
        }

    def rich_snippet(self, style: str = "bold black on yellow") -> str:
        """The snippet as Rich markup, matches highlighted, ``…`` where the clause was cut.

        Line breaks are shown as spaces (one character for one, so nothing shifts).
        """
        from rich.markup import escape

        start, end = self.span
        pieces = ["…" if start > self.clause_span[0] else ""]
        at = start
        for h0, h1 in self.highlights:
            pieces.append(escape(self.snippet[at - start : h0 - start]))
            pieces.append(f"[{style}]{escape(self.snippet[h0 - start : h1 - start])}[/]")
            at = h1
        pieces.append(escape(self.snippet[at - start :]))
        pieces.append("…" if end < self.clause_span[1] else "")
        return "".join(pieces).replace("\r", " ").replace("\n", " ")


@dataclass(slots=True)
class Results:
    """Hits in rank order, the terms the query was split into, and those found nowhere in scope."""

    terms: list[str]
    hits: list[Hit]
    missing: list[str] = field(default_factory=list)
    total: int = 0  # clauses that matched, before ``limit``
    split: dict[str, list[str]] = field(default_factory=dict)  # 研发费用补助 → [研发费用, 补助]


@dataclass(slots=True)
class _Field:
    """The postings of one token kind (words or bigrams) and each passage's token count.

    A posting list is kept packed, ``array("I", [passage, count, passage, count, …]).tobytes()``:
    some 35,000 small byte strings load from the cache far faster than as many dicts would. Only
    the few tokens of a query are ever unpacked (:meth:`postings`).
    """

    packed: dict[str, bytes]
    lengths: list[int]
    _norms: dict[tuple[float, float], list[float]] = field(default_factory=dict)

    @classmethod
    def build(cls, token_lists: list[list[str]]) -> _Field:
        postings: dict[str, array] = {}
        for i, tokens in enumerate(token_lists):
            for t, n in Counter(tokens).items():
                postings.setdefault(t, array("I")).extend((i, n))
        packed = {t: a.tobytes() for t, a in postings.items()}
        return cls(packed, [len(tokens) for tokens in token_lists])

    def __contains__(self, token: object) -> bool:
        return token in self.packed

    def postings(self, token: str) -> dict[int, int]:
        """{passage number: count of ``token`` in it}; empty for a token the corpus lacks."""
        raw = self.packed.get(token)
        if raw is None:
            return {}
        a = array("I")
        a.frombytes(raw)
        return dict(zip(a[::2], a[1::2], strict=True))

    def idf(self, token: str) -> float:
        """ln(1 + (N − n + 0.5) / (n + 0.5)), n = passages containing ``token`` (never negative)."""
        n = len(self.packed.get(token, b"")) // (2 * array("I").itemsize)
        return math.log(1 + (len(self.lengths) - n + 0.5) / (n + 0.5))

    def norms(self, k1: float, b: float) -> list[float]:
        """k1 · (1 − b + b·|d|/avgdl) for every passage, computed once per (k1, b)."""
        key = (k1, b)
        if key not in self._norms:
            avgdl = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
            self._norms[key] = [k1 * (1 - b + b * n / avgdl) for n in self.lengths]
        return self._norms[key]

    def scorer(self, tokens: list[str], k1: float, b: float):
        """A function passage → Σ bm25(t, passage) over ``tokens`` (postings unpacked once)."""
        lists = [(self.postings(t), self.idf(t)) for t in tokens]
        lists = [(p, idf) for p, idf in lists if p]
        norms = self.norms(k1, b)

        def score(i: int) -> float:
            s = 0.0
            for postings, idf in lists:
                tf = postings.get(i)
                if tf:
                    s += idf * tf * (k1 + 1) / (tf + norms[i])
            return s

        return score


@dataclass(slots=True)
class SearchIndex:
    """The searchable corpus: passages, their normalized text, and a word and a bigram field."""

    passages: list[Passage]
    folded: list[str]  # tok.fold(passage.text): what terms are matched against
    folded_headings: list[str]  # tok.fold(passage.heading)
    offsets: list[array]  # folded[i][k] comes from passages[i].text[offsets[i][k]]
    words: _Field
    bigrams: _Field
    longest_word: int  # longest vocabulary word, bounds the query splitting in tok.words_in

    @classmethod
    def build(cls, passages: list[Passage], cache_dir: Path) -> SearchIndex:
        pairs = [tok.fold(p.text) for p in passages]
        folded = [f for f, _ in pairs]
        word_field = _Field.build([tok.words(t, cache_dir) for t in folded])
        bigram_field = _Field.build([tok.bigrams(t) for t in folded])
        longest = max((len(w) for w in word_field.packed), default=2)
        headings = [tok.fold(p.heading)[0] for p in passages]
        return cls(passages, folded, headings, [o for _, o in pairs], word_field, bigram_field, longest)

    def doc_ids(self) -> list[str]:
        return list(dict.fromkeys(p.doc_id for p in self.passages))

    def query(
        self, query: str, limit: int = 10, doc: str | None = None, ranking: Ranking = DEFAULT_RANKING
    ) -> Results:
        """Run ``query``; see the module docstring for the matching and ranking rules."""
        terms = split_query(query)
        if limit < 1:
            raise QueryError(f"limit must be at least 1, not {limit}")
        scope = self._scope(doc)

        matches: dict[int, list[str]] = {}  # passage → the terms it matched
        missing: list[str] = []
        split: dict[str, list[str]] = {}
        for term in terms:
            found = self._in_scope(term, scope)
            pieces = [term]
            if not found:
                # Written without spaces (研发费用补助)? Read it as its words, all of which must occur
                # in the same clause; a term with a word the corpus lacks stays missing.
                parts = tok.cover(term, lambda piece: bool(self._in_scope(piece, scope)))
                if parts:
                    found = sorted(set.intersection(*(set(self._in_scope(p, scope)) for p in parts)))
                    if found:
                        pieces = parts
                        split[term] = parts
            if not found:
                missing.append(term)
            for i in found:
                matches.setdefault(i, []).extend(pieces)
        if missing:
            return Results(terms, [], missing, 0, split)
        terms = list(dict.fromkeys(t for term in terms for t in split.get(term, [term])))
        for i, matched in matches.items():
            matches[i] = list(dict.fromkeys(matched))

        scorers = {}
        for t in terms:
            words = tok.words_in(t, self.words, self.longest_word)
            grams = list(dict.fromkeys(tok.bigrams(t)))
            scorers[t] = (
                self.words.scorer(words, ranking.k1, ranking.b),
                self.bigrams.scorer(grams, ranking.k1, ranking.b),
            )
        scored: list[tuple[float, int]] = []
        for i, matched in matches.items():
            s = 0.0
            for t in matched:
                word_score, bigram_score = scorers[t]
                term_score = ranking.word * word_score(i) + ranking.bigram * bigram_score(i)
                if t in self.folded_headings[i]:
                    term_score *= 1 + ranking.heading_bonus
                s += term_score
            if len(terms) > 1 and len(matched) == len(terms):
                s *= 1 + ranking.all_terms_bonus
            scored.append((s, i))
        # Ties keep document order, so equal scores list stably.
        scored.sort(key=lambda si: (-si[0], si[1]))
        hits = [self._hit(i, s, matches[i]) for s, i in scored[:limit]]
        return Results(terms, hits, [], len(scored), split)

    # -- matching ----------------------------------------------------------------------------

    def _scope(self, doc: str | None) -> set[int] | None:
        """Passages of document ``doc`` (``003`` also takes in ``003-01`` … inside the compendium)."""
        if doc is None:
            return None
        doc = doc.strip()
        scope = {i for i, p in enumerate(self.passages) if p.doc_id == doc or p.doc_id.startswith(doc + "-")}
        if not scope:
            known = self.doc_ids()
            shown = ", ".join(known[:8]) + (" …" if len(known) > 8 else "")
            raise QueryError(f"no document {doc!r} in the corpus (documents: {shown})")
        return scope

    def _in_scope(self, term: str, scope: set[int] | None) -> list[int]:
        return [i for i in self._containing(term) if scope is None or i in scope]

    def _containing(self, term: str) -> list[int]:
        """Passages whose folded text contains ``term``: bigram postings narrow, a substring test decides."""
        grams = set(tok.bigrams(term))
        if grams:
            lists = sorted((self.bigrams.postings(g) for g in grams), key=len)
            candidates: Iterable[int] = set(lists[0]).intersection(*lists[1:])
        else:  # a single character or ASCII only: nothing to narrow with, test every passage
            candidates = range(len(self.passages))
        return sorted(i for i in candidates if term in self.folded[i])

    # -- results -----------------------------------------------------------------------------

    def _hit(self, i: int, score: float, terms: list[str]) -> Hit:
        p = self.passages[i]
        offsets = self.offsets[i]
        # Folded spans → spans of the clause's own text (they may cross a line break of the source).
        found = {
            term: [(offsets[a], offsets[b - 1] + 1) for a, b in spans]
            for term, spans in _occurrences(self.folded[i], terms).items()
        }
        s0, s1 = _snippet_window(found, len(p.text))
        while s1 > s0 and p.text[s1 - 1].isspace():  # the blank lines that end most clauses
            s1 -= 1
        while s0 < s1 and p.text[s0].isspace():
            s0 += 1
        inside = _merge(
            [span for spans in found.values() for span in spans if s0 <= span[0] and span[1] <= s1]
        )
        return Hit(
            clause_id=p.clause_id,
            doc_id=p.doc_id,
            doc_title=p.doc_title,
            heading=p.heading,
            file=p.file,
            score=score,
            terms=tuple(terms),
            snippet=p.text[s0:s1],
            span=(p.start + s0, p.start + s1),
            highlights=tuple((p.start + a, p.start + b) for a, b in inside),
            clause_span=(p.start + len(p.text) - len(p.text.lstrip()), p.start + len(p.text.rstrip())),
        )


def split_query(query: str) -> list[str]:
    """Normalized, distinct terms of ``query``, in order. An empty query is a :class:`QueryError`."""
    terms = list(dict.fromkeys(t for t in _TERM_SEPARATORS.split(tok.normalize(query)) if t))
    if not terms:
        raise QueryError("empty query: give one or more words, e.g. 专精特新 奖励")
    return terms


def _occurrences(folded: str, terms: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Every occurrence of each term in ``folded`` (non-overlapping, left to right), by term."""
    found: dict[str, list[tuple[int, int]]] = {}
    for term in terms:
        spans = found.setdefault(term, [])
        at = folded.find(term)
        while at >= 0:
            spans.append((at, at + len(term)))
            at = folded.find(term, at + len(term))
    return found


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in text order, overlapping ones merged into one highlight (adjacent ones stay apart, so
    that each highlight is one term wherever terms do not overlap)."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _snippet_window(found: dict[str, list[tuple[int, int]]], length: int) -> tuple[int, int]:
    """About SNIPPET_CHARS of the clause: the window, starting a little before some match, that shows
    the most distinct terms, then the most matches; the earliest such window."""
    if length <= SNIPPET_CHARS:
        return 0, length
    best, best_rank = (0, SNIPPET_CHARS), (-1, -1)
    for a, b in sorted(span for spans in found.values() for span in spans):
        s0 = max(0, a - _SNIPPET_LEAD)
        s1 = min(length, s0 + SNIPPET_CHARS)
        s0 = max(0, s1 - SNIPPET_CHARS)
        if b > s1:  # a term longer than the window: show it whole
            s0, s1 = a, b
        inside = [[x for x, y in spans if s0 <= x and y <= s1] for spans in found.values()]
        rank = (sum(1 for xs in inside if xs), sum(len(xs) for xs in inside))
        if rank > best_rank:
            best, best_rank = (s0, s1), rank
    return best


# -- the corpus as passages ----------------------------------------------------------------------


def corpus_passages() -> list[Passage]:
    """Every clause's own text (heading and body, without children), in document order.

    The corpus is parsed here from the very files :func:`index_key` hashed, rather than taken from
    ``load_corpus()``, which keeps the texts it first read for the life of the process: an index
    must never be stored under the key of texts it was not built from.
    """
    from huiqi.corpus.load import Corpus, load_file
    from huiqi.corpus.sources import read_source

    corpus = Corpus()
    for path in _policy_files():
        corpus.add_source(path.name, read_source(path), load_file(path))
    out = []
    for clause in corpus.iter_clauses():
        document = corpus.document(clause.doc_id)
        out.append(
            Passage(
                clause_id=clause.id,
                doc_id=clause.doc_id,
                doc_title=document.title,
                heading=clause.heading,
                file=document.file,
                start=clause.start,
                end=clause.body_end,
                text=corpus.text(clause, own=True),
            )
        )
    return out


# -- the cache on disk ---------------------------------------------------------------------------


def _policy_files() -> list[Path]:
    """The policy text files, as ``load_corpus`` finds them: in the folder or one level down."""
    folder = paths.policies_dir()
    return sorted([*folder.glob("*.txt"), *folder.glob("*/*.txt")], key=lambda p: (p.name, str(p)))


def index_key() -> str:
    """Hash of everything the index is derived from: the policy texts, the corpus code (which cuts
    them into clauses and tokens), the jieba version and :data:`INDEX_FORMAT`."""
    jieba = importlib.metadata.version("jieba")  # not ``import jieba``: that alone takes 0.2 s
    h = hashlib.sha256(f"huiqi-search-index {INDEX_FORMAT} jieba {jieba}\n".encode())
    for path in _policy_files():
        h.update(f"text {path.parent.name}/{path.name} ".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f"code {path.name} ".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _index_path(key: str) -> Path:
    return paths.cache_dir() / f"search-index-v{INDEX_FORMAT}-{key[:20]}.pickle"


def build_index() -> SearchIndex:
    """Build the index from the corpus now, without touching the cache."""
    return SearchIndex.build(corpus_passages(), paths.cache_dir())


def load_index() -> SearchIndex:
    """The index for the current texts and code: read from the cache, or built and cached.

    Stale index files (other keys) are removed when a new one is written. The pickle is written to a
    temporary file and renamed, so a reader never sees half a file.
    """
    if not _policy_files():
        raise FileNotFoundError(
            f"no policy texts (*.txt) in {paths.policies_dir()}: set HUIQI_POLICIES to the folder "
            "that holds 000/ … 004/"
        )
    key = index_key()
    path = _index_path(key)
    if path.exists():
        try:
            with path.open("rb") as f:
                stored_key, index = pickle.load(f)
            if stored_key == key:
                return index
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
            pass  # a damaged or foreign file: rebuild below
    index = build_index()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".search-index-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump((key, index), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob("search-index-*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)
    return index


# In a long-running process (the HTTP API) the index stays in memory; a cheap stat() of the source
# files says when it must be looked up again.
_lock = threading.Lock()
_loaded: tuple[tuple, SearchIndex] | None = None


def _stamp() -> tuple:
    files = [*_policy_files(), *sorted(Path(__file__).parent.glob("*.py"))]
    return (str(paths.cache_dir()), *((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))


def current_index() -> SearchIndex:
    """The index, kept in memory between calls while the source files are unchanged."""
    global _loaded
    with _lock:
        stamp = _stamp()
        if _loaded is None or _loaded[0] != stamp:
            _loaded = (stamp, load_index())
        return _loaded[1]


def search(query: str, limit: int = 10, doc: str | None = None) -> list[Hit]:
    """Search the clauses of the corpus; best first. Raises :class:`QueryError` for a bad query.

    A query whose term occurs nowhere (in ``doc``, when given) returns ``[]``; use
    ``current_index().query(...)`` to learn which term was missing.
    """
    return current_index().query(query, limit=limit, doc=doc).hits
