"""What the recognition tests share: registry files written as CSV, and one redemption step each
(run → 公示 → decision → pay) as an official would take them."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from huiqi.recognitions.importing import import_files as import_recognitions
from huiqi.redemption import budget, decision, notice, orders, run
from huiqi.registry.importing import import_files as import_registry
from huiqi.store.db import transaction
from huiqi.store.models import PaymentOrder

from .conftest import credit_code

WAN = 10_000 * 100  # 1万元 in fen
MAKER, CHECKER, CLERK = "王经办", "李复核", "登记员"
RUN_DAY = date(2024, 3, 1)  # a Friday: 5 working days of 公示 end on 2024-03-07
AFTER_WINDOW = date(2024, 3, 8)
PAY_DAY = date(2024, 3, 15)

SPACE, INCUBATOR = "ZC-001", "FH-001"  # carriers, keyed by the registry's id
EAGLE, FACTORY, LISTING = credit_code(101), credit_code(102), credit_code(103)


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def register(engine: Engine, folder: Path) -> None:
    """Two carriers and three enterprises, all registered in 滨江区."""
    entities = write_csv(
        folder / "entities.csv",
        [
            {
                "kind": "carrier",
                "key": SPACE,
                "name": "星火众创空间",
                "district": "滨江区",
                "carrier_type": "众创空间",
            },
            {
                "kind": "carrier",
                "key": INCUBATOR,
                "name": "滨江科技企业孵化器",
                "district": "滨江区",
                "carrier_type": "孵化器",
            },
            {"kind": "enterprise", "credit_code": EAGLE, "name": "雏鹰科技有限公司", "district": "滨江区"},
            {"kind": "enterprise", "credit_code": FACTORY, "name": "未来智造有限公司", "district": "滨江区"},
            {"kind": "enterprise", "credit_code": LISTING, "name": "凤凰股份有限公司", "district": "滨江区"},
        ],
    )
    with transaction(engine) as s:
        import_registry(s, [entities], actor=CLERK)


def recognise(engine: Engine, path: Path, rows: list[dict[str, object]]) -> None:
    with transaction(engine) as s:
        import_recognitions(s, [write_csv(path, rows)], CLERK)


def fund(engine: Engine, line: str, year: int, quote_: str, wan: int = 10_000) -> None:
    with transaction(engine) as s:
        budget.set_budget(s, line, year, wan * WAN, quote_, "财政局")


def run_lines(engine: Engine, target: str, year: int) -> tuple[int, dict[tuple[str, str], object]]:
    """Start a run; (run id, {(entity key, item): line})."""
    run_id = run.start_run(engine, target, year, MAKER, RUN_DAY).run_id
    with transaction(engine) as s:
        return run_id, {(e.key, ln.item): ln for ln, e in run.lines_of(s, run_id)}


def approve_and_pay(engine: Engine, run_id: int, amounts: dict[int, int] | None = None) -> orders.PayReport:
    """公示 for 5 working days, approve every line after the window (a discretionary line with the
    amount given for it), pay."""
    with transaction(engine) as s:
        notice.publish(s, run_id, 5, MAKER, RUN_DAY)
    with transaction(engine) as s:
        decision.decide(s, run_id, CHECKER, True, "公示期满无异议", AFTER_WINDOW)
    for line_no, amount in (amounts or {}).items():
        with transaction(engine) as s:
            decision.decide(s, run_id, CHECKER, True, "按进档差额核定", AFTER_WINDOW, [line_no], amount)
    return orders.pay(engine, run_id, "财政局", PAY_DAY)


def paid(engine: Engine, item_prefix: str) -> list[tuple[str, str, int]]:
    """Live orders under items starting with ``item_prefix``: (item, period, amount), in order."""
    with transaction(engine) as s:
        rows = s.execute(
            select(PaymentOrder)
            .where(PaymentOrder.item.startswith(item_prefix), PaymentOrder.status != "cancelled")
            .order_by(PaymentOrder.id)
        ).scalars()
        return [(o.item, o.period, o.amount_fen) for o in rows]
