"""``huiqi pay`` splits each order city:district as the run's document says (003-30 二（一）), by the
beneficiary's registered district; an unnamed district is refused, never given a guessed ratio."""

from __future__ import annotations

import csv
from datetime import date

from sqlalchemy import select

from huiqi.redemption import budget, ledger, orders
from huiqi.redemption.audit import verify
from huiqi.redemption.demo_data import credit_code
from huiqi.redemption.sharing import CostShare
from huiqi.registry.importing import import_files
from huiqi.store.db import transaction
from huiqi.store.models import PaymentOrder

from .conftest import quote
from .setup_registry import lines, published_and_approved, start

WAN = 10_000 * 100
PAY_DAY = date(2024, 3, 15)
# 003-30 二（一）1: 对新评审纳入“雏鹰计划”培育库的企业，给予一次性 20 万元的创业无偿资助。
ITEM = "003-30/二/（一）/1/无偿资助"
GRANT = 20 * WAN
# 003-30 二（一）: the sharing clause, which the budget line cites too.
SHARING = quote(
    "003",
    "市与上城区、下城区、江干区、拱墅区、西湖区、滨江区、富阳区、钱塘新区的承担比例为 1:1，"
    "市与萧山区、余杭区、临安区、桐庐县、建德市、淳安县的承担比例为 1:3",
)
BUDGET_QUOTE = quote("003", "财政扶持经费由市与区县（市）两级财政按比例承担")
# serial → registered district: 1:1, 1:3, a district of today carved out of 余杭区 (1:3), a district
# the text does not name, and none registered.
DISTRICTS = {1: "滨江区", 2: "萧山区", 3: "临平区", 4: "嘉兴市南湖区", 5: ""}


def chuying_registry(engine, folder) -> None:
    """Five enterprises, each newly in the 雏鹰计划 培育库 in 2021, and a 003-30 budget for 2021."""
    entities, events = folder / "entities.csv", folder / "events.csv"
    with entities.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["kind", "name", "credit_code", "industry", "district", "founded"])
        for i, district in DISTRICTS.items():
            w.writerow(
                [
                    "enterprise",
                    f"杭州雏鹰{i:02d}科技有限公司",
                    credit_code(i),
                    "人工智能",
                    district,
                    "2019-05-01",
                ]
            )
    with events.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["entity_key", "event", "date", "title", "level", "org_type", "role", "subject"])
        for i in DISTRICTS:
            w.writerow([credit_code(i), "enterprise_title", "2021-06-15", "雏鹰企业", "市", "", "", ""])
    with transaction(engine) as s:
        import_files(s, [entities, events], actor="登记员")
        budget.set_budget(s, "003-30", 2021, 1_000 * WAN, BUDGET_QUOTE, "财政局")


def approved_run(engine, tmp_path) -> int:
    chuying_registry(engine, tmp_path)
    run_id = start(engine, ITEM, 2021)
    assert {(k, item): ln.result["amount_fen"] for (k, item), ln in lines(engine, run_id).items()} == {
        (credit_code(i), ITEM): GRANT for i in DISTRICTS
    }
    published_and_approved(engine, run_id)
    return run_id


def orders_by_code(engine) -> dict[str, PaymentOrder]:
    from huiqi.store.models import Entity

    with transaction(engine) as s:
        rows = s.execute(
            select(PaymentOrder, Entity.key).join(Entity, Entity.id == PaymentOrder.beneficiary_id)
        )
        return {key: o for o, key in rows}


def test_orders_are_split_by_the_beneficiarys_district_as_the_text_says(engine, tmp_path):
    run_id = approved_run(engine, tmp_path)
    report = orders.pay(engine, run_id, "财政局", PAY_DAY)
    assert report.posted == 3
    got = orders_by_code(engine)
    # 滨江区 1:1 → 10万元 city, 10万元 district
    binjiang = got[credit_code(1)]
    assert (binjiang.city_share_fen, binjiang.district_share_fen) == (10 * WAN, 10 * WAN)
    assert binjiang.share_citation == f"1:1 003-30/二/（一）: {SHARING}"
    # 萧山区 1:3 → 5万元 city, 15万元 district
    xiaoshan = got[credit_code(2)]
    assert (xiaoshan.city_share_fen, xiaoshan.district_share_fen) == (5 * WAN, 15 * WAN)
    assert xiaoshan.share_citation.startswith("1:3 003-30/二/（一）: ")
    # 临平区 (2021, out of 余杭区) takes 余杭区's 1:3, and the citation says so
    linping = got[credit_code(3)]
    assert (linping.city_share_fen, linping.district_share_fen) == (5 * WAN, 15 * WAN)
    assert linping.share_citation.startswith("1:3 003-30/二/（一）（临平区按余杭区）: ")
    # not named by the text, or no district registered: refused with the reason, no order
    assert credit_code(4) not in got and credit_code(5) not in got
    assert len(report.refused) == 2
    nanhu, unknown = sorted(report.refused, key=lambda r: "嘉兴" not in r)
    assert "sets no city:district ratio for 嘉兴市南湖区" in nanhu
    assert "district is not registered" in unknown
    with transaction(engine) as s:
        assert verify(s).ok and ledger.check_invariants(s) == []


def test_an_explicit_share_overrides_the_rule(engine, tmp_path):
    run_id = approved_run(engine, tmp_path)
    report = orders.pay(engine, run_id, "财政局", PAY_DAY, share=CostShare(1, 1, SHARING))
    assert report.posted == 5 and not report.refused  # every district, 萧山区 and 南湖区 included
    for o in orders_by_code(engine).values():
        assert (o.city_share_fen, o.district_share_fen) == (10 * WAN, 10 * WAN)
