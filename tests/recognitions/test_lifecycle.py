"""A recognition's life as the texts describe it, seen through the profile the engine reads:
terms (valid_until), yearly results, suspension and revocation, stages."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from huiqi.recognitions import lifecycle
from huiqi.recognitions.lifecycle import LifecycleError
from huiqi.redemption.profiles import build_profiles
from huiqi.registry.importing import ImportRejected
from huiqi.registry.lookup import find_entity
from huiqi.store.db import transaction
from huiqi.store.models import AuditEntry

from .conftest import quote
from .pipeline import (
    CLERK,
    EAGLE,
    FACTORY,
    INCUBATOR,
    LISTING,
    SPACE,
    WAN,
    fund,
    recognise,
    register,
    run_lines,
    write_csv,
)

SPACE_ROW = {
    "entity_key": SPACE,
    "scheme": "众创空间",
    "ref": "ZC-1",
    "tier": "市",
    "granted_on": "2022-03-15",
    "issuer": "杭州市科学技术局",
}


def profile(engine, key: str, year: int | None) -> dict:
    with transaction(engine) as s:
        entity = find_entity(s, key)
        return build_profiles(s, [entity], year)[entity.id]


def evaluate(engine, key: str, scheme: str, ref: str, year: int, result: str, on: date):
    with transaction(engine) as s:
        row, _ = lifecycle.evaluate(s, find_entity(s, key), scheme, ref, year, result, on, "第三方评价机构")
        return row.effect, row.citation


def test_chuying_term_is_three_years_and_an_expired_one_is_no_fact_later(engine, tmp_path):
    # 003-30/五/（一）: 本轮“雏鹰计划”培育期3年 — the default term when the file gives no valid_until
    quote("003", "本轮“雏鹰计划”培育期3年")
    register(engine, tmp_path)
    recognise(
        engine,
        tmp_path / "e.csv",
        [
            {
                "entity_key": EAGLE,
                "scheme": "雏鹰企业",
                "ref": "CY-1",
                "tier": "市",
                "granted_on": "2022-05-10",
                "issuer": "杭州市科学技术局",
            }
        ],
    )
    with transaction(engine) as s:
        (step,) = lifecycle.chain(s, find_entity(s, EAGLE).id, "雏鹰企业", "CY-1")
        assert step.valid_until == date(2025, 5, 9)
    title = {"type": "enterprise_title", "date": "2022-05-10", "title": "雏鹰企业", "level": "市"}
    in_2025, in_2026 = profile(engine, EAGLE, 2025), profile(engine, EAGLE, 2026)
    assert title in in_2025["events"] and in_2025["years"]["2025"]["chuying_cultivation_year"] == 4
    assert title not in in_2026["events"] and in_2026["years"]["2026"]["chuying_cultivation_year"] == 0
    assert [
        profile(engine, EAGLE, 2023)["years"][str(y)]["chuying_cultivation_year"] for y in (2022, 2023)
    ] == [1, 2]


def test_an_expired_space_is_not_paid_on_a_later_rating(engine, tmp_path):
    """003-38's 运营资助 reads ever(众创空间 市级备案): a 备案 that ended in 2022 does not hold in 2023."""
    register(engine, tmp_path)
    from huiqi.registry.importing import import_files

    yearly = write_csv(
        tmp_path / "y.csv", [{"entity_key": SPACE, "year": 2023, "incubator_annual_rating": "优秀"}]
    )
    with transaction(engine) as s:
        import_files(s, [yearly], actor=CLERK)
    fund(engine, "003-38", 2023, "年度预算（财政局核定）")
    recognise(engine, tmp_path / "r.csv", [{**SPACE_ROW, "valid_until": "2022-12-31"}])
    _, lines = run_lines(engine, "003-38", 2023)
    assert (SPACE, "003-38/三/（三）/2/运营资助") not in lines
    # the same space, its 备案 still holding: 30万元
    recognise(engine, tmp_path / "r.csv", [{**SPACE_ROW, "valid_until": "2023-12-31"}])
    _, lines = run_lines(engine, "003-38", 2023)
    assert lines[(SPACE, "003-38/三/（三）/2/运营资助")].computed_fen == 30 * WAN


