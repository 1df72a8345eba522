"""Each scheme family end to end: recognitions and their yearly results imported, a run of the document
that pays on them, 公示, decision, payment — and the ledger afterwards.

Figures, each from its clause:
- 003-38/三/（三）/2: 年度绩效考核结果为优秀、良好的市级众创空间分别给予30万元、20万元的运营资助;
- 003-33/第十二条: 新认定为省级孵化器 50万元, 从省级孵化器升级为国家级孵化器的 再给予 50万元;
- 003-30/二/（一）/1: 新评审纳入“雏鹰计划”培育库的企业 一次性 20万元;
- 003-22/二/（三）/8 and 003-13/三/（四）: 数字化车间 / 智能工厂 不超过 80万元 / 200万元, 按进档差额;
- 003-17/三/（九）/1, 2: 上市辅导备案 一次性 200万元, 上市 一次性 300万元.
"""

from __future__ import annotations

from huiqi.recognitions.upgrade import difference
from huiqi.redemption.audit import verify
from huiqi.store.db import transaction

from .conftest import quote
from .pipeline import (
    EAGLE,
    FACTORY,
    INCUBATOR,
    LISTING,
    SPACE,
    WAN,
    approve_and_pay,
    fund,
    paid,
    recognise,
    register,
    run_lines,
)

SPACE_GRANT = quote("003", "对年度绩效考核结果为优秀、良好的市级众创空间分别给予30万元、20万元的运营资助")
INCUBATOR_AWARD = quote("003", "从省级孵化器升级为国家级孵化器的")
EAGLE_GRANT = quote("003", "对新评审纳入“雏鹰计划”培育库的企业，给予一次性 20 万元的创业无偿资助。")
FACTORY_CAPS = quote("003", "分别给予不超过500万元、200万元、80万元的一次性补助。")
DIFFERENCE = quote("003", "补助资金均按进档差额执行。")
LISTING_AWARDS = quote("003", "对完成股改并在证监部门完成上市辅导备案的企业，给予一次性 200 万元资金补助。")
BUDGET = "年度预算（财政局核定）"  # the documents set no yearly budget line for these items: an official does


def test_space_with_annual_results_is_paid_by_its_rating_each_year(engine, tmp_path):
    register(engine, tmp_path)
    recognise(
        engine,
        tmp_path / "spaces.csv",
        [
            {
                "entity_key": SPACE,
                "scheme": "众创空间",
                "ref": "HZZC-2022-015",
                "tier": "市",
                "granted_on": "2022-03-15",
                "issuer": "杭州市科学技术局",
            }
        ],
    )
    recognise(
        engine,
        tmp_path / "results.csv",
        [
            {
                "entity_key": SPACE,
                "scheme": "众创空间",
                "ref": "HZZC-2022-015",
                "year": 2022,
                "result": "优秀",
                "evaluated_on": "2023-03-20",
            },
            {
                "entity_key": SPACE,
                "scheme": "众创空间",
                "ref": "HZZC-2022-015",
                "year": 2023,
                "result": "良好",
                "evaluated_on": "2024-02-20",
            },
        ],
    )
    item = "003-38/三/（三）/2/运营资助"
    for year, expected in ((2022, 30 * WAN), (2023, 20 * WAN)):
        fund(engine, "003-38", year, BUDGET)
        run_id, lines = run_lines(engine, "003-38", year)
        line = lines[(SPACE, item)]
        assert (line.status, line.computed_fen) == ("eligible", expected), SPACE_GRANT
        report = approve_and_pay(engine, run_id)
        assert (report.placed, report.posted, report.refused) == (1, 1, [])
    assert paid(engine, "003-38") == [(item, "2022", 30 * WAN), (item, "2023", 20 * WAN)]


def test_incubator_upgraded_from_provincial_to_national_gets_the_second_50_wan(engine, tmp_path):
    register(engine, tmp_path)
    recognise(
        engine,
        tmp_path / "incubator.csv",
        [
            # the upgrade first: the importer applies rows in time order
            {
                "entity_key": INCUBATOR,
                "scheme": "孵化器",
                "ref": "FH-33-007",
                "tier": "国家",
                "granted_on": "2022-09-01",
                "issuer": "科学技术部",
            },
            {
                "entity_key": INCUBATOR,
                "scheme": "孵化器",
                "ref": "FH-33-007",
                "tier": "省",
                "granted_on": "2021-06-01",
                "issuer": "浙江省科学技术厅",
            },
        ],
    )
    item = "003-33/第十二条/省级国家级"
    for year in (2021, 2022):
        fund(engine, "003-33", year, BUDGET)
        run_id, lines = run_lines(engine, "003-33", year)
        line = lines[(INCUBATOR, item)]
        assert (line.status, line.computed_fen) == ("eligible", 50 * WAN), INCUBATOR_AWARD
        approve_and_pay(engine, run_id)
    # the total of 100万元 (单个孵化器可享受的奖励总额) is reached: a third run pays nothing more
    _, lines = run_lines(engine, "003-33", 2022)
    assert (INCUBATOR, item) not in lines
    assert paid(engine, "003-33") == [(item, "2021", 50 * WAN), (item, "2022", 50 * WAN)]


