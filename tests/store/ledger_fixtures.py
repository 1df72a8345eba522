"""Shared set-up for the ledger tests: two enterprises and the budget line of 002 (两链融合)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from huiqi.redemption import budget, ledger
from huiqi.store.db import transaction
from huiqi.store.models import Entity

from .conftest import credit_code, quote

# 002 一: "每年安排专项资金不少于3亿元" — the line's yearly budget.
BUDGET_CITATION = quote("002", "每年安排专项资金不少于3亿元")
BUDGET_FEN = 300_000_000 * 100
# 002 四: "给予最高不超过研发总投入30%、单个项目不超过500万元的后补助" — an award at its cap.
ITEM = "002/四"
ITEM_CITATION = quote("002", "给予最高不超过研发总投入30%、单个项目不超过500万元的后补助")
CAP_FEN = 5_000_000 * 100


def add_enterprises(engine: Engine, n: int) -> list[int]:
    with transaction(engine) as s:
        entities = [
            Entity(
                kind="enterprise",
                key=credit_code(i),
                name=f"企业{i}",
                credit_code=credit_code(i),
                attributes={},
                content_hash="-",
            )
            for i in range(1, n + 1)
        ]
        s.add_all(entities)
        s.flush()
        return [e.id for e in entities]


def set_line(engine: Engine, amount_fen: int = BUDGET_FEN, line: str = "002", year: int = 2023) -> None:
    with transaction(engine) as s:
        budget.set_budget(s, line, year, amount_fen, BUDGET_CITATION, "finance")


def request(key: str, beneficiary_id: int, amount_fen: int = CAP_FEN, **kw) -> ledger.OrderRequest:
    fields = {
        "item": ITEM,
        "period": "2023",
        "budget_line": "002",
        "budget_year": 2023,
        "citation": ITEM_CITATION,
        "ordered_on": date(2023, 11, 1),
    }
    fields.update(kw)
    return ledger.OrderRequest(key=key, beneficiary_id=beneficiary_id, amount_fen=amount_fen, **fields)


def entity_id(engine: Engine, key: str) -> int:
    with transaction(engine) as s:
        return s.execute(select(Entity.id).where(Entity.key == key)).scalar_one()
