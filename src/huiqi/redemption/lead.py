"""牵头单位 (the lead department) of a benefit item, as the policy text names it.

The texts end a measure with a duty note — ``（牵头单位：区科技局；责任单位：区发改局、财政局）`` — and the
corpus reads each body in it as a DEPARTMENT figure with its role (``huiqi.corpus.figures.departments``).
An item's lead is found from the clause it cites: that clause's own text and sub-clauses first, then each
clause above it, up to the top; the first level that carries a 牵头 note gives the lead. A note may name
several bodies (``牵头单位：市卫生健康委员会、市市场监管局、市科技局``): each of them leads (joint lead).

Many texts name no lead at all (000, 001 and most documents of 003 say only who interprets them, 负责解释):
such an item has an empty set of leads, and nothing here guesses one.
"""

from __future__ import annotations

import functools

from huiqi.corpus.load import load_corpus
from huiqi.corpus.model import Clause, Document, FigureKind

LEAD_ROLE = "牵头"


def _leads_within(doc: Document, clause: Clause) -> frozenset[str]:
    """The lead departments named in ``clause``'s own text or any of its sub-clauses."""
    return frozenset(
        f.name
        for c in doc.clauses.values()
        if clause.start <= c.start and c.end <= clause.end
        for f in c.figures
        if f.kind is FigureKind.DEPARTMENT and f.role == LEAD_ROLE and f.name
    )


@functools.cache
def clause_leads(clause_id: str) -> frozenset[str]:
    """The departments that lead the measure ``clause_id`` belongs to; empty when the text names none."""
    corpus = load_corpus()
    node = corpus.clauses.get(clause_id)
    if node is None:
        return frozenset()
    doc = corpus.document(node.doc_id)
    while node is not None:
        found = _leads_within(doc, node)
        if found:
            return found
        node = doc.clauses.get(node.parent_id) if node.parent_id else None
    return frozenset()
