"""Property: on random populations, the vectorized engine (DuckDB SQL) gives exactly the scalar
engine's answer — for every entity and every item in force: status, amount to the fen, cap.

Populations are drawn from the facts vocabulary and the rule book itself: every fact and event type
the rules read, values at the rules' own thresholds (exactly 1亿元, one fen below and above), facts
absent or null (Unknown), events in and out of the validity windows, attributes missing, subjects
shared between events (从优、从高、不重复) and past payments on those subjects, on award ladders and
on yearly items (补差, caps, shared caps).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.engine.profile import parse_profile
from huiqi.engine.vectorized import Plan, compile_year, execute, register_profiles, scalar_rows
from huiqi.rules import facts as vocab
from huiqi.rules.ast import VType
from huiqi.rules.factspec import FactType, Period
from huiqi.rules.loader import load_rules

BOOK = load_rules()
YEARS = (2021, 2022, 2023, 2024, 2025)
SUBJECTS = ("S1", "S2", "S3")
ORG_IDS = ("O1", "O2")

_params = [p for rs in BOOK.rulesets.values() for p in rs.parameters.values()]
# each money / count threshold of the rules, one below and one above (1亿元 → 1亿元 ± 1分)
MONEY_EDGES = sorted(
    {v + d for p in _params if p.vtype is VType.MONEY for v in [p.value] for d in (-1, 0, 1)}
)
COUNT_EDGES = sorted(
    {v + d for p in _params if p.vtype is VType.COUNT for v in [p.value] for d in (-1, 0, 1)}
)
RATIO_EDGES = sorted({p.value for p in _params if p.vtype is VType.RATIO})
# validity windows' first and last days: events on the boundary count, the day outside does not
DATE_EDGES = sorted(
    {
        d + timedelta(days=k)
        for rs in BOOK.rulesets.values()
        for it in rs.items
        for d in (it.validity.start, it.validity.end)
        if d is not None and date(2019, 1, 2) <= d <= date(2027, 12, 30)
        for k in (-1, 0, 1)
    }
)
READ_FACTS = [vocab.FACTS_BY_NAME[n] for n in sorted(BOOK.reads) if n in vocab.FACTS_BY_NAME]
EVENT_TYPES = sorted({*BOOK.event_reads, "fraud_finding"} & set(vocab.EVENTS_BY_TYPE))
ITEM_IDS = [it.id for it in BOOK.items()]
# the event types items of a year pay for: drawn most often, so that per-event items get compared
PAID_EVENTS = {
    y: sorted(
        {
            it.for_each.event_type
            for it in BOOK.items()
            if it.for_each is not None
            and it.validity.start is not None
            and it.validity.start.year <= y <= (it.validity.end or date.max).year
        }
    )
    for y in YEARS
}
LADDERS = sorted({it.subject for it in BOOK.items() if it.subject and it.subject.startswith("ladder:")})


def money() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(MONEY_EDGES), st.just(0), st.integers(-(10**6), 5 * 10**10))


def value_of(t: FactType, allowed: tuple[str, ...]) -> st.SearchStrategy:
    if t is FactType.MONEY:
        return money()
    if t is FactType.INT:
        return st.one_of(st.sampled_from(COUNT_EDGES or [1]), st.integers(0, 12))
    if t is FactType.BOOL:  # mostly True: gates and conditions must pass for amounts to be compared
        return st.sampled_from([True, True, True, False])
    if t is FactType.CODE:
        return st.sampled_from(allowed)
    if t is FactType.DECIMAL:
        return st.one_of(st.sampled_from(RATIO_EDGES or [Decimal(0)]), st.decimals(0, 2, places=3)).map(
            lambda d: str(d)
        )
    if t is FactType.DATE:
        return st.dates(date(2015, 1, 1), date(2027, 12, 31)).map(date.isoformat)
    return st.sampled_from((*ORG_IDS, "甲", "滨江区"))


@st.composite
def maybe(draw, s: st.SearchStrategy, missing_pct: int, null: bool = True):
    """A fact present, or (with ``missing_pct`` % chance) absent — the key left out — or, for a
    yearly fact, explicitly null: both are Unknown."""
    if draw(st.integers(0, 99)) >= missing_pct:
        return draw(s)
    return draw(st.sampled_from(["__absent__", None] if null else ["__absent__"]))


@st.composite
def event(draw, kind: str, year: int) -> dict | None:
    spec = vocab.EVENTS_BY_TYPE[
        draw(st.one_of(st.sampled_from(PAID_EVENTS[year] or EVENT_TYPES), st.sampled_from(EVENT_TYPES)))
    ]
    if kind not in spec.entities:
        return None
    d = draw(
        st.one_of(
            st.dates(date(year, 1, 1), date(year, 12, 31)),
            st.sampled_from(DATE_EDGES),
            st.dates(date(year - 4, 1, 1), date(year + 1, 12, 31)),
        )
    )
    e = {"type": spec.type, "date": d.isoformat()}
    for a in spec.attrs:
        if a.name == "subject":
            v = draw(st.one_of(st.sampled_from(SUBJECTS), st.just("__absent__"), st.just("")))
        else:
            v = draw(maybe(value_of(a.type, a.allowed), 10))
        if v != "__absent__" and v is not None:
            e[a.name] = v
    try:  # a required attribute left out makes the event invalid: such a profile is not drawn
        parse_profile({"kind": kind, "events": [e]})
    except ValueError:
        return None
    return e


@st.composite
def payment(draw, year: int) -> dict:
    p = {
        "item": draw(st.sampled_from(ITEM_IDS)),
        "year": draw(st.sampled_from((year, year, year - 1, year - 2))),
        "amount_fen": draw(st.one_of(st.sampled_from(MONEY_EDGES), st.integers(1, 3 * 10**8))),
    }
    subject = draw(st.one_of(st.none(), st.sampled_from(SUBJECTS), st.sampled_from(LADDERS or ["ladder:x"])))
    if subject is not None:
        p["subject"] = subject
    org = draw(st.one_of(st.none(), st.sampled_from(ORG_IDS)))
    if org is not None:
        p["org_id"] = org
    return p


@st.composite
def profile(draw, year: int, n: int) -> dict:
    kind = draw(st.sampled_from(["enterprise"] * 5 + ["institution", "carrier", "talent"]))
    # some profiles complete, some with a few facts missing, some with many (undetermined items)
    missing_pct = draw(st.sampled_from([0, 0, 3, 30]))
    facts, years = {}, {year: {}, year - 1: {}}
    for spec in READ_FACTS:
        if kind not in spec.entities:
            continue
        if spec.period is Period.STATIC:
            v = draw(maybe(value_of(spec.type, spec.allowed), missing_pct, null=False))
            if v != "__absent__":
                facts[spec.name] = v
        else:
            for y in years:
                v = draw(maybe(value_of(spec.type, spec.allowed), missing_pct))
                if v != "__absent__":
                    years[y][spec.name] = v
    events = [e for e in draw(st.lists(event(kind, year), max_size=14)) if e is not None]
    return {
        "kind": kind,
        "id": f"P{n}",
        "facts": facts,
        "years": {str(y): row for y, row in years.items()},
        "events": events,
        "payments": draw(st.lists(payment(year), max_size=4)),
    }


@st.composite
def population(draw) -> tuple[int, list]:
    year = draw(st.sampled_from(YEARS))
    size = draw(st.integers(1, 20))
    return year, [parse_profile(draw(profile(year, i))) for i in range(size)]


_PLANS: dict[int, Plan] = {}


def vectorized_rows(profiles, year: int, dense: bool = False) -> list[tuple]:
    plan = _PLANS.get(year) if not dense else None
    if plan is None:
        plan = compile_year(BOOK, year, dense=dense)
        if not dense:
            _PLANS[year] = plan
    con = duckdb.connect()
    register_profiles(con, profiles)
    execute(con, plan)
    return sorted(tuple(r) for r in con.sql(plan.result).fetchall())


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(population())
def test_vectorized_equals_scalar_on_random_populations(pop):
    year, profiles = pop
    assert vectorized_rows(profiles, year) == scalar_rows(BOOK, profiles, year)


def test_dense_rows_list_every_item_in_force():
    """``dense=True`` gives the scalar engine's full list, not-eligible rows included."""
    profiles = [
        parse_profile({"kind": "enterprise", "id": "A"}),
        parse_profile({"kind": "talent", "id": "B"}),
    ]
    got = vectorized_rows(profiles, 2023, dense=True)
    assert got == scalar_rows(BOOK, profiles, 2023, dense=True)
    assert len(got) == 2 * len(
        [
            1
            for rs in BOOK.rulesets.values()
            for it in rs.items
            if it.validity.start and it.validity.start.year <= 2023 <= (it.validity.end or date.max).year
        ]
    )


@pytest.mark.parametrize("year", YEARS)
def test_every_year_compiles_and_runs_on_an_empty_population(year):
    assert vectorized_rows([], year) == []
