"""The scalar evaluator: statuses, traces with citations, why-nots, cross-cutting provisions."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.engine.evaluate import Env, Status, Unknown, calculate, ev
from huiqi.engine.profile import parse_profile
from huiqi.paths import policies_dir
from huiqi.rules.expr import Scope, parse_expr
from huiqi.rules.loader import load_rules

RULES_000 = policies_dir() / "000" / "rules.yaml"


@pytest.fixture(scope="module")
def book():
    return load_rules()


def enterprise(year=2023, events=(), payments=(), **facts):
    yearly = {"is_fiscal_revenue_in_district": True, "is_innovation_org_member": True, **facts}
    return parse_profile(
        {
            "kind": "enterprise",
            "id": "t",
            "years": {str(year): yearly},
            "events": list(events),
            "payments": list(payments),
        }
    )


def item(calc, item_id):
    return next(r for r in calc.items if r.item.id == item_id)


def test_trace_cites_clause_and_quote(book):
    p = enterprise(
        events=[{"type": "enterprise_title", "date": "2023-05-01", "title": "单项冠军", "level": "国家"}]
    )
    r = item(calculate(book, p, 2023, near_misses=False), "002/六/单项冠军")
    assert r.status is Status.ELIGIBLE and r.amount_fen == 200_000_000
    j = r.to_json()
    assert j["clause"] == "002/六" and "分别给予200万元" in j["quote"]
    amount_steps = [s for s in r.trace if s.kind == "amount"]
    assert amount_steps[-1].text == "定额 200万元" and amount_steps[-1].clause == "002/六"
    provision = next(s for s in r.trace if s.kind == "provision")
    assert provision.ok is True and provision.clause == "002/一"


def test_why_not_in_plain_chinese(book):
    p = enterprise(is_chain_leader=True, local_order_increment_fen=80_000_000_00)  # 8000万元
    r = item(calculate(book, p, 2023, near_misses=False), "002/八/订单增量")
    assert r.status is Status.NOT_ELIGIBLE
    assert "年度执行本地上下游配套订单增量 8,000万元，未满足“≥ 1亿元”" in r.why_not


def test_outside_district_says_so(book):
    p = enterprise(is_fiscal_revenue_in_district=False)
    r = item(calculate(book, p, 2023, near_misses=False), "002/十三/股权投资")
    assert r.status is Status.NOT_ELIGIBLE
    assert r.why_not == ["不属于区内单位（财政收入级次不在高新区（滨江）范围内）（002/一）"]


def test_talent_is_not_a_beneficiary_of_enterprise_items(book):
    p = parse_profile({"kind": "talent", "years": {"2023": {}}})
    r = item(calculate(book, p, 2023, near_misses=False), "002/六/单项冠军")
    assert r.status is Status.NOT_ELIGIBLE and r.why_not == ["本条适用于企业"]


def test_kleene_logic_and_missing_names():
    scope = Scope({})
    p = parse_profile({"kind": "enterprise", "years": {"2023": {"is_chain_leader": False}}})
    env = Env(p, 2023, date(2023, 1, 1), date(2023, 12, 31), None)
    assert (
        ev(parse_expr("is_chain_leader and rd_expense_fen > 0", scope), env) is False
    )  # False and ? = False
    v = ev(parse_expr("not is_chain_leader and rd_expense_fen > 0", scope), env)
    assert v == Unknown(frozenset({"years.2023.rd_expense_fen"}))
    assert ev(parse_expr("not is_chain_leader or rd_expense_fen > 0", scope), env) is True  # True or ? = True


# --- 000 附则 as first-class provisions, through a fixture document that adopts them ---------------

FIXTURE_000 = textwrap.dedent(
    """
    document: "000"
    # FIXTURE for tests: 000's real provisions plus one made-up item over a real sentence of 000/二/（二）/7,
    # with a made-up validity window (000 itself is undated). Not a rule of the project.
    parameters:
      listing_award: {value: 400, unit: 万元, text: 400万元, clause: 000/二/（二）/7}
      encouraged_industries:
        value: [信息技术, 生命健康, 文化创意, 节能环保, 高端装备制造, 人工智能, 集成电路, 数据要素,
                新能源, 新材料, 其他战略性新兴产业, 其他高新技术产业]
        unit: list
        text: 信息技术、生命健康、文化创意、节能环保、高端装备制造、人工智能、集成电路、数据要素
        clause: 000/三/3
    provisions:
      - id: 000/附则/资助对象
        kind: beneficiary
        clause: 000/三/2
        quote: 所有政策资助（奖励）对象均应为财政收入级次在高新区（滨江）范围内的单位，
          所涉项目须符合区鼓励发展类重点产业导向
        condition: is_fiscal_revenue_in_district and industry in encouraged_industries
        why_not: 须为区内、鼓励发展类重点产业的单位
      - id: 000/附则/不重复
        kind: non_duplication
        clause: 000/三/4
        quote: 按“从优、从高、不重复”原则进行资助（奖励）
      - {id: 000/附则/补差, kind: upgrade, clause: 000/三/4, quote: 晋升到高等次时补足差额部分}
      - id: 003-31/禁报
        kind: ban
        clause: 003-31/第十四条
        quote: 三年内不准申报财政专项资金资助项目
        years: ban_years
    items:
      - id: 000/测试/单项冠军
        clause: 000/二/（二）/7
        quote: 按进度给予400万元奖励
        validity: {start: 2023-01-01, end: 2024-12-31, clause: 000/三/6, quote: 本意见自发布后30日施行。}
        for_each: {event: enterprise_title, where: 'title == "单项冠军"'}
        amount: listing_award
        subject: ladder:单项冠军
    """
)


@pytest.fixture
def fixture_book(tmp_path):
    text = FIXTURE_000.replace(
        "parameters:\n",
        "parameters:\n  ban_years: {value: 3, unit: 年, text: 三年, clause: 003-31/第十四条}\n",
        1,
    )
    p = tmp_path / "rules.yaml"
    p.write_text(text, "utf-8")
    return load_rules([p, policies_dir() / "002" / "rules.yaml"])


def champion(year, industry=None, fraud_on=None):
    """A district enterprise recognised 单项冠军 in May of ``year``."""
    events = [{"type": "enterprise_title", "date": f"{year}-05-01", "title": "单项冠军", "level": "国家"}]
    if fraud_on:
        events.append({"type": "fraud_finding", "date": fraud_on})
    return parse_profile(
        {
            "kind": "enterprise",
            "facts": {"industry": industry} if industry else {},
            "years": {str(year): {"is_fiscal_revenue_in_district": True}},
            "events": events,
        }
    )


def test_000_encouraged_industry(fixture_book):
    ok = calculate(fixture_book, champion(2023, industry="集成电路"), 2023, near_misses=False)
    assert item(ok, "000/测试/单项冠军").status is Status.ELIGIBLE
    other = calculate(fixture_book, champion(2023, industry="其他"), 2023, near_misses=False)
    r = item(other, "000/测试/单项冠军")
    assert r.status is Status.NOT_ELIGIBLE and r.why_not == ["须为区内、鼓励发展类重点产业的单位（000/三/2）"]
    # 002 did not adopt 000's industry condition: its item still pays
    assert item(other, "002/六/单项冠军").amount_fen == 200_000_000
    unknown = calculate(fixture_book, champion(2023), 2023, near_misses=False)
    assert item(unknown, "000/测试/单项冠军").missing == ["facts.industry"]


def test_non_duplication_across_documents(fixture_book):
    """One ladder (单项冠军) promised by 000-fixture (400万元) and by 002 (200万元): the highest is paid."""
    calc = calculate(fixture_book, champion(2023, industry="集成电路"), 2023, near_misses=False)
    assert item(calc, "000/测试/单项冠军").amount_fen == 400 * 1_000_000
    assert item(calc, "002/六/单项冠军").amount_fen == 0
    assert calc.total_fen == 400 * 1_000_000
    assert any(s.kind == "nondup" for s in item(calc, "002/六/单项冠军").trace)


def test_ban_after_fraud(fixture_book):
    banned = champion(2024, industry="集成电路", fraud_on="2022-03-01")
    r = item(calculate(fixture_book, banned, 2024, near_misses=False), "000/测试/单项冠军")
    assert r.status is Status.NOT_ELIGIBLE
    assert r.why_not == ["2022-03-01查实弄虚作假，3年内不得申报（003-31/第十四条）"]
    # 002 does not adopt the ban: its own item is unaffected
    assert (
        item(calculate(fixture_book, banned, 2024, near_misses=False), "002/六/单项冠军").status
        is Status.ELIGIBLE
    )
    # a finding more than three years before the year no longer bars
    old = champion(2024, industry="集成电路", fraud_on="2020-12-31")
    assert (
        item(calculate(fixture_book, old, 2024, near_misses=False), "000/测试/单项冠军").status
        is Status.ELIGIBLE
    )


# --- the no-trace path computes exactly what the explained path computes -------------------------

EVENT = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.just("enterprise_title"),
            "date": st.sampled_from(["2022-10-01", "2023-03-01", "2023-11-30"]),
            "title": st.sampled_from(["单项冠军", "专精特新小巨人", "隐形冠军", "专精特新中小企业"]),
            "level": st.sampled_from(["国家", "省", "市"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("science_award"),
            "date": st.just("2023-06-01"),
            "award": st.sampled_from(["技术发明奖", "科技进步奖"]),
            "level": st.sampled_from(["国家", "省"]),
            "grade": st.sampled_from(["特等", "一等", "二等", "三等"]),
            "unit_rank": st.integers(1, 8),
            "subject": st.sampled_from(["A", "B"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("standard_published"),
            "date": st.just("2023-06-01"),
            "scope": st.sampled_from(["国际标准", "国家标准", "行业标准"]),
            "role": st.sampled_from(["主导", "参与"]),
            "drafter_rank": st.integers(1, 5),
            "subject": st.sampled_from(["S1", "S2", "S3"]),
        }
    ),
)
MONEY = st.one_of(st.none(), st.integers(0, 10**11))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(EVENT, max_size=5),
    district=st.one_of(st.none(), st.booleans()),
    member=st.booleans(),
    leader=st.booleans(),
    order=MONEY,
    compute=MONEY,
    voucher=MONEY,
    paid=st.integers(0, 3 * 10**8),
)
def test_explain_and_bulk_paths_agree(book, events, district, member, leader, order, compute, voucher, paid):
    yearly = {
        "is_fiscal_revenue_in_district": district,
        "is_innovation_org_member": member,
        "is_chain_leader": leader,
        "local_order_increment_fen": order,
        "public_compute_fee_fen": compute,
        "tech_service_contract_fen": voucher,
    }
    p = parse_profile(
        {
            "kind": "enterprise",
            "years": {"2023": yearly},
            "events": events,
            "payments": [{"item": "002/五/算力补贴", "year": 2022, "amount_fen": paid}],
        }
    )
    a = calculate(book, p, 2023, explain=True, near_misses=False)
    b = calculate(book, p, 2023, explain=False, near_misses=False)
    assert [(r.item.id, r.status, r.amount_fen, r.cap_fen, r.missing) for r in a.items] == [
        (r.item.id, r.status, r.amount_fen, r.cap_fen, r.missing) for r in b.items
    ]
    assert all(r.amount_fen >= 0 for r in a.items)
    assert item(a, "002/五/算力补贴").amount_fen <= max(0, 100_000_000 - paid)  # the cumulative cap holds