def test_a_failing_year_suspends_and_two_in_a_row_revoke(engine, tmp_path):
    register(engine, tmp_path)
    recognise(engine, tmp_path / "r.csv", [SPACE_ROW])
    effect, citation = evaluate(engine, SPACE, "众创空间", "ZC-1", 2022, "不合格", date(2023, 3, 1))
    assert effect == "suspend"
    assert citation == "003-38/三/（三）: " + quote(
        "003", "绩效考核合格及以上等次的众创空间按规定享受相关政策"
    )
    assert not [e for e in profile(engine, SPACE, 2022)["events"] if e["type"] == "platform_recognized"]
    assert profile(engine, SPACE, 2022)["years"]["2022"]["incubator_annual_rating"] == "不合格"

    effect, citation = evaluate(engine, SPACE, "众创空间", "ZC-1", 2023, "不合格", date(2024, 2, 20))
    assert effect == "revoke" and citation == "003-38/三/（二）/4: " + quote("003", "连续2年绩效考核不合格的")
    with transaction(engine) as s:
        (step,) = lifecycle.chain(s, find_entity(s, SPACE).id, "众创空间", "ZC-1")
        assert (step.ended_on, step.end_reason) == (date(2024, 2, 20), "revoked")
        actions = list(s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())
    assert actions[-3:] == ["recognition.evaluate", "recognition.evaluate", "recognition.revoke"]
    assert not [e for e in profile(engine, SPACE, 2025)["events"] if e["type"] == "platform_recognized"]
    with pytest.raises(LifecycleError, match="does not hold in 2025"):
        evaluate(engine, SPACE, "众创空间", "ZC-1", 2025, "优秀", date(2026, 2, 1))
    with pytest.raises(
        ImportRejected, match=r"up\.csv, row 2, field ref: 众创空间 ZC-1 was revoked on 2024-02-20"
    ):
        recognise(engine, tmp_path / "up.csv", [{**SPACE_ROW, "tier": "省", "granted_on": "2024-06-01"}])


def test_a_passing_year_between_two_failures_does_not_revoke(engine, tmp_path):
    register(engine, tmp_path)
    recognise(engine, tmp_path / "r.csv", [SPACE_ROW])
    results = [(2022, "不合格"), (2023, "合格"), (2024, "不合格")]
    effects = [evaluate(engine, SPACE, "众创空间", "ZC-1", y, r, date(y + 1, 3, 1))[0] for y, r in results]
    assert effects == ["suspend", "none", "suspend"]


def test_failing_rules_apply_to_the_tiers_the_text_names(engine, tmp_path):
    """003-33/第十一条/（四） speaks of 市级孵化器: a national one's 不合格 is recorded, nothing more."""
    register(engine, tmp_path)
    recognise(
        engine,
        tmp_path / "r.csv",
        [
            {
                "entity_key": INCUBATOR,
                "scheme": "孵化器",
                "ref": "FH-9",
                "tier": "国家",
                "granted_on": "2020-01-10",
                "issuer": "科学技术部",
            }
        ],
    )
    assert evaluate(engine, INCUBATOR, "孵化器", "FH-9", 2021, "不合格", date(2022, 3, 1)) == ("none", None)
    assert evaluate(engine, INCUBATOR, "孵化器", "FH-9", 2022, "不合格", date(2023, 3, 1)) == ("none", None)


def test_chuying_annual_filing_and_revocation(engine, tmp_path):
    register(engine, tmp_path)
    recognise(
        engine,
        tmp_path / "e.csv",
        [
            {
                "entity_key": EAGLE,
                "scheme": "雏鹰企业",
                "ref": "CY-2",
                "tier": "市",
                "granted_on": "2021-04-01",
                "issuer": "杭州市科学技术局",
            }
        ],
    )
    evaluate(engine, EAGLE, "雏鹰企业", "CY-2", 2021, "已备案", date(2022, 4, 1))
    evaluate(engine, EAGLE, "雏鹰企业", "CY-2", 2022, "未备案", date(2023, 4, 1))
    years = profile(engine, EAGLE, 2022)["years"]
    assert (years["2021"]["chuying_annual_filing_done"], years["2022"]["chuying_annual_filing_done"]) == (
        True,
        False,
    )
    # 003-30/五/（三）: 发文撤销其“雏鹰企业”资格
    revoked_by = "003-30/五/（三）: " + quote("003", "发文撤销其“雏鹰企业”资格，不得再次申报“雏鹰企业”")
    with transaction(engine) as s:
        lifecycle.revoke(
            s,
            find_entity(s, EAGLE),
            "雏鹰企业",
            "CY-2",
            date(2023, 3, 1),
            revoked_by,
            "重大安全事故",
            "市科技局",
        )
    assert (
        profile(engine, EAGLE, 2023)["years"]["2023"]["chuying_cultivation_year"] == 3
    )  # held until 2023-02-28
    assert profile(engine, EAGLE, 2024)["years"]["2024"]["chuying_cultivation_year"] == 0
    with transaction(engine) as s, pytest.raises(LifecycleError, match="already ended"):
        lifecycle.revoke(
            s, find_entity(s, EAGLE), "雏鹰企业", "CY-2", date(2023, 5, 1), revoked_by, "再次", "市科技局"
        )


