"""Payment orders (支付指令) from the approved lines of a run: ``huiqi pay RUN``.

Each approved line with an amount becomes one ``ledger.OrderRequest`` whose idempotency key is the
decision's (derived from run and line), so the ledger's own guarantees carry over: placing it again
is a no-op, a given (beneficiary, item, period) is paid at most once (a partial UNIQUE index), the
budget line is reserved and posted atomically and never goes below zero, a banned beneficiary is
refused. Like ``huiqi ledger pay``, each order is placed in one transaction and posted in another,
each a no-op when already done: a run paid again after a crash (even a SIGKILL between the two)
completes what is missing and pays nothing twice.

The budget line is the rule file's budget that names the item (``budgets:`` in the rules), else the
document id; ``budget_line`` overrides it. The rule files carry no city:district cost sharing yet,
so the share (市与区县（市）两级财政按比例承担) is an explicit input with its citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from huiqi.redemption import ledger
from huiqi.redemption.budget import BudgetError
from huiqi.redemption.clawback import ClawbackError
from huiqi.redemption.faults import crash_point
from huiqi.redemption.run import RunError, document_of, get_run, stored_rules
from huiqi.redemption.sharing import CostShare
from huiqi.store.db import transaction
from huiqi.store.models_runs import Decision, RunLine


@dataclass(slots=True)
class PayReport:
    placed: int = 0
    already_placed: int = 0
    posted: int = 0
    already_posted: int = 0
    refused: list[str] = field(default_factory=list)


def _budget_lines(session: Session, run_id: int) -> dict[str, str]:
    """item id → the id of the rule file's budget line (``budgets:``) that names it.

    Read from the run's stored rule texts (the YAML only: loading the whole book is not needed)."""
    out: dict[str, str] = {}
    for _, text in stored_rules(session, run_id).files.values():
        for b in (yaml.safe_load(text) or {}).get("budgets") or []:
            for item in b.get("items") or []:
                out[str(item)] = str(b["id"])
    return out


def pay(
    engine: Engine,
    run_id: int,
    by: str,
    on: date,
    budget_line: str | None = None,
    share: CostShare | None = None,
) -> PayReport:
    """Place and post the order of every approved line of run ``run_id``; safe to repeat."""
    with transaction(engine) as session:
        run = get_run(session, run_id)
        year = run.year
        rows = session.execute(
            select(Decision, RunLine)
            .join(RunLine, RunLine.id == Decision.line_id)
            .where(Decision.run_id == run_id, Decision.decision == "approve", Decision.order_key.is_not(None))
            .order_by(RunLine.line_no)
        ).all()
        lines = [
            (
                d.order_key,
                ln.line_no,
                ln.entity_id,
                ln.item,
                d.amount_fen,
                ln.result.get("quote") or ln.item,
                ln.subjects,
            )
            for d, ln in rows
        ]
        by_item = _budget_lines(session, run_id) if budget_line is None else {}
    if not lines:
        raise RunError(f"run {run_id} has no approved line to pay")
    report = PayReport()
    for key, line_no, entity_id, item, amount, quote, subjects in lines:
        ladders = {s for s, _ in subjects if s.startswith("ladder:")}
        request = ledger.OrderRequest(
            key=key,
            beneficiary_id=entity_id,
            item=item,
            item_group=ladders.pop() if len(ladders) == 1 else None,
            period=str(year),
            budget_line=budget_line or by_item.get(item) or document_of(item),
            budget_year=year,
            amount_fen=amount,
            citation=f"{item}: {quote}",
            ordered_on=on,
            share=share,
        )
        try:
            with transaction(engine) as session:
                _order, created = ledger.place_order(session, request, by)
            report.placed += created
            report.already_placed += not created
            crash_point("pay.between_place_and_post")
            with transaction(engine) as session:
                posted = ledger.post_order(session, key, by, on)
            report.posted += posted
            report.already_posted += not posted
        except (ledger.LedgerError, BudgetError, ClawbackError) as exc:
            report.refused.append(f"line {line_no} ({key}): {exc}")
    return report
