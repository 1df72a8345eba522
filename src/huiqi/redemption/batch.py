"""Paying a batch of orders from a file (``huiqi ledger pay FILE``), safely re-runnable after a crash.

Every row is validated before anything is paid (a bad file pays nothing). Then each order goes
through two transactions — place (reserve the budget) and post (pay out) — and each is a no-op
when already done, so running the same file again after a crash, a kill or a power cut completes
what was missing and pays nothing twice. An order the rules refuse (budget exhausted, already paid
under another key, beneficiary banned) is reported and the batch goes on with the next one.

File columns: ``key`` (the idempotency key), ``beneficiary`` (entity key), optional
``beneficiary_kind``, ``item``, optional ``item_group``, ``period``, ``budget_line``,
``budget_year``, ``amount_fen``, ``citation``, ``ordered_on`` (date), and optionally
``city_share``, ``district_share`` and ``share_citation`` for a city:district split.

Run as ``python -m huiqi.redemption.batch FILE`` for a lean process (the crash tests do).
"""

from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from huiqi.redemption import ledger
from huiqi.redemption.budget import BudgetError
from huiqi.redemption.clawback import ClawbackError
from huiqi.redemption.faults import crash_point
from huiqi.redemption.sharing import CostShare
from huiqi.registry import validation as v
from huiqi.registry.lookup import UnknownEntity, find_entity
from huiqi.registry.reading import read_table
from huiqi.store.db import open_engine, transaction

REQUIRED = (
    "key",
    "beneficiary",
    "item",
    "period",
    "budget_line",
    "budget_year",
    "amount_fen",
    "citation",
    "ordered_on",
)
OPTIONAL = ("beneficiary_kind", "item_group", "city_share", "district_share", "share_citation")


class BatchRejected(ValueError):
    def __init__(self, errors: list[v.RowError]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:20])
        super().__init__(f"batch rejected, nothing was paid; {len(errors)} problem(s):\n{shown}")


@dataclass(slots=True)
class BatchLine:
    row: int
    key: str
    beneficiary: str
    beneficiary_kind: str | None
    item: str
    item_group: str | None
    period: str
    budget_line: str
    budget_year: int
    amount_fen: int
    citation: str
    ordered_on: date
    share: CostShare | None


@dataclass(slots=True)
class BatchReport:
    placed: int = 0
    already_placed: int = 0
    posted: int = 0
    already_posted: int = 0
    refused: list[str] = field(default_factory=list)


def _row_error(file: str, row: int, name: str, reason: str, value: Any = None) -> v.RowError:
    return v.RowError(file, row, name, reason, value)


def read_batch(path: Path) -> list[BatchLine]:
    """Validate the whole file; raise ``BatchRejected`` listing every bad row."""
    table = read_table(path)
    name = str(path)
    missing = [c for c in REQUIRED if c not in table.columns]
    unknown = [c for c in table.columns if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        errors = [_row_error(name, 1, c, "required column is missing") for c in missing]
        errors += [_row_error(name, 1, c, "unknown column") for c in unknown]
        raise BatchRejected(errors)
    lines: list[BatchLine] = []
    errors: list[v.RowError] = []
    keys: dict[str, int] = {}
    for number, raw in table.rows:
        row_errors: list[v.RowError] = []

        def get(column: str, parse, required: bool = True, raw=raw, number=number, row_errors=row_errors):  # type: ignore[no-untyped-def]
            value = raw.get(column)
            if v.is_blank(value):
                if required:
                    row_errors.append(_row_error(name, number, column, "required, but empty"))
                return None
            try:
                return parse(value)
            except v.InvalidValue as exc:
                row_errors.append(_row_error(name, number, column, str(exc), value))
                return None

        key = get("key", v.parse_text)
        amount = get("amount_fen", v.parse_money)
        if amount == 0:
            row_errors.append(_row_error(name, number, "amount_fen", "an order pays a positive amount", 0))
        city = get("city_share", v.parse_count, required=False)
        district = get("district_share", v.parse_count, required=False)
        share_citation = get("share_citation", v.parse_text, required=False)
        share = None
        if (city is None) != (district is None):
            row_errors.append(
                _row_error(name, number, "city_share", "give both city_share and district_share, or neither")
            )
        elif city is not None and district is not None:
            try:
                share = CostShare(city, district, share_citation or "")
            except ValueError as exc:
                row_errors.append(_row_error(name, number, "share_citation", str(exc)))
        if key is not None:
            if key in keys:
                row_errors.append(
                    _row_error(name, number, "key", f"key used twice in the file (first at row {keys[key]})")
                )
            keys[key] = number
        line = BatchLine(
            row=number,
            key=key or "",
            beneficiary=get("beneficiary", v.parse_text) or "",
            beneficiary_kind=get("beneficiary_kind", v.parse_text, required=False),
            item=get("item", v.parse_text) or "",
            item_group=get("item_group", v.parse_text, required=False),
            period=get("period", v.parse_text) or "",
            budget_line=get("budget_line", v.parse_text) or "",
            budget_year=get("budget_year", v.parse_year) or 0,
            amount_fen=amount or 0,
            citation=get("citation", v.parse_text) or "",
            ordered_on=get("ordered_on", v.parse_date) or date.min,
            share=share,
        )
        if row_errors:
            errors.extend(row_errors)
        else:
            lines.append(line)
    if errors:
        raise BatchRejected(errors)
    return lines


def run_batch(engine: Engine, lines: list[BatchLine], actor: str, pay_on: date | None = None) -> BatchReport:
    """Place and post every order; see the module docstring for why a re-run is safe."""
    report = BatchReport()
    for line in lines:
        try:
            with transaction(engine) as session:
                beneficiary = find_entity(session, line.beneficiary, line.beneficiary_kind)
                request = ledger.OrderRequest(
                    key=line.key,
                    beneficiary_id=beneficiary.id,
                    item=line.item,
                    item_group=line.item_group,
                    period=line.period,
                    budget_line=line.budget_line,
                    budget_year=line.budget_year,
                    amount_fen=line.amount_fen,
                    citation=line.citation,
                    ordered_on=line.ordered_on,
                    share=line.share,
                )
                _order, created = ledger.place_order(session, request, actor)
                crash_point("batch.before_place_commit")
            report.placed += created
            report.already_placed += not created
            crash_point("batch.between_place_and_post")
            with transaction(engine) as session:
                posted = ledger.post_order(session, line.key, actor, pay_on)
                crash_point("batch.before_post_commit")
            report.posted += posted
            report.already_posted += not posted
            crash_point("batch.after_post_commit")
        except (ledger.LedgerError, BudgetError, ClawbackError, UnknownEntity) as exc:
            report.refused.append(f"row {line.row} ({line.key}): {exc}")
    return report


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m huiqi.redemption.batch FILE", file=sys.stderr)
        return 2
    try:
        lines = read_batch(Path(args[0]))
    except (BatchRejected, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = run_batch(open_engine(), lines, getpass.getuser())
    print(
        f"placed {report.placed} (already {report.already_placed}), "
        f"posted {report.posted} (already {report.already_posted}), refused {len(report.refused)}"
    )
    for line in report.refused:
        print(f"refused: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
