"""Commands over the rules: ``huiqi calc``, ``huiqi facts``, ``huiqi check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from huiqi.cli.app import UserError, app, console


def _book():
    from huiqi.rules.loader import RuleLoadError, load_rules

    try:
        return load_rules()
    except RuleLoadError as exc:
        raise UserError(f"rule file rejected: {exc}") from None


@app.command()
def calc(
    profile: Annotated[
        Path, typer.Argument(help="a profile JSON file (schema: docs/schema/profile.schema.json)")
    ],
    year: Annotated[int, typer.Option("--year", "-y", help="the calendar year to compute")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    doc: Annotated[list[str] | None, typer.Option("--doc", help="only these documents (e.g. 002)")] = None,
    brief: Annotated[
        bool, typer.Option("--brief", help="no trace, only statuses, amounts and reasons")
    ] = False,
    assume: Annotated[
        list[str] | None,
        typer.Option(
            "--assume-in-force",
            help="evaluate this undated draft (e.g. 000, 自发布后30日施行) as if in force; repeatable",
        ),
    ] = None,
) -> None:
    """What one enterprise or talent is owed in a year: each item in force, why, what would unlock more."""
    from huiqi.engine.evaluate import calculate
    from huiqi.engine.profile import ProfileError, load_profile

    if not 1949 <= year <= 2100:
        raise UserError(f"--year {year}: expected a calendar year")
    try:
        prof = load_profile(profile)
    except ProfileError as exc:
        raise UserError(str(exc)) from None
    book = _book()
    if assume:
        from huiqi.rules.drafts import assume_in_force

        try:
            book = assume_in_force(book, assume)
        except ValueError as exc:
            raise UserError(f"--assume-in-force: {exc}") from None
        if not as_json:  # the JSON stays parseable; the caller passed the flag and knows
            console.print(f"[yellow]假定征求意见稿已施行：{', '.join(assume)}（其发布日期未定）[/]")
    result = calculate(book, prof, year, documents=doc or None)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    _show(result, brief)


def _show(result, brief: bool) -> None:
    from huiqi.engine.evaluate import STATUS_ZH, Status
    from huiqi.money import format_fen

    style = {
        Status.ELIGIBLE: "bold green",
        Status.DISCRETIONARY: "yellow",
        Status.UNDETERMINED: "magenta",
        Status.NOT_ELIGIBLE: "dim",
    }
    console.print(
        f"[bold]{result.entity_id or '(no id)'}[/] · {result.kind} · {result.year}年 · "
        f"确定金额合计 [bold green]{format_fen(result.total_fen)}[/]"
    )
    if result.not_in_force:
        console.print(f"[dim]不在有效期内的文件：{', '.join(result.not_in_force)}[/]")
    if not result.items:
        console.print("本年没有在有效期内的事项。")
        return
    table = Table(show_lines=False, header_style="bold")
    table.add_column("事项", min_width=16, ratio=3)
    table.add_column("条款", no_wrap=True)
    table.add_column("状态", no_wrap=True)
    table.add_column("金额", justify="right", no_wrap=True)
    table.add_column("说明", overflow="fold", ratio=4)
    order = [Status.ELIGIBLE, Status.DISCRETIONARY, Status.UNDETERMINED, Status.NOT_ELIGIBLE]
    rows = sorted(result.items, key=lambda r: order.index(r.status))
    for r in rows:
        if r.status is Status.ELIGIBLE:
            amount, note = format_fen(r.amount_fen), ""
            if r.amount_fen == 0:  # eligible, but already paid, superseded or capped: say which
                last = [s.text for s in r.trace if s.kind in ("nondup", "upgrade", "cap")]
                note = last[-1] if last else ""
        elif r.status is Status.DISCRETIONARY:
            amount = f"≤{format_fen(r.cap_fen)}" if r.cap_fen is not None else "未定"
            note = f"酌定（{r.item.discretion.basis}）" if r.item.discretion else "酌定"
        elif r.status is Status.UNDETERMINED:
            amount, note = "?", "缺少：" + "、".join(r.missing)
        else:
            amount, note = "—", "；".join(r.why_not[:2])
        table.add_row(
            r.item.title, r.item.source.clause, STATUS_ZH[r.status], amount, note, style=style[r.status]
        )
    console.print(table)
    if not brief:
        for r in rows:
            if r.status not in (Status.ELIGIBLE, Status.DISCRETIONARY):
                continue
            console.print(f"\n[bold]{r.item.title}[/] [dim]{r.item.source.clause}[/]")
            console.print(f"  [italic]“{r.item.source.quote}”[/]", highlight=False)
            for s in r.trace:
                mark = {True: "[green]✓[/]", False: "[red]✗[/]", None: "·"}[s.ok]
                cite = f" [dim]({s.clause})[/]" if s.clause else ""
                console.print(f"  {mark} {s.text}{cite}", highlight=False)
            if r.item.note:
                console.print(f"  [dim]注：{r.item.note}[/]", highlight=False)
    if result.near_misses:
        console.print("\n[bold]差一点（一项事实或事件的改变即可多得）[/]")
        for n in result.near_misses[:12]:
            console.print(f"  • {n.text()} [dim]{', '.join(n.items)}[/]", highlight=False)


@app.command()
def facts(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """The facts vocabulary: every fact and event an entity can carry, and which rules read it."""
    from huiqi.rules import facts as vocab

    book = _book()
    if as_json:
        out = {
            "facts": [
                {
                    "name": f.name,
                    "label": f.label,
                    "type": f.type.value,
                    "unit": f.unit,
                    "period": f.period.value,
                    "entities": [e.value for e in f.entities],
                    "allowed": list(f.allowed),
                    "doc": f.doc,
                    "read_by": sorted(book.reads.get(f.name, ())),
                }
                for f in vocab.FACTS
            ],
            "events": [
                {
                    "type": e.type,
                    "label": e.label,
                    "entities": [k.value for k in e.entities],
                    "attrs": [
                        {
                            "name": a.name,
                            "label": a.label,
                            "type": a.type.value,
                            "allowed": list(a.allowed),
                            "required": a.required,
                        }
                        for a in e.attrs
                    ],
                    "doc": e.doc,
                    "read_by": sorted(book.event_reads.get(e.type, ())),
                }
                for e in vocab.EVENTS
            ],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    t = Table(title="事实 facts", header_style="bold")
    for col in ("name", "中文", "type", "unit", "period", "entities", "read by"):
        t.add_column(col)
    for f in vocab.FACTS:
        kind = f.type.value + (f" ({'/'.join(f.allowed)})" if f.allowed and len(f.allowed) <= 6 else "")
        t.add_row(
            f.name,
            f.label,
            kind,
            f.unit or "",
            f.period.value,
            ",".join(f.entities),
            ", ".join(sorted(book.reads.get(f.name, ()))) or "[dim]—[/]",
        )
    console.print(t)
    e = Table(title="事件 events (type + date + attributes)", header_style="bold")
    for col in ("type", "中文", "attributes", "read by"):
        e.add_column(col)
    for ev in vocab.EVENTS:
        attrs = ", ".join(a.name + ("" if a.required else "?") for a in ev.attrs)
        e.add_row(
            ev.type, ev.label, attrs, ", ".join(sorted(book.event_reads.get(ev.type, ()))) or "[dim]—[/]"
        )
    console.print(e)


@app.command()
def check(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Static checks of the rule files: tier gaps/overlaps, unread facts, dead rules, conflicting figures."""
    from huiqi.rules.check import run_checks

    findings = run_checks(_book())
    if as_json:
        print(json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2))
        return
    if not findings:
        console.print("[green]no findings[/]")
        return
    t = Table(header_style="bold")
    for col in ("check", "where", "finding", "explained"):
        t.add_column(col)
    for f in findings:
        t.add_row(f.check, f.where, f.message, f.explanation or "[red]not explained[/]")
    console.print(t)
    open_ = sum(1 for f in findings if not f.explanation)
    console.print(f"{len(findings)} findings, {len(findings) - open_} explained, {open_} not explained")
