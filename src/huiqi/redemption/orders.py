"""Payment orders (支付指令) from the approved lines of a run: ``huiqi pay RUN``.

Each approved line with an amount becomes one ``ledger.OrderRequest`` whose idempotency key is the
decision's (derived from run and line), so the ledger's own guarantees carry over: placing it again
is a no-op, a given (beneficiary, item, period) is paid at most once (a partial UNIQUE index), the
budget line is reserved and posted atomically and never goes below zero, a banned beneficiary is
refused. Like ``huiqi ledger pay``, each order is placed in one transaction and posted in another,
each a no-op when already done: a run paid again after a crash (even a SIGKILL between the two)
completes what is missing and pays nothing twice.

The budget line is the rule file's budget that names the item (``budgets:`` in the rules), else the
document id; ``budget_line`` overrides it.

City:district cost sharing (市与区县（市）两级财政按比例承担): when the run's document sets it
(``cost_sharing:`` in its rule file) each order is split by the beneficiary's registered district
(the entity's ``district`` attribute), with the rule's clause and quote as the citation. A
beneficiary whose district is unknown, or not named by the text (nor renamed from one it names), is
refused: a ratio is never guessed. ``share`` overrides the rule for every order; a document that sets
no sharing (or an item it leaves out) is paid wholly from the district line.
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
from huiqi.redemption.run import RuleSource, RunError, document_of, get_run, stored_rules
from huiqi.redemption.sharing import CostShare
from huiqi.rules.ast import CostSharing
from huiqi.store.db import transaction
from huiqi.store.models import Entity
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


def _cost_sharing(rules: RuleSource) -> dict[str, CostSharing]:
    """document id → the cost sharing its rule file sets, for the run's stored rule texts.

    The book is loaded (quotes checked, seconds) only when some stored file sets ``cost_sharing``."""
    if not any("cost_sharing" in (yaml.safe_load(text) or {}) for _, text in rules.files.values()):
        return {}
    book = rules.load()
    return {doc: rs.cost_sharing for doc, rs in book.rulesets.items() if rs.cost_sharing is not None}


def _rule_share(sharing: CostSharing, district: str | None) -> CostShare:
    """The city:district share of a beneficiary in ``district`` under ``sharing``; ValueError (the
    reason) when the district is unknown or the text does not name it."""
    src = sharing.source
    if not district:
        raise ValueError(f"the beneficiary's district is not registered; {src.clause} shares by district")
    found = sharing.ratio(district)
    if found is None:
        named = "、".join(sharing.by_district)
        raise ValueError(f"{src.clause} sets no city:district ratio for {district} (it names {named})")
    city, own, named = found
    as_named = "" if named == district else f"（{district}按{named}）"
    return CostShare(city, own, f"{src.clause}{as_named}: {src.quote}")


def pay(
    engine: Engine,
    run_id: int,
    by: str,
    on: date,
    budget_line: str | None = None,
    share: CostShare | None = None,
) -> PayReport:
    """Place and post the order of every approved line of run ``run_id``; safe to repeat.

    ``share`` overrides the document's cost sharing for every order (see the module docstring)."""
    with transaction(engine) as session:
        run = get_run(session, run_id)
        year = run.year
        rows = session.execute(
            select(Decision, RunLine, Entity.attributes)
            .join(RunLine, RunLine.id == Decision.line_id)
            .join(Entity, Entity.id == RunLine.entity_id)
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
                (attributes or {}).get("district"),
            )
            for d, ln, attributes in rows
        ]
        by_item = _budget_lines(session, run_id) if budget_line is None else {}
        sharing = _cost_sharing(stored_rules(session, run_id)) if share is None and lines else {}
    if not lines:
        raise RunError(f"run {run_id} has no approved line to pay")
    report = PayReport()
    for key, line_no, entity_id, item, amount, quote, subjects, district in lines:
        ladders = {s for s, _ in subjects if s.startswith("ladder:")}
        line_share = share
        rule = sharing.get(document_of(item))
        if line_share is None and rule is not None and rule.applies_to(item):
            try:
                line_share = _rule_share(rule, district)
            except ValueError as exc:
                report.refused.append(f"line {line_no} ({key}): {exc}")
                continue
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
            share=line_share,
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
