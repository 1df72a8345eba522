"""Every hand-computed case (policies/**/cases.yaml) through the vectorized engine gives the scalar
engine's rows: the cases sit on the thresholds, tiers and caps the texts state — discretionary
ceilings lowered by payments already made (000's 拟上市 400万元 paid 分阶段) among them, which random
populations rarely reach."""

from __future__ import annotations

import duckdb
import pytest

from huiqi.engine.vectorized import Plan, compile_year, execute, register_profiles, scalar_rows
from huiqi.rules.cases import case_files, run_case
from huiqi.rules.loader import load_rules

FILES = case_files()
BOOK = load_rules()
PLANS: dict[tuple[str, int, bool], Plan] = {}  # (document, year, draft assumed in force) → plan


@pytest.mark.parametrize("doc", sorted(FILES))
def test_vectorized_equals_scalar_on_every_case(doc):
    cf = FILES[doc]
    for case in cf.cases:
        book, profile, _ = run_case(BOOK, cf, case)  # the book as the case runs it (drafts in force)
        drafted = book is not BOOK
        plan = PLANS.get((doc, case["year"], drafted))
        if plan is None:
            plan = PLANS[(doc, case["year"], drafted)] = compile_year(book, case["year"], [doc])
        con = duckdb.connect()
        register_profiles(con, [profile])
        execute(con, plan)
        got = sorted(tuple(r) for r in con.sql(plan.result).fetchall())
        assert got == scalar_rows(book, [profile], case["year"], [doc]), case["name"]
