"""Coverage (编码覆盖): for every clause with a figure, is it encoded, how and by which rule — or why not.

A figure counts when it is money, a share, a count or a budget line (``COUNTED_KINDS``): the figures a
rule could pay, cap or test. Dates, durations (三年) and departments (牵头单位) are not counted: they
set windows and duties, and the rule files carry them in ``validity`` and ``caps`` without a figure
text of their own.

A counted figure of clause C is

- ``encoded`` when a parameter, item, provision, shared cap, budget or cost sharing cites a span of the
  source text that contains the figure (a parameter's ``text`` located in C counts too, so the second
  "30万元" of a sentence is the same figure as the first);
- ``explained`` (未编码，有理由) when the rule file's ``not_encoded`` list names C with that figure's
  text, or names C with no figures (every counted figure of C);
- ``missing`` otherwise — the thing this report exists to show.

Run ``python -m huiqi.rules.coverage`` to rewrite ``docs/coverage.md`` (with the section on what the
hand-computed cases exercise, ``huiqi.rules.case_coverage``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from huiqi.corpus.model import Clause, Figure, FigureKind
from huiqi.rules.ast import NotEncoded, RuleSet, Source

COUNTED_KINDS = (FigureKind.AMOUNT, FigureKind.RATIO, FigureKind.QUANTITY, FigureKind.BUDGET)

ENCODED, EXPLAINED, MISSING = "encoded", "explained", "missing"


@dataclass(frozen=True, slots=True)
class FigureStatus:
    """One counted figure of a clause and what covers it."""

    text: str
    kind: str
    start: int
    status: str  # encoded / explained / missing
    by: tuple[str, ...]  # rule ids (item, parameter, budget…) or the not_encoded reason


@dataclass(slots=True)
class ClauseCoverage:
    clause: str
    figures: list[FigureStatus]

    @property
    def status(self) -> str:
        """The worst of its figures: one missing figure makes the clause missing."""
        states = {f.status for f in self.figures}
        for s in (MISSING, EXPLAINED):
            if s in states:
                return s if s == MISSING or ENCODED not in states else "partly explained"
        return ENCODED


@dataclass(slots=True)
class DocCoverage:
    doc_id: str
    title: str
    has_rules: bool
    listed: bool  # no rule file, but every clause with figures listed in not_encoded.yaml
    clauses: list[ClauseCoverage] = field(default_factory=list)

    @property
    def rules_label(self) -> str:
        """Where its coverage comes from: a rule file, not_encoded.yaml, or nothing."""
        return "rules" if self.has_rules else "listed" if self.listed else "none"

    def count(self, status: str) -> int:
        """Figures with this status."""
        return sum(1 for c in self.clauses for f in c.figures if f.status == status)

    @property
    def figures(self) -> int:
        return sum(len(c.figures) for c in self.clauses)


@dataclass(slots=True)
class Coverage:
    documents: list[DocCoverage]
    # not_encoded entries that explain nothing: (clause, figure text or "") whose figure is not a
    # counted figure of the clause, or is already encoded — a typo or a stale entry
    stale: list[tuple[str, str]] = field(default_factory=list)

    def document(self, doc_id: str) -> DocCoverage:
        for d in self.documents:
            if d.doc_id == doc_id:
                return d
        raise KeyError(doc_id)

    def missing(self) -> list[tuple[str, FigureStatus]]:
        """(clause, figure) for every missing figure of a document with rules or in not_encoded.yaml."""
        return [
            (c.clause, f)
            for d in self.documents
            if d.has_rules or d.listed
            for c in d.clauses
            for f in c.figures
            if f.status == MISSING
        ]

    def to_json(self) -> dict:
        return {
            "counted_kinds": [k.value for k in COUNTED_KINDS],
            "documents": [
                {
                    "document": d.doc_id,
                    "title": d.title,
                    "has_rules": d.has_rules,
                    "listed": d.listed,
                    "figures": d.figures,
                    ENCODED: d.count(ENCODED),
                    EXPLAINED: d.count(EXPLAINED),
                    MISSING: d.count(MISSING),
                    "clauses": [
                        {
                            "clause": c.clause,
                            "status": c.status,
                            "figures": [
                                {"text": f.text, "kind": f.kind, "status": f.status, "by": list(f.by)}
                                for f in c.figures
                            ],
                        }
                        for c in d.clauses
                    ],
                }
                for d in self.documents
            ],
        }


def _citations(rs: RuleSet) -> list[tuple[str, Source, str]]:
    """(rule id, source, figure text or "") for everything in the file that cites the text."""
    out: list[tuple[str, Source, str]] = []
    for name, p in rs.parameters.items():
        out.append((f"parameter {name}", p.source, p.text))
    for it in rs.items:
        out.append((it.id, it.source, ""))
        if it.validity.source.clause.startswith(rs.doc_id):
            out.append((f"{it.id} (validity)", it.validity.source, ""))
    for prov in rs.provisions:
        out.append((prov.id, prov.source, ""))
        if prov.years is not None:
            out.append((f"{prov.id} (years)", prov.years.source, prov.years.text))
    for cap in rs.shared_caps:
        out.append((cap.id, cap.source, ""))
        out.append((f"{cap.id} (amount)", cap.param.source, cap.param.text))
    for b in rs.budgets:
        out.append((b.id, b.param.source, b.param.text))
    if rs.cost_sharing is not None:  # its quote holds the ratios (1:1, 1:3) it encodes
        out.append(("cost_sharing", rs.cost_sharing.source, ""))
    return out


def _covering(fig: Figure, clause: Clause, cites: Iterable[tuple[str, Source, str]]) -> tuple[str, ...]:
    by: list[str] = []
    for rule_id, src, text in cites:
        if src.span is not None and src.span[0] <= fig.start and fig.end <= src.span[1]:
            by.append(rule_id)
        elif text and src.clause == clause.id and text in fig.text:
            by.append(rule_id)  # the same figure written twice in the clause
    return tuple(dict.fromkeys(by))


def _explaining(fig: Figure, clause: Clause, entries: list[NotEncoded]) -> str | None:
    own = _squeeze(fig.text)  # the corpus keeps the text's spaces ("5 亿元"); a rule file may not
    for ne in entries:
        if ne.clause == clause.id and (not ne.figures or any(own == _squeeze(t) for t in ne.figures)):
            return ne.reason
    return None


def _squeeze(text: str) -> str:
    return "".join(text.split())


def coverage(book, corpus) -> Coverage:
    """Coverage of every document of ``corpus`` by ``book`` (a ``RuleBook``): per clause with counted
    figures, each figure encoded (by which rules), explained (the ``not_encoded`` reason) or missing.

    A document without a rule file is explained by ``book.not_encoded`` (``not_encoded.yaml``,
    ``listed``) or, when it is not there either, has every figure missing.
    """
    docs: list[DocCoverage] = []
    stale: list[tuple[str, str]] = []
    for doc_id, doc in corpus.documents.items():
        rs = book.rulesets.get(doc_id)
        entries = rs.not_encoded if rs is not None else book.not_encoded.get(doc_id, [])
        dc = DocCoverage(doc_id, doc.title, rs is not None, rs is None and doc_id in book.not_encoded)
        cites = _citations(rs) if rs is not None else []
        for clause in doc.clauses.values():
            counted = [f for f in clause.figures if f.kind in COUNTED_KINDS]
            if not counted:
                continue
            statuses = []
            for fig in counted:
                by = _covering(fig, clause, cites)
                if by:
                    statuses.append(FigureStatus(fig.text, fig.kind.value, fig.start, ENCODED, by))
                    continue
                reason = _explaining(fig, clause, entries)
                if reason is not None:
                    statuses.append(FigureStatus(fig.text, fig.kind.value, fig.start, EXPLAINED, (reason,)))
                else:
                    statuses.append(FigureStatus(fig.text, fig.kind.value, fig.start, MISSING, ()))
            dc.clauses.append(ClauseCoverage(clause.id, statuses))
        docs.append(dc)
        stale.extend(_stale(entries, dc))
    return Coverage(docs, stale)


def _stale(entries: list[NotEncoded], dc: DocCoverage) -> list[tuple[str, str]]:
    """not_encoded entries (or their figure texts) that no explained figure of the clause answers to."""
    explained: dict[str, set[str]] = {}
    for c in dc.clauses:
        explained.setdefault(c.clause, set()).update(
            _squeeze(f.text) for f in c.figures if f.status == EXPLAINED
        )
    out = []
    for ne in entries:
        got = explained.get(ne.clause, set())
        if not ne.figures and not got:
            out.append((ne.clause, ""))
        out += [(ne.clause, t) for t in ne.figures if _squeeze(t) not in got]
    return out


# --- the docs page and the chart ------------------------------------------------------------------------


def coverage_markdown(cov: Coverage, cases: str = "") -> str:
    """``docs/coverage.md``: one row per document, ``cases`` (the section on what the hand-computed
    cases exercise, ``huiqi.rules.case_coverage.case_coverage_markdown``), then the clauses of
    encoded documents left out."""
    lines = [
        "# Coverage: every clause with a figure, encoded or why not",
        "",
        "Generated by `python -m huiqi.rules.coverage` (do not edit; a test checks it is current).",
        "Counted figures: money, shares, counts and budget lines (`huiqi.rules.coverage.COUNTED_KINDS`).",
        "`encoded`: a rule cites the figure; `explained`: the rule file's `not_encoded` gives the reason;",
        "`missing`: neither. `huiqi coverage --doc <id>` shows every clause;",
        "`huiqi coverage --chart coverage.png` (or `.html`) draws the bars.",
        "A document that promises nothing has no rule file (source `listed`): its clauses are in",
        "`policies/<folder>/not_encoded.yaml` (003: longer reasons in `docs/coverage-003.md` and",
        "`docs/coverage-003b.md`; 004: its targets are in `policies/004/targets.yaml`).",
        "",
        "| document | source | clauses with figures | figures | encoded | explained | missing |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for d in cov.documents:
        lines.append(
            f"| {d.doc_id} | {d.rules_label} | {len(d.clauses)} | {d.figures} | "
            f"{d.count(ENCODED)} | {d.count(EXPLAINED)} | {d.count(MISSING)} |"
        )
    tot = {s: sum(d.count(s) for d in cov.documents) for s in (ENCODED, EXPLAINED, MISSING)}
    lines.append(
        f"| **total** | | {sum(len(d.clauses) for d in cov.documents)} | "
        f"{sum(d.figures for d in cov.documents)} | {tot[ENCODED]} | {tot[EXPLAINED]} | {tot[MISSING]} |"
    )
    lines += [
        "",
        "![encoded / explained / missing figures per document](coverage.png)",
        "",
        "(the chart: `huiqi coverage --chart docs/coverage.png`; redraw it when the table changes)",
        "",
        *([cases.rstrip(), ""] if cases else []),
        "## Not encoded, and why",
        "",
    ]
    for d in cov.documents:
        rows = [(c.clause, f) for c in d.clauses for f in c.figures if f.status == EXPLAINED]
        if not rows:
            continue
        lines += [f"### {d.doc_id} {d.title}", "", "| clause | figure | reason |", "|---|---|---|"]
        lines += [f"| {cl} | {f.text} | {f.by[0]} |" for cl, f in rows]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_chart(cov: Coverage, path: Path) -> None:
    """Stacked bars per document (encoded / explained / missing figures): ``.png`` with matplotlib,
    ``.html`` as a self-contained page of CSS bars (no script, no download)."""
    docs = cov.documents
    if path.suffix.lower() == ".html":
        path.write_text(_chart_html(cov), "utf-8")
        return
    if path.suffix.lower() != ".png":
        raise ValueError(f"{path}: the chart is .png or .html")
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt

    labels = [d.doc_id for d in docs]
    fig, ax = plt.subplots(figsize=(max(6, len(docs) * 0.28), 4), dpi=80)
    bottom = [0] * len(docs)
    for status, colour in ((ENCODED, "#2e7d32"), (EXPLAINED, "#9e9e9e"), (MISSING, "#c62828")):
        vals = [d.count(status) for d in docs]
        ax.bar(labels, vals, bottom=bottom, color=colour, label=status)
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    ax.set_ylabel("figures")
    ax.set_title("huiqi coverage: figures per document")
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _chart_html(cov: Coverage) -> str:
    from html import escape

    top = max((d.figures for d in cov.documents), default=1) or 1
    rows = []
    for d in cov.documents:
        bars = "".join(
            f'<span class="{s}" style="width:{d.count(s) * 600 / top:.1f}px" '
            f'title="{s}: {d.count(s)}"></span>'
            for s in (ENCODED, EXPLAINED, MISSING)
        )
        rows.append(
            f"<tr><td>{escape(d.doc_id)}</td><td>{bars}</td><td>{d.count(ENCODED)} / "
            f"{d.count(EXPLAINED)} / {d.count(MISSING)}</td></tr>"
        )
    return (
        '<!doctype html><meta charset="utf-8"><title>huiqi coverage</title><style>'
        "span{display:inline-block;height:12px}.encoded{background:#2e7d32}"
        ".explained{background:#9e9e9e}.missing{background:#c62828}td{font:12px sans-serif}</style>"
        "<h1>Coverage: encoded / explained / missing figures</h1><table>" + "".join(rows) + "</table>\n"
    )


def main() -> None:
    """Rewrite docs/coverage.md from the rule files and the corpus."""
    from huiqi.corpus.load import load_corpus
    from huiqi.paths import policies_dir
    from huiqi.rules.case_coverage import case_coverage, case_coverage_markdown
    from huiqi.rules.loader import load_rules

    book = load_rules()
    out = policies_dir().parent / "docs" / "coverage.md"
    cases = case_coverage_markdown(case_coverage(book))
    out.write_text(coverage_markdown(coverage(book, load_corpus()), cases), "utf-8")
    sys.stdout.write(f"wrote {out}\n")


if __name__ == "__main__":
    main()
