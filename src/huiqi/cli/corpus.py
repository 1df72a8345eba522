"""Commands over the policy documents: ``huiqi docs`` (the table of documents) and ``huiqi show``
(one document or clause). ``huiqi search`` lives in ``cli/search.py``.

Both accept extra document files given by the user (``docs --add FILE``, ``show --file FILE``):
a .txt in any common Chinese encoding or a .docx, parsed like the policy texts. A file that cannot be
read gives one clear message naming the file (and line); numbering problems are printed as warnings
with file and line.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from huiqi.cli.app import app, console, err_console, fail
from huiqi.corpus.load import Corpus, SourceError, UnknownIdError, load_corpus
from huiqi.corpus.model import Clause, Dated, Document
from huiqi.money import format_fen


def _day(on: str | None) -> date:
    if on is None:
        return date.today()
    try:
        return date.fromisoformat(on)
    except ValueError:
        raise fail(f"--on {on!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-01-31") from None


def _corpus_with(files: list[Path] | None) -> tuple[Corpus, list[Document]]:
    """The policy corpus plus the documents of the user's extra files (warnings printed)."""
    corpus = load_corpus()
    added: list[Document] = []
    for path in files or []:
        try:
            corpus, docs = corpus.extended(path)
        except SourceError as exc:
            raise fail(str(exc)) from None
        added.extend(docs)
        for doc in docs:
            for note in doc.notes:
                err_console.print(f"[yellow]warning:[/] {escape(str(path))}: {escape(note)}", highlight=False)
    return corpus, added


def _dated(d: Dated) -> str:
    return d.value.isoformat() if d.value else "—"


def _in_force(doc: Document, day: date) -> str:
    value = doc.in_force(day)
    if value and doc.expires.value is None:
        return "[green]yes*[/]"  # the text states no end date; a later act may have repealed it
    return {True: "[green]yes[/]", False: "[red]no[/]", None: "[yellow]?[/]"}[value]


