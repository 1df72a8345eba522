"""``huiqi demo``: the whole pipeline on the embedded defaults, as the commands a person would type.

Each step prints the command line and runs it in-process through the same Typer application, so the
demo can never drift from the real commands. Everything it writes (a synthetic population, an SQLite
database, notice-list exports) goes to one folder — a fresh temporary one unless ``--out`` is given —
and the user's own database is never touched. The redemption steps work on the synthetic
population itself, imported into the registry by ``huiqi registry import-population``.
"""

from __future__ import annotations

import os
import shlex
import tempfile
import time
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.rule import Rule

from huiqi.cli.app import UserError, app, console, err_console
from huiqi.paths import examples_dir

# 002 一: the special fund's yearly budget line, quoted verbatim as the budget's citation.
_BUDGET_QUOTE = "每年安排专项资金不少于3亿元"
_MAKER, _CHECKER = "王经办", "李复核"  # who prepares the run, who approves it
# At most this many synthetic enterprises go into the registry: the import validates and the run
# evaluates them one by one in Python (about 1.5 s per thousand each, measured at 20,000), so a
# million-enterprise population would keep the demo busy for an hour. The default --size fits whole.
IMPORT_LIMIT = 20_000
# 002 pays a synthetic enterprise only for a 2023 专精特新 title (synth draws no other fact 002 reads):
# 13 lines at 20,000 enterprises (seed 1), none at 2,000, so a smaller population has no notice
# list to object to.
MIN_SIZE = 20_000


def _steps(work: Path, size: int) -> list[tuple[str, list[str], bool]]:
    """(title, argv, refused) of every step, in order; ``refused``: the step must fail (maker-checker)."""
    pop, notice = str(work / "pop"), str(work / "notice")
    imported = min(size, IMPORT_LIMIT)
    profile = str(examples_dir() / "little_giant_2023.json")
    return [
        ("政策库：44 份文件及其施行日期、有效期", ["docs"], False),
        ("一个条款：原文、提取出的金额与责任单位", ["show", "002/三"], False),
        ("全文检索（中文分词 + 二元组，BM25）", ["search", "专精特新 奖励", "-n", "3"], False),
        (
            "一家企业 2023 年能拿多少、为什么、差什么",
            ["calc", profile, "--year", "2023", "--doc", "002"],
            False,
        ),
        (
            f"合成一个 {size:,} 家企业的滨江区（固定种子）",
            ["synth", "--size", str(size), "--seed", "1", "--out", pop],
            False,
        ),
        (
            "研发费用投入财政补助：分类、排名、比例、预算、市区分担",
            ["simulate", pop, "--year", "2022"],
            False,
        ),
        (
            f"免申即享：合成企业导入登记库（{imported:,} 家，2022–2023 年；统一社会信用代码校验，重跑不变）",
            [
                "registry",
                "import-population",
                pop,
                "--years",
                "2022-2023",
                "--limit",
                str(imported),
                "--by",
                "登记员",
            ],
            False,
        ),
        *(
            (
                f"预算线：002 每年不少于3亿元（{year} 年）",
                [
                    "budget",
                    "set",
                    "002",
                    str(year),
                    "3",
                    "--unit",
                    "亿元",
                    "--citation",
                    _BUDGET_QUOTE,
                    "--by",
                    "财政局",
                ],
                False,
            )
            for year in (2022, 2023)
        ),
        (
            "兑现批次：002 的 2023 年度（合成企业只有认定称号：仅专精特新一项成行，2 万家约十余行）",
            ["run", "002", "--year", "2023", "--by", _MAKER, "--on", "2024-03-01"],
            False,
        ),
        (
            "公示 5 个工作日（导出 xlsx、CSV、打印页）",
            ["notice", "publish", "1", "--days", "5", "--by", _MAKER, "--on", "2024-03-01", "--out", notice],
            False,
        ),
        (
            "异议：对第 2 行提出",
            [
                "objection",
                "add",
                "1",
                "--line",
                "2",
                "--by",
                "第三方",
                "--reason",
                "认定文件真实性存疑",
                "--on",
                "2024-03-04",
            ],
            False,
        ),
        (
            "异议处理：维持，并说明理由",
            [
                "objection",
                "resolve",
                "1",
                "--keep",
                "--by",
                _CHECKER,
                "--reason",
                "经核，认定文件与公布名单一致",
                "--on",
                "2024-03-06",
            ],
            False,
        ),
        (
            "经办人自审：必须被拒绝（审核与经办分离）",
            ["decision", "approve", "1", "--by", _MAKER, "--reason", "自审", "--on", "2024-03-08"],
            True,
        ),
        (
            "复核人审批",
            [
                "decision",
                "approve",
                "1",
                "--by",
                _CHECKER,
                "--reason",
                "公示期满无异议，按规定兑现",
                "--on",
                "2024-03-08",
            ],
            False,
        ),
        ("支付指令（预算校验、幂等）", ["pay", "1", "--by", "财政局", "--on", "2024-03-15"], False),
        ("再执行一次：不会重复支付", ["pay", "1", "--by", "财政局", "--on", "2024-03-15"], False),
        ("预算执行情况", ["budget", "report", "--year", "2023"], False),
        ("台账不变量与审计链校验", ["audit", "verify"], False),
    ]


def _run(argv: list[str]) -> int:
    """Run one huiqi command in-process; its exit code (a refused step prints its own error)."""
    try:
        app(argv, prog_name="huiqi", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except UserError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        return 2
    return 0


@app.command()
def demo(
    out: Annotated[
        Path | None, typer.Option(help="folder for everything the demo writes (default: a new temporary one)")
    ] = None,
    size: Annotated[
        int,
        typer.Option(
            min=MIN_SIZE,
            help=f"enterprises in the synthetic population (at least {MIN_SIZE:,}: see the 兑现 steps)",
        ),
    ] = 20_000,
) -> None:
    """Run the whole pipeline on the embedded defaults: corpus, calculation, population, redemption."""
    work = Path(out) if out else Path(tempfile.mkdtemp(prefix="huiqi-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    # The demo's own database: never the user's ledger.
    os.environ["HUIQI_DATABASE_URL"] = f"sqlite:///{work / 'demo.sqlite'}"
    started = time.perf_counter()
    steps = _steps(work, size)
    for n, (title, argv, refused) in enumerate(steps, start=1):
        console.print(Rule(f"[bold]{n}/{len(steps)} {title}[/]"))
        console.print(f"[dim]$ huiqi {shlex.join(argv)}[/]", highlight=False)
        if _run(argv) != 0 and not refused:
            raise UserError(f"demo step {n} failed: huiqi {shlex.join(argv)}")
        if refused:
            console.print("[green]✓ refused, as it must be[/]")
    console.print(Rule())
    console.print(f"demo finished in {time.perf_counter() - started:.1f} s; its files are in {work}")
