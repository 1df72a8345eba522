"""The small registry the redemption tests share: the three named enterprises of
``huiqi.redemption.demo_data`` (plus a few random ones), budgets for 002, and the 2022 award of
enterprise 1 paid through the ledger.

1. 省级专精特新中小企业 2022-06-15, 专精特新小巨人 2023-07-20; 20万元 paid for 2022.
2. 隐形冠军 2023, but its fiscal revenue is not in the district in 2023.
3. chain leader, leads a 省级企业创新联合体 recognised 2023-04-01, R&D spending from the seed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from huiqi.redemption import batch, budget, decision, notice, run
from huiqi.redemption.demo_data import credit_code, write
from huiqi.registry.importing import import_files
from huiqi.store.db import transaction
from huiqi.store.models import Entity

from .conftest import quote

BUDGET_QUOTE = quote("002", "每年安排专项资金不少于3亿元")  # 002 一
BUDGET_FEN = 300_000_000 * 100
# 002 六, the award ladder of 专精特新: 省级中小企业 20万元, 小巨人 100万元.
AWARD_QUOTE = quote(
    "002",
    "对“单项冠军”企业、“专精特新小巨人”企业、“隐形冠军”企业、省级“专精特新”中小企业分别给予200万元、100万元、"
    "100万元、20万元一次性奖励。",
)
# 002 十六: 晋升补差
UPGRADE_QUOTE = quote("002", "同一奖项在低等次已作资助（奖励）的，晋升到高等次时补足差额部分。")
# 002 三: 省级企业创新联合体牵头单位 50万元
UNION_QUOTE = quote(
    "002", "对新认定的省、市级企业创新联合体、产业链上下游企业共同体，分别给予50万元、30万元一次性奖励。"
)
# 002 六: 链主研发, discretionary with a ceiling of 20% of R&D
CHAIN_QUOTE = quote("002", "对符合条件的可按其研发投入最高给予不超过20%的资助")

MAKER, CHECKER = "王经办", "李复核"
RUN_DAY = date(2024, 3, 1)  # a Friday; 5 working days → 2024-03-07
AFTER_WINDOW = date(2024, 3, 8)
A, B, C = credit_code(1), credit_code(2), credit_code(3)


def make_registry(engine: Engine, folder: Path, n: int = 3, budget_fen: int = BUDGET_FEN) -> dict[str, Path]:
    paths = write(folder, n=n, seed=2023)
    files = {p.stem: p for p in paths}
    with transaction(engine) as s:
        import_files(s, [files["entities"], files["yearly"], files["events"]], actor="登记员")
        for year in (2022, 2023):
            budget.set_budget(s, "002", year, budget_fen, BUDGET_QUOTE, "财政局")
    report = batch.run_batch(engine, batch.read_batch(files["paid_2022"]), "财政局", date(2022, 12, 20))
    assert report.posted == 1 and not report.refused
    return files


def rd_expense_fen(engine: Engine, key: str, year: int) -> int:
    from huiqi.store.models import YearlyFact

    with transaction(engine) as s:
        return s.execute(
            select(YearlyFact.value)
            .join(Entity, Entity.id == YearlyFact.entity_id)
            .where(Entity.key == key, YearlyFact.year == year, YearlyFact.name == "rd_expense_fen")
        ).scalar_one()


def lines(engine: Engine, run_id: int) -> dict[tuple[str, str], object]:
    """(entity key, item) → the stored line."""
    with transaction(engine) as s:
        return {(e.key, ln.item): ln for ln, e in run.lines_of(s, run_id)}


def start(engine: Engine, target: str = "002", year: int = 2023, by: str = MAKER) -> int:
    return run.start_run(engine, target, year, by, RUN_DAY).run_id


def published_and_approved(engine: Engine, run_id: int) -> None:
    """Publish for 5 working days and approve every eligible line after the window."""
    with transaction(engine) as s:
        notice.publish(s, run_id, 5, MAKER, RUN_DAY)
    with transaction(engine) as s:
        decision.decide(s, run_id, CHECKER, True, "公示期满无异议", AFTER_WINDOW)
