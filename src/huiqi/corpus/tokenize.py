"""Tokens for Chinese full-text search (全文检索): jieba words, CJK character bigrams, ASCII/number runs.

Two kinds of token feed the index, kept apart so that their weights can be tuned and measured:

- **words** (词): jieba's search-mode segmentation (``cut_for_search``: a long word and the shorter
  dictionary words inside it, 孵化器 → 孵化 / 化器 / 孵化器) of every CJK run with two or more characters,
  plus ASCII letter/number runs (``5g``, ``2023``) — those are words too;
- **bigrams** (二元组): every pair of adjacent CJK characters. jieba sometimes glues a two-character word
  into a longer one (研发费用 may come out as one word), and a bigram still finds 研发 there.

Text is compared in its *folded* form (:func:`fold`): width and case folded, whitespace removed —
the converted texts break lines and put spaces in mid-word (杭州市科技企业孵化器认定和 管理办法,
"给予 50 万元") — and the ``[bookmark: …]`` residue of the conversion dropped. ``fold`` also returns,
for each folded character, its offset in the source, so that highlights point at the verbatim text.

jieba is loaded only to build the index (its dictionary takes about a second to load). Queries are
split against the index's own word vocabulary instead (:func:`words_in`), which gives the same words
that jieba produced for the corpus, without loading jieba for every ``huiqi search``.
"""

from __future__ import annotations

import itertools
import logging
import re
from array import array
from collections.abc import Callable, Container, Iterator
from functools import cache
from pathlib import Path

# CJK Unified Ideographs, Extension A and the compatibility block: the characters a bigram is made of.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# ASCII words and numbers, with one decimal part: 5g, 2023, 1.5, g20.
_ASCII_RUN = re.compile(r"[0-9a-z]+(?:\.[0-9]+)?")

# Full-width ASCII (！ … ～, U+FF01–FF5E) to half-width, the ideographic space to a space, A–Z to a–z.
# Every entry maps one character to one character: normalizing never shifts an offset.
_NORMALIZE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_NORMALIZE[0x3000] = 0x20
_NORMALIZE.update({cp: cp + 32 for cp in range(ord("A"), ord("Z") + 1)})
# Full-width Ａ–Ｚ go to lower case directly, so the table needs one pass.
_NORMALIZE.update({cp: cp - 0xFEE0 + 32 for cp in range(0xFF21, 0xFF3B)})


# Word-processor bookmarks left in the text by the conversion (README of policies/): not policy text.
_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]")


def normalize(text: str) -> str:
    """Fold width and ASCII case, one character for one character (``len`` and offsets unchanged)."""
    return text.translate(_NORMALIZE)


def fold(text: str) -> tuple[str, array]:
    """``text`` normalized, without whitespace and bookmark residue, and each kept character's offset
    in ``text``: ``folded[k] == normalize(text[offsets[k]])``."""
    normal = normalize(text)
    dropped = bytearray(len(normal))
    for m in _BOOKMARK.finditer(normal):
        dropped[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    offsets = array("I", (i for i, ch in enumerate(normal) if not dropped[i] and not ch.isspace()))
    return "".join(normal[i] for i in offsets), offsets


def cjk_runs(text: str) -> Iterator[str]:
    """The maximal runs of CJK characters in ``text`` (punctuation, digits and spaces split runs)."""
    for m in _CJK_RUN.finditer(text):
        yield m.group()


def bigrams(text: str) -> list[str]:
    """Adjacent CJK character pairs, run by run: 研发费用 → 研发 / 发费 / 费用. A lone character has none."""
    out: list[str] = []
    for run in cjk_runs(text):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def ascii_words(text: str) -> list[str]:
    """ASCII letter/number runs of already normalized text: ``5g``, ``2023``, ``1.5``."""
    return _ASCII_RUN.findall(text)


def words(text: str, cache_dir: Path) -> list[str]:
    """Index words of normalized ``text``: jieba search-mode words of two or more CJK characters, plus
    ASCII runs. Single characters (的, 和, 元) are left to the bigrams: alone they carry no meaning."""
    tokenizer = _jieba(str(cache_dir))
    out: list[str] = []
    for run in cjk_runs(text):
        if len(run) < 2:
            continue
        out.extend(w for w in tokenizer.cut_for_search(run, HMM=True) if len(w) >= 2)
    out.extend(ascii_words(text))
    return out


def cover(term: str, occurs: Callable[[str], bool]) -> list[str] | None:
    """Split a normalized query ``term`` written without spaces (研发费用补助) into pieces of two or more
    characters that each occur in the corpus (``occurs``) and cover it exactly, end to end, with as
    few pieces as possible (研发费用 + 补助). None when no such split exists, which is the case as soon
    as one part occurs nowhere (加密货币: 加密 is never written in the texts). The caller then asks for
    every piece in one clause. Single characters are never pieces: they would let anything through.
    A term that is not all CJK is never split.
    """
    if len(term) < 4 or "".join(cjk_runs(term)) != term:
        return None
    # best[i]: fewest pieces covering term[:i], as the list of cut points; the last piece ends at i.
    best: list[list[int] | None] = [[0]] + [None] * len(term)
    for end in range(2, len(term) + 1):
        for start in range(end - 1):
            prefix = best[start]
            if prefix is None or (best[end] is not None and len(prefix) + 1 >= len(best[end])):
                continue
            if occurs(term[start:end]):
                best[end] = [*prefix, end]
    cuts = best[len(term)]
    if cuts is None or len(cuts) < 3:  # no cover, or the whole term (it would have matched already)
        return None
    return [term[a:b] for a, b in itertools.pairwise(cuts)]


def words_in(term: str, vocabulary: Container[str], longest: int) -> list[str]:
    """The vocabulary words that occur inside a normalized query ``term``, each once, in order.

    This mirrors jieba's search mode (a word and the words inside it) but only proposes words the
    corpus actually contains; a word the corpus lacks could never score anyway.
    """
    found: list[str] = []
    seen: set[str] = set()
    for run in cjk_runs(term):
        for i in range(len(run)):
            for j in range(i + 2, min(len(run), i + longest) + 1):
                w = run[i:j]
                if w in vocabulary and w not in seen:
                    seen.add(w)
                    found.append(w)
    for w in ascii_words(term):
        if w in vocabulary and w not in seen:
            seen.add(w)
            found.append(w)
    return found


@cache
def _jieba(cache_dir: str):  # -> jieba.Tokenizer (jieba ships no type hints)
    """A private jieba tokenizer whose dictionary cache lives in huiqi's cache folder, started quietly.

    A private instance (not ``jieba.dt``) so that nothing else in the process changes its dictionary
    under the index; ``setLogLevel`` silences the "Building prefix dict…" lines jieba prints to stderr.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = cache_dir
    tokenizer.cache_file = "jieba.cache"
    tokenizer.initialize()
    return tokenizer