def test_listing_stages_as_yearly_facts(engine, tmp_path):
    register(engine, tmp_path)
    row = {"entity_key": LISTING, "scheme": "上市进程", "ref": "IPO-9"}
    recognise(
        engine,
        tmp_path / "l.csv",
        [
            {**row, "tier": "股改", "granted_on": "2022-03-01", "issuer": "杭州市市场监督管理局"},
            {
                **row,
                "tier": "上市",
                "granted_on": "2024-01-18",
                "issuer": "深圳证券交易所",
                "exchange": "深交所",
            },
        ],
    )
    years = profile(engine, LISTING, 2025)["years"]
    facts = {
        y: (years[str(y)]["is_listing_candidate"], years[str(y)]["is_listed_company"])
        for y in range(2022, 2026)
    }
    assert facts == {2022: (True, False), 2023: (True, False), 2024: (False, True), 2025: (False, True)}
    listed = {"type": "listed_on_exchange", "date": "2024-01-18", "exchange": "深交所"}
    assert listed in profile(engine, LISTING, 2024)["events"]


def test_results_are_not_overwritten_and_schemes_without_evaluation_refuse_one(engine, tmp_path):
    register(engine, tmp_path)
    recognise(engine, tmp_path / "r.csv", [SPACE_ROW])
    evaluate(engine, SPACE, "众创空间", "ZC-1", 2022, "优秀", date(2023, 3, 1))
    assert evaluate(engine, SPACE, "众创空间", "ZC-1", 2022, "优秀", date(2023, 3, 1)) == (
        "none",
        None,
    )  # repeated
    with pytest.raises(LifecycleError, match="a recorded result stays"):
        evaluate(engine, SPACE, "众创空间", "ZC-1", 2022, "良好", date(2023, 3, 1))
    with pytest.raises(LifecycleError, match="results are 优秀, 良好, 合格, 不合格"):
        evaluate(engine, SPACE, "众创空间", "ZC-1", 2023, "很好", date(2024, 3, 1))
    recognise(
        engine,
        tmp_path / "f.csv",
        [
            {
                "entity_key": FACTORY,
                "scheme": "未来工厂",
                "ref": "F-1",
                "tier": "智能工厂",
                "granted_on": "2023-01-05",
                "issuer": "杭州市经济和信息化局",
            }
        ],
    )
    with pytest.raises(LifecycleError, match="name no yearly evaluation of 未来工厂"):
        evaluate(engine, FACTORY, "未来工厂", "F-1", 2023, "优秀", date(2024, 3, 1))
    # a second recognition of the same carrier may not give it a second rating for the same year
    recognise(engine, tmp_path / "r2.csv", [{**SPACE_ROW, "scheme": "孵化器", "ref": "FH-2"}])
    with pytest.raises(LifecycleError, match="already has a 2022 result"):
        evaluate(engine, SPACE, "孵化器", "FH-2", 2022, "合格", date(2023, 3, 1))


def test_a_corrected_upgrade_date_moves_the_end_of_the_step_below(engine, tmp_path):
    register(engine, tmp_path)
    row = {"entity_key": FACTORY, "scheme": "未来工厂", "ref": "F-2", "issuer": "杭州市经济和信息化局"}
    recognise(
        engine,
        tmp_path / "f.csv",
        [
            {**row, "tier": "数字化车间", "granted_on": "2023-06-01"},
            {**row, "tier": "智能工厂", "granted_on": "2024-04-01"},
        ],
    )
    recognise(engine, tmp_path / "fix.csv", [{**row, "tier": "智能工厂", "granted_on": "2024-05-01"}])
    with transaction(engine) as s:
        low, high = lifecycle.chain(s, find_entity(s, FACTORY).id, "未来工厂", "F-2")
        assert (low.ended_on, low.end_reason, high.granted_on) == (
            date(2024, 5, 1),
            "upgraded",
            date(2024, 5, 1),
        )
    # a step dated before the recorded one, imported after it: refused with the reason
    recognise(
        engine, tmp_path / "late.csv", [{**row, "ref": "F-3", "tier": "智能工厂", "granted_on": "2024-01-01"}]
    )
    with pytest.raises(ImportRejected, match="comes before the recorded 智能工厂"):
        recognise(
            engine,
            tmp_path / "early.csv",
            [{**row, "ref": "F-3", "tier": "数字化车间", "granted_on": "2023-01-01"}],
        )
