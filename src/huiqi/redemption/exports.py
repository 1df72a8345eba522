"""The 公示 notice list as files: xlsx, CSV (UTF-8 with BOM, so Excel opens it right) and a printable
HTML page.

The list shows every line of the run except those excluded at run time (a ban): the open ones and
those declined (主动放弃), with their state. Identifiers are text: a 统一社会信用代码 of eighteen digits
written as a number would lose its meaning (and any leading zero), so in the xlsx it is a string cell
with the text format ``@``. Amounts are exact: 元 with two decimals from integer fen, never a float.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from huiqi.money import fen_to_yuan, format_fen
from huiqi.redemption.notice import get_notice
from huiqi.redemption.run import get_run, lines_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATE_LABELS = {"open": "公示中", "declined": "主动放弃", "approved": "已审批", "rejected": "不予兑现"}
HEADER = ["序号", "单位名称", "统一社会信用代码", "事项", "条款", "金额（元）", "上限（元）", "类别", "状态"]
TEXT_COLUMNS = {"统一社会信用代码"}  # identifiers: text cells, never numbers


@dataclass(frozen=True, slots=True)
class NoticeRow:
    line_no: int
    name: str
    credit_code: str
    item: str
    clause: str
    amount_fen: int | None
    cap_fen: int | None
    status: str  # 确定金额 / 酌定
    state: str

    def cells(self) -> list[str | int]:
        return [
            self.line_no,
            self.name,
            self.credit_code,
            self.item,
            self.clause,
            _yuan(self.amount_fen),
            _yuan(self.cap_fen),
            self.status,
            self.state,
        ]


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen_to_yuan(fen):.2f}"


def notice_rows(session: Session, run_id: int) -> list[NoticeRow]:
    return [
        NoticeRow(
            line_no=line.line_no,
            name=entity.name,
            credit_code=entity.credit_code or entity.key,
            item=line.item,
            clause=line.result.get("clause") or "",
            amount_fen=line.amount_fen,
            cap_fen=line.cap_fen,
            status="确定金额" if line.status == "eligible" else "酌定",
            state=STATE_LABELS.get(line.state, line.state),
        )
        for line, entity in lines_of(session, run_id)
        if line.state != "excluded"
    ]


def write_csv(rows: list[NoticeRow], path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for r in rows:
            w.writerow(r.cells())
    return path


def write_xlsx(rows: list[NoticeRow], path: Path, title: str) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "公示名单"
    ws.append([title])
    ws.append(HEADER)
    text_cols = [i + 1 for i, h in enumerate(HEADER) if h in TEXT_COLUMNS]
    for r in rows:
        ws.append(r.cells())
        for col in text_cols:
            cell = ws.cell(row=ws.max_row, column=col)
            cell.value = str(cell.value)
            cell.data_type = "s"
            cell.number_format = "@"
    ws.column_dimensions["B"].width = 36
    ws.column_dimensions["C"].width = 22
    ws.column_dimensions["D"].width = 30
    wb.save(path)
    return path


def write_html(session: Session, run_id: int, rows: list[NoticeRow], path: Path) -> Path:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    run = get_run(session, run_id)
    notice = get_notice(session, run_id)
    html = env.get_template("notice.html").render(
        run=run,
        notice=notice,
        rows=rows,
        total=format_fen(
            sum(r.amount_fen or 0 for r in rows if r.status == "确定金额" and r.state != "主动放弃")
        ),
        yuan=_yuan,
    )
    path.write_text(html, encoding="utf-8")
    return path


def export_notice(session: Session, run_id: int, folder: Path) -> list[Path]:
    """Write ``notice-<run>.xlsx``, ``.csv`` and ``.html`` into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    run = get_run(session, run_id)
    rows = notice_rows(session, run_id)
    title = f"{run.target} {run.year}年度兑现名单（第{run_id}批）公示"
    stem = folder / f"notice-{run_id}"
    return [
        write_xlsx(rows, stem.with_suffix(".xlsx"), title),
        write_csv(rows, stem.with_suffix(".csv")),
        write_html(session, run_id, rows, stem.with_suffix(".html")),
    ]
