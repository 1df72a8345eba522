"""``huiqi coverage``: every clause with a figure — encoded, how, by which rule, or why not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from huiqi.cli.app import UserError, app, console


@app.command("coverage")
def coverage_cmd(
    doc: Annotated[
        str | None, typer.Option("--doc", help="one document, clause by clause (e.g. 001)")
    ] = None,
    missing: Annotated[bool, typer.Option("--missing", help="only clauses with a missing figure")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="also draw stacked bars per document: .png or .html")
    ] = None,
    cases: Annotated[
        bool,
        typer.Option("--cases", help="what the hand-computed cases exercise: tiers, caps, boundaries…"),
    ] = False,
) -> None:
    """For each document and clause with a figure: encoded (by which rule), explained (why not), missing."""
    from huiqi.corpus.load import load_corpus
    from huiqi.rules.coverage import ENCODED, EXPLAINED, MISSING, coverage, write_chart
    from huiqi.rules.loader import RuleLoadError, load_rules

    try:
        book = load_rules()
    except RuleLoadError as exc:
        raise UserError(f"rule file rejected: {exc}") from None
    if cases:
        _case_coverage(book, doc, as_json)
        return
    cov = coverage(book, load_corpus())
    if doc is not None:
        try:
            cov.documents = [cov.document(doc)]
        except KeyError:
            known = ", ".join(d.doc_id for d in cov.documents)
            raise UserError(f"--doc {doc}: no such document (known: {known})") from None
    if chart is not None:
        try:
            write_chart(cov, chart)
        except (ValueError, OSError) as exc:
            raise UserError(f"--chart: {exc}") from None
    if as_json:
        out = cov.to_json()
        if missing:  # totals stay whole; only the clauses listed are narrowed
            for d in out["documents"]:
                d["clauses"] = [c for c in d["clauses"] if c["status"] == MISSING]
        console.print_json(json.dumps(out, ensure_ascii=False))
        return

    table = Table(title="Coverage: figures (money, shares, counts, budgets) per document")
    for col in ("document", "source", "clauses", "figures", ENCODED, EXPLAINED, MISSING):
        table.add_column(col, justify="left" if col in ("document", "source") else "right")
    for d in cov.documents:
        miss = d.count(MISSING)
        table.add_row(
            f"{d.doc_id} {d.title[:18]}",
            d.rules_label if d.has_rules or d.listed else "[dim]none[/]",
            str(len(d.clauses)),
            str(d.figures),
            str(d.count(ENCODED)),
            str(d.count(EXPLAINED)),
            f"[red]{miss}[/]" if miss else "0",
        )
    console.print(table)
    if missing and not cov.missing() and doc is None:
        console.print("[green]no figure of a document with rules is missing[/]")
    if doc is None and not missing:
        return
    for d in cov.documents:
        if doc is None and not (d.has_rules or d.listed):
            continue  # nothing accounts for it: every figure is missing (004: see its targets.yaml)
        clauses = [c for c in d.clauses if not missing or c.status == MISSING]
        if not clauses:
            continue
        detail = Table(title=f"{d.doc_id}: clause by clause", show_lines=True)
        for col in ("clause", "figure", "status", "by / why not"):
            detail.add_column(col)
        colour = {ENCODED: "green", EXPLAINED: "yellow", MISSING: "red"}
        for c in clauses:
            for f in c.figures:
                if missing and f.status != MISSING:
                    continue
                detail.add_row(c.clause, f.text, f"[{colour[f.status]}]{f.status}[/]", "; ".join(f.by))
        console.print(detail)
    if chart is not None:
        console.print(f"chart written to {chart}")


def _case_coverage(book, doc: str | None, as_json: bool) -> None:
    """``huiqi coverage --cases``: per document, targets exercised / targets; then what no case touches."""
    from huiqi.rules.case_coverage import KINDS, case_coverage

    cc = case_coverage(book)
    if doc is not None:
        try:
            cc.documents = [cc.document(doc)]
        except KeyError:
            known = ", ".join(d.doc_id for d in cc.documents)
            raise UserError(f"--doc {doc}: no cases for such a document (known: {known})") from None
    if as_json:
        console.print_json(json.dumps(cc.to_json(), ensure_ascii=False))
        return
    table = Table(title="Case coverage: targets exercised / targets, per document")
    for col in ("document", "cases", *KINDS, "uncovered"):
        table.add_column(col, justify="left" if col == "document" else "right")
    for d in cc.documents:
        cells = [f"{a}/{b}" if b else "–" for a, b in (d.count(k) for k in KINDS)]
        n = len(d.unexplained())
        table.add_row(d.doc_id, str(d.cases), *cells, f"[red]{n}[/]" if n else str(len(d.uncovered())))
    console.print(table)
    rows = [(d, t) for d in cc.documents for t in d.uncovered()]
    if not rows:
        console.print("[green]every tier, cap, boundary and provision is exercised by a case[/]")
        return
    detail = Table(title="Not exercised by any case", show_lines=True)
    for col in ("target", "in words", "reason"):
        detail.add_column(col)
    for d, t in rows:
        detail.add_row(t.id, t.what, d.allowed.get(t.id) or "[red]no case and no reason[/]")
    console.print(detail)
