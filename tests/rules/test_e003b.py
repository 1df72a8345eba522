"""The 003 documents 003-21 … 003-40: what their rule files need beyond the cases.

- an open validity window (``end: null``) for a 办法 that states no expiry (003-23, 003-27, 003-39);
- the count unit 次 (003-32 每次有效服务);
- a parameter named inside a ratio's base counts as carried by ``huiqi check`` (003-22 贴息);
- every document that states city:district shares (1:1 for 滨江区, 1:3 for 萧山区…) carries them.
"""

from __future__ import annotations

import re
import textwrap
from datetime import date

import pytest

from huiqi.engine.evaluate import Status, calculate
from huiqi.engine.profile import parse_profile
from huiqi.rules.ast import VType
from huiqi.rules.check import run_checks
from huiqi.rules.citation import find_tolerant
from huiqi.rules.loader import RuleLoadError, load_rules


@pytest.fixture(scope="module")
def book():
    return load_rules()


# A small file over 003-27 第二十三条 (the 办法 says only "本办法自2020年8月4日起施行。").
OPEN = textwrap.dedent(
    """
    document: "003-27"
    validity: {start: 2020-08-04, end: null, clause: 003-27/第三十三条, quote: 本办法自2020年8月4日起施行。}
    parameters:
      rate: {value: 50, unit: "%", text: 50%, clause: 003-27/第二十三条}
    items:
      - id: 003-27/第二十三条/设备补助
        clause: 003-27/第二十三条
        quote: 连续3年按其新购置研发设备总价的50%进行补助
        when: new_rd_equipment_fen > 0
        amount: {ratio: {base: new_rd_equipment_fen, rate: rate}}
    """
)


def _load(tmp_path, text: str):
    p = tmp_path / "003-27.rules.yaml"
    p.write_text(text, "utf-8")
    return load_rules([p])


def test_a_window_without_expiry_stays_open(tmp_path):
    item = _load(tmp_path, OPEN).rulesets["003-27"].items[0]
    assert item.validity.start == date(2020, 8, 4)
    assert item.validity.end == date.max
    profile = parse_profile(
        {"kind": "enterprise", "id": "p", "years": {"2040": {"new_rd_equipment_fen": 1_000_000}}}, "p"
    )
    r = calculate(_load(tmp_path, OPEN), profile, 2040, near_misses=False).items[0]
    assert (r.status, r.amount_fen) == (Status.ELIGIBLE, 500_000)  # 10,000元 × 50%


def test_a_missing_end_is_still_an_error(tmp_path):
    with pytest.raises(RuleLoadError, match="start and end must be dates"):
        _load(tmp_path, OPEN.replace("end: null, ", ""))


def test_the_count_unit_ci(book):
    p = book.rulesets["003-32"].parameters["max_services_per_event"]
    assert (p.vtype, p.value, p.unit) == (VType.COUNT, 200, "次")


def test_a_parameter_in_a_ratio_base_is_carried(book):
    where = {f.where for f in run_checks(book) if f.check == "unencoded-figure"}
    assert "003-22/二/（四）/11" not in where  # 2000万元 is max_subsidised_loan, named in the base


MINE = [f"003-{n}" for n in range(21, 41)]
CITY_DISTRICT = re.compile(r"滨江区[^。]*?承担比例为\s*1\s*:\s*1")


@pytest.mark.parametrize("doc", MINE)
def test_stated_city_district_shares_are_carried(doc, book):
    """A document whose text gives the 滨江区 share (市与…滨江区…的承担比例为 1:1) carries it as its
    ``cost_sharing`` (docs/rules.md §1), with the 1:3 of 萧山区 beside it."""
    from huiqi.corpus.load import load_corpus

    text = load_corpus().document_text(doc)
    if not CITY_DISTRICT.search(text) or doc not in book.rulesets:
        pytest.skip(f"{doc}: no 滨江区 share stated, or not encoded")
    cs = book.rulesets[doc].cost_sharing
    assert cs is not None
    assert cs.ratio("滨江区") == (1, 1, "滨江区") and cs.ratio("萧山区") == (1, 3, "萧山区")
    assert find_tolerant(text, cs.source.quote) is not None


def _my_cases():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "cases_runner", __file__.replace("test_e003b.py", "test_cases.py")
    )
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    return runner, [(doc, c) for doc, c in runner.CASES if doc in MINE]


def test_explained_and_bulk_paths_agree_on_these_documents(book):
    """The compiled (bulk) path gives the statuses, amounts and caps of the explained one on every case
    of 003-21 … 003-40 (per-unit with min(), grids of capped ratios, scales of ratios, grids on a fact)."""
    from huiqi.rules.drafts import assume_in_force

    runner, cases = _my_cases()
    assert len(cases) > 100
    for doc, case in cases:
        b = assume_in_force(book, [doc]) if runner.SPECS[doc].get("assume_in_force") else book
        profile = parse_profile(runner.build_profile(runner.SPECS[doc], case), case["name"])
        full = calculate(b, profile, case["year"], documents=[doc], near_misses=False)
        bulk = calculate(b, profile, case["year"], documents=[doc], explain=False, near_misses=False)
        got = [(r.item.id, r.status, r.amount_fen, r.cap_fen) for r in bulk.items]
        assert got == [(r.item.id, r.status, r.amount_fen, r.cap_fen) for r in full.items], case["name"]


def test_near_misses_run_on_these_documents(book):
    """Near-miss proposals walk every mechanism used here without failing (one case per document)."""
    runner, cases = _my_cases()
    seen: set[str] = set()
    for doc, case in cases:
        if doc in seen or runner.SPECS[doc].get("assume_in_force"):
            continue
        seen.add(doc)
        profile = parse_profile(runner.build_profile(runner.SPECS[doc], case), case["name"])
        calc = calculate(book, profile, case["year"], documents=[doc])
        assert all(n.gain_fen >= 0 for n in calc.near_misses)
    assert len(seen) >= 15


def test_a_failed_negation_says_why(tmp_path):
    """003-34/三/3: a 公益类育种企业 is funded in advance, so the 事后资助 item (written with `not`) fails
    for it — and says so (a not-eligible item always carries its reason)."""
    text = textwrap.dedent(
        """
        document: "003-34"
        validity: {start: 2020-08-24, end: 2022-12-31, clause: 003-34/六,
          quote: 本办法自 2020 年 8 月 24 日起施行，有效期至 2022 年 12 月 31 日。}
        parameters:
          cap: {value: 20, unit: 万元, text: 20 万元, clause: 003-34/三/2}
        items:
          - id: 003-34/三/企业事后资助
            clause: 003-34/三/3
            quote: 承担单位为企业的，采用事后资助的方式
            when: not is_public_breeding_enterprise
            discretionary: {basis: 事后资助, cap: cap}
        """
    )
    p = tmp_path / "003-34.rules.yaml"
    p.write_text(text, "utf-8")
    prof = parse_profile(
        {"kind": "enterprise", "id": "b", "facts": {"is_public_breeding_enterprise": True}}, "b"
    )
    r = calculate(load_rules([p]), prof, 2021, near_misses=False).items[0]
    assert r.status is Status.NOT_ELIGIBLE
    assert r.why_not and "否" in r.why_not[0]
    prof = parse_profile(
        {"kind": "enterprise", "id": "b", "facts": {"is_public_breeding_enterprise": False}}, "b"
    )
    r = calculate(load_rules([p]), prof, 2021, near_misses=False).items[0]
    assert (r.status, r.cap_fen) == (Status.DISCRETIONARY, 20_000_000)
