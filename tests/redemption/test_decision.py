"""Maker-checker (审核分离): whoever prepared a run cannot approve it — in the code and in the database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from huiqi.redemption import decision, notice
from huiqi.redemption.audit import verify
from huiqi.store.db import transaction
from huiqi.store.models import AuditEntry
from huiqi.store.models_runs import Decision

from .setup_registry import AFTER_WINDOW, CHECKER, MAKER, RUN_DAY, C, lines, make_registry, start

WAN = 10_000 * 100


@pytest.fixture
def published(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    with transaction(engine) as s:
        notice.publish(s, run_id, 5, MAKER, RUN_DAY)
    return run_id


def test_the_preparer_cannot_approve_nor_reject(engine, published):
    for approve in (True, False):
        with transaction(engine) as s, pytest.raises(decision.MakerCheckerError, match="王经办 prepared run"):
            decision.decide(s, published, MAKER, approve, "自审", AFTER_WINDOW)
        with transaction(engine) as s, pytest.raises(decision.MakerCheckerError):
            decision.decide(s, published, f"  {MAKER} ", approve, "自审", AFTER_WINDOW)


def _raw_decision(engine, run_id: int, line_id: int, preparer: str, decided_by: str) -> None:
    with transaction(engine) as s:
        s.add(
            Decision(
                run_id=run_id,
                line_id=line_id,
                preparer=preparer,
                decided_by=decided_by,
                decision="approve",
                amount_fen=1,
                reason="绕过代码",
                decided_on=AFTER_WINDOW,
                at=datetime.now(UTC),
            )
        )


def test_the_database_itself_refuses_the_preparer_and_a_forged_preparer(engine, published):
    line_id = next(iter(lines(engine, published).values())).id
    # approver = preparer: the CHECK constraint
    with pytest.raises(IntegrityError, match=r"(?i)check|maker_checker"):
        _raw_decision(engine, published, line_id, MAKER, MAKER)
    # a decision claiming someone else prepared the run: the composite foreign key to the run
    with pytest.raises(IntegrityError, match=r"(?i)foreign key|fk_decisions_run_preparer"):
        _raw_decision(engine, published, line_id, "别人", MAKER)
    _raw_decision(engine, published, line_id, MAKER, CHECKER)  # the honest row goes in


def test_discretionary_lines_need_an_amount_within_the_ceiling(engine, published):
    chain = lines(engine, published)[(C, "002/六/链主研发")]
    with transaction(engine) as s, pytest.raises(decision.RunError, match="must give the amount"):
        decision.decide(s, published, CHECKER, True, "择优", AFTER_WINDOW, [chain.line_no])
    with transaction(engine) as s, pytest.raises(decision.RunError, match="above the ceiling"):
        decision.decide(s, published, CHECKER, True, "择优", AFTER_WINDOW, [chain.line_no], chain.cap_fen + 1)
    union = lines(engine, published)[(C, "002/三/联合体共同体")]
    with transaction(engine) as s, pytest.raises(decision.RunError, match="through an objection"):
        decision.decide(s, published, CHECKER, True, "改数", AFTER_WINDOW, [union.line_no], 1)
    with transaction(engine) as s:
        (d,) = decision.decide(
            s, published, CHECKER, True, "择优", AFTER_WINDOW, [chain.line_no], chain.cap_fen
        )
        assert (d.amount_fen, d.decided_by, d.preparer, d.reason, d.decided_on) == (
            chain.cap_fen,
            CHECKER,
            MAKER,
            "择优",
            AFTER_WINDOW,
        )
        assert d.order_key == f"run:{published}:line:{chain.line_no}"
    with transaction(engine) as s, pytest.raises(decision.RunError, match="is approved"):
        decision.decide(s, published, CHECKER, False, "反悔", AFTER_WINDOW, [chain.line_no])


def test_a_rejection_records_who_when_why_and_every_step_is_audited(engine, published):
    with transaction(engine) as s:
        made = decision.decide(s, published, CHECKER, False, "材料不全", AFTER_WINDOW)
        assert {d.decision for d in made} == {"reject"} and all(d.order_key is None for d in made)
        actions = [a for a in s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars()]
        assert actions[-len(made) - 2 :] == ["run.create", "notice.publish"] + ["decision.reject"] * len(made)
        assert verify(s).ok


def test_the_database_check_ignores_surrounding_spaces(engine, published):
    line_id = next(iter(lines(engine, published).values())).id
    with pytest.raises(IntegrityError, match=r"(?i)check|maker_checker"):
        _raw_decision(engine, published, line_id, MAKER, f" {MAKER} ")