def test_chuying_enterprise_gets_its_one_off_grant_once(engine, tmp_path):
    register(engine, tmp_path)
    recognise(
        engine,
        tmp_path / "eagles.csv",
        [
            {
                "entity_key": EAGLE,
                "scheme": "雏鹰企业",
                "ref": "CY-2022-0456",
                "tier": "市",
                "granted_on": "2022-05-10",
                "issuer": "杭州市科学技术局",
            }
        ],
    )
    item = "003-30/二/（一）/1/无偿资助"
    fund(engine, "003-30", 2022, BUDGET)
    run_id, lines = run_lines(engine, "003-30", 2022)
    assert (lines[(EAGLE, item)].status, lines[(EAGLE, item)].computed_fen) == ("eligible", 20 * WAN), (
        EAGLE_GRANT
    )
    report = approve_and_pay(engine, run_id)
    assert (report.placed, report.posted) == (1, 1)
    # a second run of the same year finds it paid (不再重复) and the ledger keeps one order
    _, again = run_lines(engine, "003-30", 2022)
    assert (EAGLE, item) not in again
    assert paid(engine, "003-30") == [(item, "2022", 20 * WAN)]


def test_future_factory_upgrade_pays_only_the_difference(engine, tmp_path):
    register(engine, tmp_path)
    item = "003-22/二/（三）/8/数字化改造"
    row = {"entity_key": FACTORY, "scheme": "未来工厂", "ref": "WLGC-0001", "issuer": "杭州市经济和信息化局"}
    recognise(engine, tmp_path / "f1.csv", [{**row, "tier": "数字化车间", "granted_on": "2023-06-01"}])
    fund(engine, "003-22", 2023, BUDGET)
    run_id, lines = run_lines(engine, item, 2023)
    first = lines[(FACTORY, item)]
    assert (first.status, first.cap_fen) == ("discretionary", 80 * WAN), FACTORY_CAPS
    with transaction(engine) as s:
        d = difference(s, run_id, first.line_no)
    assert (d.ceiling_fen, d.paid_fen, d.due_fen) == (80 * WAN, 0, 80 * WAN)
    approve_and_pay(engine, run_id, {first.line_no: d.due_fen})

    # the workshop is rated a 智能工厂 a year later: same recognition (ref), a higher tier
    recognise(engine, tmp_path / "f2.csv", [{**row, "tier": "智能工厂", "granted_on": "2024-04-01"}])
    fund(engine, "003-22", 2024, BUDGET)
    run_id2, lines2 = run_lines(engine, item, 2024)
    second = lines2[(FACTORY, item)]
    # the engine settles 补差: the line's ceiling is 200 − 80 = 120万元, and the trace says so
    assert (second.status, second.cap_fen) == ("discretionary", 120 * WAN), DIFFERENCE
    steps = [st for st in second.result["trace"] if st["kind"] == "upgrade"]
    assert [(st["text"], st["quote"]) for st in steps] == [
        ("同一对象（WLGC-0001）已拨付80万元，补足差额：酌定上限200万元已按补差扣减为120万元", DIFFERENCE)
    ]
    with transaction(engine) as s:
        d2 = difference(s, run_id2, second.line_no)
    assert (d2.ceiling_fen, d2.paid_fen, d2.due_fen) == (120 * WAN, 80 * WAN, 120 * WAN), DIFFERENCE
    assert d2.orders == [f"run:{run_id}:line:{first.line_no}"] and d2.citation.quote == DIFFERENCE
    approve_and_pay(engine, run_id2, {second.line_no: d2.due_fen})

    assert paid(engine, "003-22") == [(item, "2023", 80 * WAN), (item, "2024", 120 * WAN)]
    with transaction(engine) as s:  # once paid, nothing is left of the difference
        assert difference(s, run_id2, second.line_no).paid_fen == 80 * WAN  # its own order is not counted
        assert verify(s).ok


def test_listing_stages_pay_each_stage_award_once(engine, tmp_path):
    register(engine, tmp_path)
    row = {"entity_key": LISTING, "scheme": "上市进程", "ref": "IPO-001"}
    recognise(
        engine,
        tmp_path / "listing.csv",
        [
            {
                **row,
                "tier": "上市",
                "granted_on": "2024-01-18",
                "issuer": "上海证券交易所",
                "exchange": "上交所",
            },
            {**row, "tier": "股改", "granted_on": "2022-03-01", "issuer": "杭州市市场监督管理局"},
            {**row, "tier": "申报受理", "granted_on": "2023-06-20", "issuer": "上海证券交易所"},
            {
                **row,
                "tier": "辅导备案",
                "granted_on": "2022-09-15",
                "issuer": "中国证券监督管理委员会浙江监管局",
            },
        ],
    )
    tutoring, listed = "003-17/九/1/上市辅导备案", "003-17/九/2/上市"
    expected = {2022: {tutoring: 200 * WAN}, 2023: {}, 2024: {listed: 300 * WAN}}
    for year, due in expected.items():
        fund(engine, "003-17", year, BUDGET)
        run_id, lines = run_lines(engine, "003-17", year)
        mine = {item: ln.computed_fen for (key, item), ln in lines.items() if key == LISTING}
        assert mine == due, (year, LISTING_AWARDS)
        if due:
            approve_and_pay(engine, run_id)
    # the whole sequence again: every stage is paid, nothing is due twice
    for year in expected:
        _, lines = run_lines(engine, "003-17", year)
        assert not [k for k in lines if k[0] == LISTING], year
    assert paid(engine, "003-17") == [(tutoring, "2022", 200 * WAN), (listed, "2024", 300 * WAN)]
