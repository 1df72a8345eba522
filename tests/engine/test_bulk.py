"""The no-trace path (``explain=False``, huiqi.engine.bulk) computes exactly what the explained path
computes: for every item of every document, the status, the amount in fen, the discretionary ceiling,
the missing facts and, for a row that says something (eligible, discretionary, undetermined), each
occurrence's subject and figures (redemption books the due amount per subject).

Two sources of profiles: random ones drawn from the facts vocabulary (every fact and event any rule
reads, of every kind of beneficiary, with payments), and the profile of every hand-computed case in
the case files (policies/**/cases.yaml), which sit on the thresholds the texts state. Then the
shortcuts of the bulk path, each where it could go wrong: rows kept per shape of profile (the names
of its facts) must not outlive the gate they assumed, and an event skipped for its attribute must be
one the filter rules out, not one it cannot decide.
"""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huiqi.engine.evaluate import Status, calculate
from huiqi.engine.profile import parse_profile
from huiqi.paths import policies_dir
from huiqi.rules import facts as vocab
from huiqi.rules.drafts import assume_in_force, undated_documents
from huiqi.rules.loader import load_rules


@pytest.fixture(scope="module")
def books():
    book = load_rules()
    # 000 is an undated draft: without the assumption its items are computed in no year
    return [book, assume_in_force(book, undated_documents(book))]


def occurrences(row) -> list:
    return [
        (o.subject, o.status, o.amount_fen, o.cap_fen, o.due_fen, sorted(o.missing)) for o in row.occurrences
    ]


def signature(calc) -> list:
    """Everything the two paths must agree on, row by row."""
    return [
        (
            r.item.id,
            r.status,
            r.amount_fen,
            r.cap_fen,
            r.missing,
            # a not-eligible row of the bulk path is a shared, empty row: its occurrences say nothing
            [] if r.status is Status.NOT_ELIGIBLE else occurrences(r),
        )
        for r in calc.items
    ] + [calc.not_in_force, calc.total_fen]


def assert_paths_agree(book, profile, year, documents=None) -> None:
    full = calculate(book, profile, year, near_misses=False, documents=documents)
    bulk = calculate(book, profile, year, explain=False, near_misses=False, documents=documents)
    assert signature(bulk) == signature(full)


# --- random profiles from the vocabulary ----------------------------------------------------------

T = vocab.FactType
YEARS = (2022, 2023, 2024, 2025)
DATES = [
    f"{y}-{m:02d}-{d:02d}" for y in (2021, 2022, 2023, 2024, 2025) for m, d in ((1, 1), (6, 30), (12, 31))
]
# amounts around the figures the texts use (10万元, 500万元, 1亿元 …) and ordinary ones
MONEY = st.one_of(
    st.sampled_from([0, 10**7, 5 * 10**8, 10**10]).flatmap(lambda x: st.sampled_from([x, x - 1, x + 1])),
    st.integers(0, 3 * 10**10),
)


def value_of(spec_type: T, allowed: tuple[str, ...]) -> st.SearchStrategy:
    if spec_type is T.MONEY:
        return MONEY
    if spec_type is T.INT:
        return st.integers(0, 12)
    if spec_type is T.BOOL:
        return st.booleans()
    if spec_type is T.CODE:
        return st.sampled_from(allowed)
    if spec_type is T.DECIMAL:
        return st.decimals(0, 2, places=3).map(str)
    if spec_type is T.DATE:
        return st.sampled_from(DATES)
    return st.sampled_from(["A", "B", "C"])


def facts_of(kind: str, period: vocab.Period, read: set[str]) -> st.SearchStrategy:
    """Each fact the rules read, present (with a drawn value) or absent (a missing fact)."""
    specs = [f for f in vocab.FACTS if f.period is period and kind in f.entities and f.name in read]
    return st.fixed_dictionaries({}, optional={f.name: value_of(f.type, f.allowed) for f in specs})


def event_of(kind: str, read: set[str]) -> st.SearchStrategy:
    specs = [e for e in vocab.EVENTS if kind in e.entities and e.type in read]
    return st.sampled_from(specs).flatmap(
        lambda e: st.fixed_dictionaries(
            {
                "type": st.just(e.type),
                "date": st.sampled_from(DATES),
                **{a.name: value_of(a.type, a.allowed) for a in e.attrs if a.required},
            },
            optional={a.name: value_of(a.type, a.allowed) for a in e.attrs if not a.required},
        )
    )


@st.composite
def profiles(draw, book):
    kind = draw(st.sampled_from([k.value for k in vocab.EntityKind]))
    read = set(book.reads)
    year = draw(st.sampled_from(YEARS))
    items = [it.id for it in book.items()]
    payments = draw(
        st.lists(
            st.fixed_dictionaries(
                {"item": st.sampled_from(items), "year": st.sampled_from(YEARS), "amount_fen": MONEY},
                optional={"subject": st.sampled_from(["A", "B", "ladder:专精特新"])},
            ),
            max_size=3,
        )
    )
    data = {
        "kind": kind,
        "id": "random",
        "facts": draw(facts_of(kind, vocab.Period.STATIC, read)),
        "years": {str(year): draw(facts_of(kind, vocab.Period.YEAR, read))},
        "events": draw(st.lists(event_of(kind, set(book.event_reads)), max_size=6)),
        "payments": payments,
    }
    return parse_profile(data), year


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_paths_agree_on_random_profiles_of_every_document(books, data):
    book = data.draw(st.sampled_from(books))
    profile, year = data.draw(profiles(book))
    assert_paths_agree(book, profile, year)


