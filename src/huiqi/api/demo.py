"""A demo server's database (``huiqi serve --demo``): a fresh SQLite file seeded with the redemption demo's
small registry, budgets, the paid 2022 award, one run of 002 for 2023 ready for its 公示 (public notice),
and one account of every role.

The registry is ``huiqi.redemption.demo_data`` (12 enterprises whose first three are the named cases of
002/六 and 002/三), imported by the importer itself; the budgets and the maker's name are those of
``huiqi demo``. Every step goes through the same functions as the commands, so the audit log of the demo
starts with real entries and verifies.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import FastAPI

from huiqi.api.app import create_app
from huiqi.api.settings import Settings
from huiqi.auth.roles import Role
from huiqi.redemption import demo_data
from huiqi.redemption.batch import read_batch, run_batch
from huiqi.redemption.budget import set_budget
from huiqi.redemption.run import start_run
from huiqi.registry.importing import import_files
from huiqi.store import open_engine, transaction

# 002 一, verbatim: the special fund's yearly budget, the citation of each year's line (as in ``huiqi demo``).
BUDGET_QUOTE = "每年安排专项资金不少于3亿元"
BUDGET_FEN = 300_000_000 * 100  # 3亿元
RUN_DAY = date(2024, 3, 1)  # the day the 2023 run is prepared (as in ``huiqi demo``)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    unit: str | None
    note: str


def _accounts() -> list[tuple[str, Role, str | None, str]]:
    return [
        ("admin", Role.ADMIN, None, "管理员：账号管理、审计日志"),
        ("kejiju", Role.OFFICIAL, "区科技局", "经办人：002/三 等由区科技局牵头的条款；导入登记册"),
        ("jingxinju", Role.OFFICIAL, "区经信局", "经办人：002/六 等由区经信局牵头的条款"),
        ("caizheng", Role.FINANCE, None, "财政：设定预算、审批支付"),
        ("shenji", Role.AUDITOR, None, "审计：只读一切，校验审计链"),
        ("qiye01", Role.ENTERPRISE, demo_data.credit_code(1), "企业：杭州示例01科技有限公司，只看本企业"),
    ]


def seed(folder: Path) -> tuple[str, list[DemoAccount]]:
    """Create and seed ``folder/demo.sqlite``; its URL and the accounts (with fresh random passwords)."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    engine = open_engine(url)
    files = demo_data.write(folder / "registry")
    paid = next(p for p in files if p.name == "paid_2022.csv")
    with transaction(engine) as s:
        import_files(s, [p for p in files if p != paid], actor="登记员")
        for year in (2022, 2023):
            set_budget(s, "002", year, BUDGET_FEN, f"002 一：{BUDGET_QUOTE}", "财政局")
    # Enterprise 01's 2022 award (省级专精特新, 20万元), paid through the ledger: 2023 owes the difference.
    run_batch(engine, read_batch(paid), "财政局", date(2022, 12, 20))
    start_run(engine, "002", 2023, "王经办", RUN_DAY)

    from huiqi.auth.accounts import AccountStore

    store = AccountStore(engine)
    made = []
    for username, role, unit, note in _accounts():
        # Random each start: a demo reachable from a network must not have a password printed in the docs.
        password = f"demo-{secrets.token_hex(5)}"
        store.create("cli", username, password, role, unit)
        made.append(DemoAccount(username, password, role, unit, note))
    engine.dispose()
    return url, made


def demo_app(folder: Path, settings: Settings | None = None) -> tuple[FastAPI, list[DemoAccount]]:
    """The application on a freshly seeded demo database in ``folder``, and its accounts."""
    url, accounts = seed(folder)
    base = settings or Settings()
    app = create_app(
        Settings(
            database_url=url,
            session_ttl=base.session_ttl,
            secure_cookies=base.secure_cookies,
            today=base.today,
        )
    )
    return app, accounts
