"""A run (免申即享): the registry evaluated for 002 and 2023, stored so it can be shown and replayed."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import func, select, update

from huiqi.paths import policies_dir
from huiqi.redemption import clawback, run
from huiqi.store.db import transaction
from huiqi.store.models import Entity, YearlyFact
from huiqi.store.models_runs import ProfileSnapshot, RunInput, RunLine, RunRuleFile

from .conftest import quote
from .setup_registry import (
    AWARD_QUOTE,
    CHAIN_QUOTE,
    MAKER,
    UNION_QUOTE,
    UPGRADE_QUOTE,
    A,
    B,
    C,
    lines,
    make_registry,
    rd_expense_fen,
    start,
)

WAN = 10_000 * 100  # fen in 1万元


def test_the_2023_run_of_002_pays_the_difference_the_union_award_and_leaves_the_rest_to_decision(
    engine, tmp_path
):
    make_registry(engine, tmp_path)
    summary = run.start_run(engine, "002", 2023, MAKER, date(2024, 3, 1))
    assert summary.evaluated == 3 and summary.problems == []
    got = lines(engine, summary.run_id)

    # Enterprise 1: 省级专精特新 (20万元, paid for 2022 through the ledger), 小巨人 in 2023 (100万元).
    # 002/六 "分别给予200万元、100万元、100万元、20万元" and 002/十六 "晋升到高等次时补足差额部分":
    # 100 − 20 = 80万元.
    assert AWARD_QUOTE and UPGRADE_QUOTE
    line = got[(A, "002/六/专精特新")]
    assert (line.status, line.computed_fen, line.amount_fen, line.state) == (
        "eligible",
        80 * WAN,
        80 * WAN,
        "open",
    )
    assert line.subjects == [["ladder:专精特新", 80 * WAN]]
    assert any(
        step.get("amount_fen") == 80 * WAN and "补足差额" in step["text"] for step in line.result["trace"]
    )

    # Enterprise 2: 隐形冠军 in 2023, but not a district unit in 2023 (002 一 "区内") → no line at all.
    assert not [k for k in got if k[0] == B]

    # Enterprise 3: leads a province-level 企业创新联合体 recognised in 2023: 50万元 (002 三).
    assert UNION_QUOTE
    union = got[(C, "002/三/联合体共同体")]
    assert (union.status, union.computed_fen) == ("eligible", 50 * WAN)
    # …and as a chain leader it may get up to 20% of its R&D (002 六): discretionary, the ceiling only.
    assert CHAIN_QUOTE
    chain = got[(C, "002/六/链主研发")]
    assert chain.status == "discretionary" and chain.computed_fen is None and chain.amount_fen is None
    assert chain.cap_fen == rd_expense_fen(engine, C, 2023) * 20 // 100

    # …and as a member of an innovation organisation it may get a policy equity investment (002 十三,
    # 择优, up to 2000万元): discretionary too.
    equity = got[(C, "002/十三/股权投资")]
    assert (equity.status, equity.cap_fen) == ("discretionary", 2000 * WAN)

    assert len(got) == 4 and summary.discretionary == 2
    assert summary.total_fen == 130 * WAN  # 80万 + 50万; discretionary lines have no amount yet


def test_a_run_stores_its_inputs_and_rule_versions(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    rules_text = (policies_dir() / "002" / "rules.yaml").read_text("utf-8")
    with transaction(engine) as s:
        files = list(s.execute(select(RunRuleFile).where(RunRuleFile.run_id == run_id)).scalars())
        assert [(f.document, f.path, f.sha256) for f in files] == [
            ("002", "002/rules.yaml", hashlib.sha256(rules_text.encode()).hexdigest())
        ]
        assert s.execute(select(func.count()).select_from(RunInput)).scalar_one() == 3
        a_id = s.execute(select(Entity.id).where(Entity.key == A)).scalar_one()
        profile = run.line_profile(s, run_id, a_id)
        # the ledger's 2022 payment is in the profile as evaluated, with its ladder as subject
        assert profile["payments"] == [
            {"item": "002/六/专精特新", "year": 2022, "amount_fen": 20 * WAN, "subject": "ladder:专精特新"}
        ]
        body = s.execute(select(ProfileSnapshot.body)).scalars().first()
        assert hashlib.sha256(body.encode()).hexdigest() in {
            r for r in s.execute(select(ProfileSnapshot.sha256)).scalars()
        }
        assert all(len(ln.item_sha256) == 64 for ln in s.execute(select(RunLine)).scalars())
    # a second run with nothing changed stores no new profile body (content-addressed)
    start(engine)
    with transaction(engine) as s:
        assert s.execute(select(func.count()).select_from(ProfileSnapshot)).scalar_one() == 3
        assert s.execute(select(func.count()).select_from(RunInput)).scalar_one() == 6


def test_replay_is_identical_even_after_the_registry_changed_and_reports_a_tampered_line(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    with transaction(engine) as s:  # the registry moves on: enterprise 3 spends more on R&D
        s.execute(update(YearlyFact).where(YearlyFact.name == "rd_expense_fen").values(value=999_999_900))
    result = run.replay(engine, run_id)
    assert result.identical and result.compared == 3 and result.lines == 4

    with transaction(engine) as s:  # a stored figure edited behind the run's back
        s.execute(
            update(RunLine).where(RunLine.run_id == run_id, RunLine.line_no == 1).values(computed_fen=1)
        )
    result = run.replay(engine, run_id)
    assert result.differences == [f"line 1 (entity {A}, 002/六/专精特新): computed_fen differs"]


def test_a_banned_entity_is_excluded_with_the_reason(engine, tmp_path):
    make_registry(engine, tmp_path)
    ban_quote = quote("003", "5年内取消申请科技资金补助的资格")
    with transaction(engine) as s:
        c_id = s.execute(select(Entity.id).where(Entity.key == C)).scalar_one()
        clawback.ban(s, c_id, date(2023, 6, 1), 5, ban_quote, "虚报研发投入", "科技局")
    summary = run.start_run(engine, "002", 2023, MAKER, date(2024, 3, 1))
    got = lines(engine, summary.run_id)
    excluded = [ln for (key, _), ln in got.items() if key == C]
    assert len(excluded) == 3 and all(ln.state == "excluded" for ln in excluded)
    assert all("2028-06-01" in ln.state_reason and ban_quote in ln.state_reason for ln in excluded)
    assert summary.excluded == 3 and summary.total_fen == 80 * WAN  # only enterprise 1's line counts


def test_a_run_of_one_item_and_the_errors_of_a_wrong_target(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine, "002/三/联合体共同体")
    assert list(lines(engine, run_id)) == [(C, "002/三/联合体共同体")]
    with pytest.raises(run.RunError, match="no item '002/三/没有这一项' in document 002"):
        start(engine, "002/三/没有这一项")
    with pytest.raises(run.RunError, match="no rule file for document '999'"):
        start(engine, "999")
    with pytest.raises(run.RunError, match="official"):
        start(engine, by="  ")


def test_show_reads_the_line_as_it_was_made(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    with transaction(engine) as s:
        line = run.get_line(s, run_id, 1)
        assert line.result["quote"] == AWARD_QUOTE
        json.dumps(line.result, ensure_ascii=False)  # plain JSON, as stored
        with pytest.raises(run.RunError, match="has no line 99"):
            run.get_line(s, run_id, 99)
        with pytest.raises(run.RunError, match="no run 42"):
            run.get_run(s, 42)
