"""Evaluating a draft (征求意见稿) as if it were in force.

A draft such as 000 says "本意见自发布后30日施行" and gives no publication date, so its rule file
states ``validity: {start: null, …}`` and none of its items is in force in any year: ``calculate``
lists the document under ``not_in_force`` and computes nothing for it. That is the honest default.

To see what a draft *would* pay — a case file, a policy maker asking "what if it were adopted" —
``assume_in_force`` returns a rule book in which the undated items of the named documents are in
force from ``start`` (default: always) until the end the text states (if any), every other rule
unchanged. The assumption is
explicit at each call site (``huiqi calc --assume-in-force 000``, ``assume_in_force: true`` in a
cases file); nothing assumes it silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

from huiqi.rules.ast import Item, RuleSet, Validity
from huiqi.rules.loader import RuleBook


def undated_documents(book: RuleBook) -> list[str]:
    """Documents with at least one item whose validity has no start (drafts)."""
    return [doc for doc, rs in book.rulesets.items() if any(it.validity.start is None for it in rs.items)]


def assume_in_force(book: RuleBook, documents: Iterable[str], start: date | None = None) -> RuleBook:
    """A copy of ``book`` in which the undated items of ``documents`` are in force from ``start``
    (``None``: from the earliest date) to their stated end, if any. Dated items, other documents and
    provisions are shared with ``book``, which is not changed.

    Raises ``ValueError`` for a document that is not in the book or has no undated item, so that a
    mistyped id is not silently ignored.
    """
    wanted = list(dict.fromkeys(documents))
    undated = set(undated_documents(book))
    for doc in wanted:
        if doc not in book.rulesets:
            raise ValueError(f"no rule file for document {doc!r}")
        if doc not in undated:
            raise ValueError(f"document {doc} has dated rules: nothing to assume")
    window_start = start or date.min
    rulesets: dict[str, RuleSet] = {}
    for doc, rs in book.rulesets.items():
        if doc not in wanted:
            rulesets[doc] = rs
            continue
        items = [_dated(it, window_start) for it in rs.items]
        # a fresh RuleSet: its per-year cache must not hold the "not in force" answer of the original
        rulesets[doc] = dataclasses.replace(rs, items=items, cache={})
    return dataclasses.replace(book, rulesets=rulesets)


def _dated(it: Item, start: date) -> Item:
    if it.validity.start is not None:
        return it
    end = it.validity.end or date.max  # a stated end (有效期至…) still holds
    return dataclasses.replace(it, validity=Validity(start, end, it.validity.source))
