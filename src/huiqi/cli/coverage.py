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
) -> None:
    """For each document and clause with a figure: encoded (by which rule), explained (why not), missing."""
    from huiqi.corpus.load import load_corpus
    from huiqi.rules.coverage import ENCODED, EXPLAINED, MISSING, coverage, write_chart
    from huiqi.rules.loader import RuleLoadError, load_rules

    try:
        book = load_rules()
    except RuleLoadError as exc:
        raise UserError(f"rule file rejected: {exc}") from None
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