@app.command()
def docs(
    add: Annotated[
        list[Path] | None,
        typer.Option("--add", help="Also parse this document file (.txt in any encoding, or .docx)."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Day for the 'in force' column (YYYY-MM-DD).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documents as JSON.")] = False,
) -> None:
    """List the policy documents: id, title, 文号, issued, effective, expires, in force, clauses."""
    day = _day(on)
    corpus, added = _corpus_with(add)
    added_ids = {d.id for d in added}
    if as_json:
        payload = [corpus.document_json(d, day) for d in corpus.documents.values()]
        console.print_json(json.dumps(payload, ensure_ascii=False))
        return
    # A narrow terminal gets the 文号 under the title and the validity in one column (the issue date
    # is left to `huiqi show`), so that the title stays readable.
    narrow = console.width < 120
    table = Table(
        title=f"{len(corpus.documents)} policy documents (in force on {day.isoformat()})",
        box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD,
        padding=(0, 1),
    )
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("title / 文号" if narrow else "title", overflow="fold", ratio=5, min_width=16)
    if not narrow:
        table.add_column("文号", overflow="fold", max_width=22)
    for name in ["effective → expires"] if narrow else ["issued", "effective", "expires"]:
        table.add_column(name, no_wrap=True)
    table.add_column("in force", justify="center", no_wrap=True)
    table.add_column("clauses", justify="right", no_wrap=True)
    for doc in corpus.documents.values():
        title = escape(doc.title or "(no title)")
        if doc.id in added_ids:
            title += " [magenta](added)[/]"
        numbers = escape(" ".join(doc.doc_numbers))
        if narrow:
            cells = [
                f"{title}\n[dim]{numbers}[/]" if numbers else title,
                f"{_dated(doc.effective)} → {_dated(doc.expires)}",
            ]
        else:
            cells = [title, numbers or "—", _dated(doc.issued), _dated(doc.effective), _dated(doc.expires)]
        table.add_row(doc.id, *cells, _in_force(doc, day), str(len(doc.clauses)))
    console.print(table)
    console.print(
        "[dim]— = the text does not say; ? = cannot be decided from the text (no effective date);"
        " * = the text states no end date.[/]"
    )


@app.command()
def show(
    some_id: Annotated[
        str | None, typer.Argument(metavar="ID", help="A document id (003-31) or a clause id (002/三).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Parse this document file (.txt in any encoding, or .docx) first."),
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="Day for 'in force' (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show a document (metadata and top-level clauses) or a clause (exact text, figures, children).

    With [bold]--file FILE[/] the file is parsed too; without ID its document(s) are shown.
    """
    day = _day(on)
    corpus, added = _corpus_with([file] if file else None)
    if some_id is None:
        if not added:
            raise fail("give a document or clause id (e.g. 003-31 or 002/三), or --file FILE")
        targets: list[Document | Clause] = list(added)
    else:
        try:
            targets = [corpus.find(some_id)]
        except UnknownIdError as exc:
            raise fail(str(exc)) from None
    if as_json:
        payload = [
            corpus.document_json(t, day, clauses=True) if isinstance(t, Document) else corpus.clause_json(t)
            for t in targets
        ]
        console.print_json(json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False))
        return
    for target in targets:
        if isinstance(target, Document):
            _print_document(corpus, target, day)
        else:
            _print_clause(corpus, target)


def _print_document(corpus: Corpus, doc: Document, day: date) -> None:
    lines = f"{doc.file}, lines {corpus.line_of(doc.file, doc.start)}–{corpus.line_of(doc.file, doc.end)}"
    console.print(f"[bold cyan]{doc.id}[/]  [bold]{escape(doc.title or '(no title)')}[/]", highlight=False)
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="dim", no_wrap=True)
    meta.add_column(overflow="fold")
    meta.add_row("source", escape(lines))
    meta.add_row("issuers", escape("、".join(doc.issuers)) or "—")
    meta.add_row("文号", escape(" ".join(doc.doc_numbers)) or "—")
    for name, dated in (("issued", doc.issued), ("effective", doc.effective), ("expires", doc.expires)):
        why = dated.reason if dated.value is None else dated.source
        meta.add_row(name, f"{_dated(dated)}  [dim]{escape(why or '')}[/]")
    meta.add_row(f"in force {day.isoformat()}", _in_force(doc, day))
    for note in doc.notes:
        meta.add_row("[yellow]note[/]", escape(note))
    console.print(meta)
    table = Table(title=f"{len(doc.top)} top-level clauses ({len(doc.clauses)} in all)")
    table.add_column("clause", style="cyan", no_wrap=True)
    table.add_column("heading", overflow="fold", ratio=1)
    table.add_column("children", justify="right")
    table.add_column("figures", justify="right")
    for cid in doc.top:
        c = doc.clauses[cid]
        table.add_row(
            escape(c.id),
            escape(c.heading or _first_words(corpus, c)),
            str(len(c.children)),
            str(len(c.figures)),
        )
    console.print(table)


def _first_words(corpus: Corpus, clause: Clause, n: int = 30) -> str:
    text = " ".join(corpus.text(clause, own=True).split())
    return text[:n] + ("…" if len(text) > n else "")


def _print_clause(corpus: Corpus, clause: Clause) -> None:
    doc = corpus.documents[clause.doc_id]
    first, last = corpus.line_of(doc.file, clause.start), corpus.line_of(doc.file, clause.end)
    console.print(f"[bold cyan]{escape(clause.id)}[/]  [bold]{escape(clause.heading)}[/]", highlight=False)
    console.print(
        f"[dim]{doc.id} {escape(doc.title)} — {escape(doc.file)}, lines {first}–{last}[/]", highlight=False
    )
    if clause.parent_id:
        console.print(f"[dim]parent: {escape(clause.parent_id)}[/]", highlight=False)
    console.print()
    console.print(escape(corpus.text(clause).rstrip()), highlight=False, soft_wrap=True)
    console.print()
    if clause.figures:
        table = Table(title=f"figures of the clause's own text ({len(clause.figures)})")
        table.add_column("kind", no_wrap=True)
        table.add_column("text", overflow="fold")
        table.add_column("value", overflow="fold")
        table.add_column("bound", no_wrap=True)
        table.add_column("line", justify="right")
        for f in clause.figures:
            table.add_row(
                f.kind.value,
                escape(f.text),
                escape(_figure_value(f.to_json())),
                f.bound.value,
                str(corpus.line_of(doc.file, f.start)),
            )
        console.print(table)
    else:
        console.print("[dim]no figures in the clause's own text[/]")
    if clause.children:
        console.print(
            "children: " + "  ".join(f"[cyan]{escape(c)}[/]" for c in clause.children), highlight=False
        )


def _figure_value(j: dict) -> str:
    skip = {"kind", "text", "span", "bound"}
    return ", ".join(
        f"{k.removesuffix('_fen')}={format_fen(v)}" if k.endswith("_fen") else f"{k}={v}"
        for k, v in j.items()
        if k not in skip
    )