# --- every hand-computed case ---------------------------------------------------------------------


def _case_module():
    # the case files' reader lives with the case tests; loaded by path (tests are not a package)
    path = policies_dir().parent / "tests" / "rules" / "test_cases.py"
    spec = importlib.util.spec_from_file_location("huiqi_case_files", path)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


CASES = _case_module()


@pytest.mark.parametrize("doc", sorted(CASES.SPECS))
def test_paths_agree_on_every_case(doc, books):
    plain, drafts = books
    spec = CASES.SPECS[doc]
    for case in spec["cases"]:
        profile = parse_profile(CASES.build_profile(spec, case), case["name"])
        book = drafts if case.get("assume_in_force", spec.get("assume_in_force", False)) else plain
        # the case's own document, as the case test runs it, and every document at once
        assert_paths_agree(book, profile, case["year"], [doc])
        assert_paths_agree(book, profile, case["year"])


# --- a hand-checked figure through the bulk path ---------------------------------------------------


def test_bulk_settles_the_compute_subsidy_cap_of_002():
    """002/五 算力补贴: 按照实际使用费的20%给予补贴，单家企业补贴金额不超过100万元 (cumulative).
    A 2023 fee of 300万元 gives 60万元; with 70万元 paid in 2022 only 30万元 of the cap is left."""
    book = load_rules()
    p = parse_profile(
        {
            "kind": "enterprise",
            "years": {
                "2023": {
                    "is_fiscal_revenue_in_district": True,
                    "is_innovation_org_member": True,
                    "public_compute_fee_fen": 300_000_000,
                }
            },
            "payments": [{"item": "002/五/算力补贴", "year": 2022, "amount_fen": 70_000_000}],
        }
    )
    bulk = calculate(book, p, 2023, explain=False, near_misses=False)
    row = next(r for r in bulk.items if r.item.id == "002/五/算力补贴")
    assert (row.status, row.amount_fen) == (Status.ELIGIBLE, 30_000_000)
    assert row.occurrences[0].amount_fen == 60_000_000  # 300万元 × 20%, before the cap
    assert_paths_agree(book, p, 2023)


# --- the shortcuts of the bulk path ----------------------------------------------------------------


def _enterprise(year_facts: dict, events: list | None = None) -> object:
    return parse_profile({"kind": "enterprise", "years": {"2023": year_facts}, "events": events or []})


def _row(calc, item_id: str):
    return next(r for r in calc.items if r.item.id == item_id)


def test_rows_kept_per_shape_follow_the_gate_of_each_profile():
    """002/五 创新券 reads one fact (tech_service_contract_fen). Without it the item waits (待定) for
    that fact — a row the bulk path keeps per shape of profile, assuming 002/一's gate (区内) holds.
    Profiles of the same shape whose gate fails, and a profile whose gate is unknown, must not get
    that row; run one after another, so that each finds the shape the previous one left."""
    book = load_rules()
    voucher = "002/五/创新券"
    inside = _enterprise({"is_fiscal_revenue_in_district": True})
    outside = _enterprise({"is_fiscal_revenue_in_district": False})  # same shape, gate False
    unknown = _enterprise({})  # gate Unknown
    paid = _enterprise({"is_fiscal_revenue_in_district": True, "tech_service_contract_fen": 10**8})
    for _ in range(2):  # the second round finds every shape kept
        rows = [
            _row(calculate(book, p, 2023, explain=False, near_misses=False), voucher)
            for p in (inside, outside, unknown, paid)
        ]
        fee, district = "years.2023.tech_service_contract_fen", "years.2023.is_fiscal_revenue_in_district"
        assert (rows[0].status, rows[0].missing) == (Status.UNDETERMINED, [fee])
        assert rows[1].status is Status.NOT_ELIGIBLE
        assert (rows[2].status, rows[2].missing) == (Status.UNDETERMINED, [district, fee])
        # 技术服务合同 100万元 × 30% = 30万元 (within the 50万元 yearly cap)
        assert (rows[3].status, rows[3].amount_fen) == (Status.ELIGIBLE, 30_000_000)
        for p in (inside, outside, unknown, paid):
            assert_paths_agree(book, p, 2023)


def test_an_event_is_skipped_only_when_its_attribute_rules_the_filter_out():
    """002/十一 国家行业标准: ``(scope == "国家标准" and drafter_rank <= 3) or (scope == "行业标准" and
    drafter_rank <= 2)``. An international standard is ruled out by its scope alone, even without a
    drafter rank (False and ? is False); a national standard without a drafter rank leaves the
    filter undecided, so the item waits for that attribute; an industry standard drafted second
    passes the other branch: 10万元."""
    book = load_rules()
    item = "002/十一/国家行业标准"
    facts = {"is_fiscal_revenue_in_district": True, "is_innovation_org_member": True}

    def standard(**attrs) -> object:
        return _enterprise(facts, [{"type": "standard_published", "date": "2023-05-01", **attrs}])

    international = standard(scope="国际标准", role="主导")
    national = standard(scope="国家标准", role="参与")
    industry = standard(scope="行业标准", role="参与", drafter_rank=2)
    skipped, waiting, paid = (
        _row(calculate(book, p, 2023, explain=False, near_misses=False), item)
        for p in (international, national, industry)
    )
    assert skipped.status is Status.NOT_ELIGIBLE
    assert (waiting.status, waiting.missing) == (Status.UNDETERMINED, ["events[0].drafter_rank"])
    assert (paid.status, paid.amount_fen) == (Status.ELIGIBLE, 10_000_000)
    for p in (international, national, industry):
        assert_paths_agree(book, p, 2023)
