"""``huiqi search``: full-text search (全文检索) over the clauses of the policy texts."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from huiqi.cli.app import app, console, fail


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find, separated by spaces: 专精特新 奖励")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="Show at most this many clauses.")] = 10,
    doc: Annotated[
        str | None,
        typer.Option("--doc", "-d", help="Only this document: 002, 003-12, or 003 for all of 003."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Find clauses by their words, best first; clauses holding every word rank highest.

    Each word must occur verbatim in a clause.
    [bold]量子计算机补贴[/] finds nothing, as that phrase is not in the texts;
    [bold]量子 补贴[/] asks for the two words separately.
    """
    from huiqi.corpus.search import QueryError, current_index
    from huiqi.corpus.sources import SourceError

    try:
        results = current_index().query(query, limit=limit, doc=doc)
    except (QueryError, SourceError, FileNotFoundError) as exc:  # bad query; policy texts unreadable
        raise fail(str(exc)) from None

    if as_json:
        payload = {
            "query": query,
            "terms": results.terms,
            "doc": doc,
            "total": results.total,
            "missing": results.missing,
            "split": results.split,
            "hits": [h.to_json() for h in results.hits],
        }
        # Plain stdout, not Rich: a console would wrap long lines and break the JSON for machines.
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return

    if results.missing:
        where = f"document {doc}" if doc else "the policy texts"
        words = escape("、".join(results.missing))
        console.print(f"No clause matches: [bold]{words}[/] does not occur in {where}.", highlight=False)
        if any(len(t) > 3 for t in results.missing):
            console.print("Words are matched verbatim; separate words with spaces to match them one by one.")
        return

    for term, parts in results.split.items():
        console.print(f"[dim]{escape(term)} read as {escape(' + '.join(parts))}[/]", highlight=False)
    table = Table(
        show_lines=True, title=f"{len(results.hits)} of {results.total} clauses for “{escape(query)}”"
    )
    table.add_column("#", justify="right", style="dim")
    table.add_column("clause", style="cyan", overflow="fold", max_width=22)
    table.add_column("score", justify="right")
    table.add_column("text", overflow="fold", ratio=1)
    for n, hit in enumerate(results.hits, start=1):
        # The clause's own text starts with its heading, so the snippet needs no separate title line.
        title = escape(hit.doc_title if len(hit.doc_title) <= 20 else hit.doc_title[:19] + "…")
        table.add_row(
            str(n), f"{escape(hit.clause_id)}\n[dim]{title}[/]", f"{hit.score:.2f}", hit.rich_snippet()
        )
    console.print(table)
