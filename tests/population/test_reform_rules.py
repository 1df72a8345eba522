"""Reforms of rule parameters, on a tiny population worked out by hand (002, redemption year 2023).

The five enterprises, all 区内 (fiscal revenue in the district):

- A 规上, 人工智能: 认定登记的技术服务合同 100万元 → 002/五 创新券 30 % = 30万元 (under the 50万元 cap);
- B 规下, 信息技术: contract 300万元 → 30 % = 90万元, capped at 50万元 (单个企业年最高额度不超过50万元);
- C 规上, 信息技术: 专精特新“小巨人” recognised 2023 → 002/六 100万元;
- D 规下, 人工智能: 省级专精特新中小企业 recognised 2023 → 20万元;
- E 规下, 信息技术: paid 20万元 in 2021 as 省级专精特新, “小巨人” in 2023 → 晋升补差 100 − 20 = 80万元.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from huiqi.engine.evaluate import ELIGIBLE, calculate
from huiqi.engine.profile import parse_profile
from huiqi.engine.vectorized import register_profiles
from huiqi.population.reform import Diff, load_reform, summarise, write_changes
from huiqi.population.rule_reform import AFTER, ReformError, changed_items, run_both
from huiqi.rules.loader import load_rules

BOOK = load_rules()
YEAR = 2023
WAN = 1_000_000  # fen in 1万元
VOUCHER, LADDER = "002/五/创新券", "002/六/专精特新"


def _enterprise(pid: str, industry: str, above: bool, year_facts=None, events=(), payments=()) -> dict:
    facts = {"is_fiscal_revenue_in_district": True, "is_above_scale": above, **(year_facts or {})}
    return {"kind": "enterprise", "id": pid, "facts": {"industry": industry}, "years": {str(YEAR): facts},
            "events": list(events), "payments": list(payments)}  # fmt: skip


def _title(title: str, level: str) -> dict:
    return {"type": "enterprise_title", "date": "2023-05-10", "title": title, "level": level}


PROFILES = [
    parse_profile(p)
    for p in (
        _enterprise("A", "人工智能", True, {"tech_service_contract_fen": 100 * WAN}),
        _enterprise("B", "信息技术", False, {"tech_service_contract_fen": 300 * WAN}),
        _enterprise("C", "信息技术", True, events=[_title("专精特新小巨人", "国家")]),
        _enterprise("D", "人工智能", False, events=[_title("专精特新中小企业", "省")]),
        _enterprise(
            "E",
            "信息技术",
            False,
            events=[_title("专精特新小巨人", "国家")],
            payments=[{"item": LADDER, "year": 2021, "amount_fen": 20 * WAN, "subject": "ladder:专精特新"}],
        ),
    )
]


def _reform(tmp_path: Path, text: str):
    path = tmp_path / "reform.yaml"
    path.write_text(text, encoding="utf-8")
    return load_reform(path, BOOK)


def _run(reform, profiles=PROFILES):
    con = duckdb.connect()
    register_profiles(con, profiles)
    run_both(con, BOOK, reform.reformed(), YEAR)
    return con, summarise(con, YEAR, reform)


def _amounts(con, table: str, item: str) -> dict[str, int]:
    rows = con.execute(
        f"SELECT entity_id, amount_fen FROM {table} WHERE item_id = ? AND status = 'eligible'", [item]
    ).fetchall()
    return dict(rows)


def _item(result, item: str) -> Diff:
    return next(d for d in result.items if d.label == item)


def test_a_higher_cap_of_an_item_pays_the_capped_enterprise_more(tmp_path):
    # 50万元 → 80万元: B's 90万元 is now capped at 80万元; A's 30万元 was never capped.
    reform = _reform(
        tmp_path,
        f"parameters:\n  - {{item: {VOUCHER}, parameter: voucher_year_cap, value: 80, unit: 万元}}\n",
    )
    con, result = _run(reform)
    assert _amounts(con, "rf_before", VOUCHER) == {"A": 30 * WAN, "B": 50 * WAN}
    assert _amounts(con, AFTER, VOUCHER) == {"A": 30 * WAN, "B": 80 * WAN}
    voucher = _item(result, VOUCHER)
    assert (voucher.beneficiaries_before, voucher.beneficiaries_after) == (2, 2)
    assert (voucher.total_before_fen, voucher.total_after_fen, voucher.diff_fen) == (
        80 * WAN,
        110 * WAN,
        30 * WAN,
    )
    assert (voucher.mean_before_fen, voucher.mean_after_fen) == (40 * WAN, 55 * WAN)
    assert result.changed_rows == 1  # B's voucher only


def test_a_higher_ratio_is_still_capped(tmp_path):
    # 30 % → 40 %: A 100万元 × 40 % = 40万元; B 300万元 × 40 % = 120万元, still capped at 50万元.
    reform = _reform(
        tmp_path, f"parameters:\n  - {{item: {VOUCHER}, parameter: voucher_rate, value: 40, unit: '%'}}\n"
    )
    con, result = _run(reform)
    assert _amounts(con, AFTER, VOUCHER) == {"A": 40 * WAN, "B": 50 * WAN}
    assert (_item(result, VOUCHER).total_after_fen, _item(result, VOUCHER).diff_fen) == (90 * WAN, 10 * WAN)
    # the same ratio written as 比例 and as ‰ is the same reform
    for value, unit in (("0.4", "比例"), ("400", "‰")):
        again = _reform(
            tmp_path,
            f"parameters:\n  - {{item: {VOUCHER}, parameter: voucher_rate, value: {value}, unit: {unit}}}\n",
        )
        assert again.changes[0].after.value == reform.changes[0].after.value


def test_a_tier_amount_and_the_upgrade_difference(tmp_path):
    # 小巨人 100万元 → 150万元 (the whole document's figure): C gets 150万元; E, paid 20万元 as
    # 省级专精特新, gets the difference 150 − 20 = 130万元 (was 80万元); D's 20万元 tier is unchanged.
    reform = _reform(
        tmp_path, 'parameters:\n  - {document: "002", parameter: little_giant, value: 150, unit: 万元}\n'
    )
    con, result = _run(reform)
    assert _amounts(con, "rf_before", LADDER) == {"C": 100 * WAN, "D": 20 * WAN, "E": 80 * WAN}
    assert _amounts(con, AFTER, LADDER) == {"C": 150 * WAN, "D": 20 * WAN, "E": 130 * WAN}
    assert changed_items(BOOK, list(reform.changes)) == [LADDER]  # the one item reading little_giant
    ladder = _item(result, LADDER)
    assert (ladder.total_before_fen, ladder.total_after_fen, ladder.beneficiaries_after) == (
        200 * WAN,
        300 * WAN,
        3,
    )
    # per entity group: 规上 holds A (30万元 voucher) and C; 规下 holds B (50万元), D and E
    size = dict(result.groups)["规模 size"]
    assert [(d.label, d.total_before_fen, d.total_after_fen) for d in size] == [
        ("规上", 130 * WAN, 180 * WAN),
        ("规下", 150 * WAN, 200 * WAN),
    ]
    industry = {d.label: (d.beneficiaries_before, d.diff_fen) for d in dict(result.groups)["产业 industry"]}
    assert industry == {"人工智能": (2, 0), "信息技术": (3, 100 * WAN)}
    # the per-entity file holds the two changed rows with their groups, money as whole fen
    out = tmp_path / "diff.parquet"
    assert write_changes(con, out) == 2
    table = pq.read_table(out)
    assert str(table.schema.field("diff_fen").type) == "int64"
    assert [(r["entity_id"], r["diff_fen"], r["size_class"]) for r in table.to_pylist()] == [
        ("C", 50 * WAN, "规上"),
        ("E", 50 * WAN, "规下"),
    ]


def test_budget_line_use_before_and_after(tmp_path):
    # 001/二/12: 新认定的省级企业研究院 50万元, paid from 001/二/9's 区财政2023年预算安排12亿元. Enterprise F
    # is recognised in 2023; at 80万元 the line's use goes from 50万元 to 80万元.
    recognised = {
        "type": "platform_recognized",
        "date": "2023-03-01",
        "platform_type": "企业研究院",
        "level": "省",
    }
    institute = _enterprise("F", "人工智能", False, events=[recognised])
    reform = _reform(
        tmp_path,
        _one("item: 001/二/12/企业研究院, parameter: provincial_enterprise_institute, value: 80, unit: 万元"),
    )
    _, result = _run(reform, [*PROFILES, parse_profile(institute)])
    [line] = [b for b in result.budgets if b.line == "001/二/9/预算"]
    assert (line.amount_fen, line.bound) == (120_000 * WAN, "exact")
    assert (line.total_before_fen, line.total_after_fen) == (50 * WAN, 80 * WAN)


def test_the_scalar_engine_reads_the_same_reformed_book(tmp_path):
    # The reform is a copy of the AST, not a patch of SQL: the single-entity engine, given the same
    # reformed book, pays what the compiler paid; the document's book is left as it was.
    reform = _reform(
        tmp_path,
        "parameters:\n"
        f"  - {{item: {VOUCHER}, parameter: voucher_year_cap, value: 80, unit: 万元}}\n"
        '  - {document: "002", parameter: little_giant, value: 150, unit: 万元}\n',
    )
    con, _ = _run(reform)
    reformed = reform.reformed()
    for item in (VOUCHER, LADDER):
        scalar = {}
        for p in PROFILES:
            for r in calculate(reformed, p, YEAR, explain=False, near_misses=False).items:
                if r.item.id == item and r.status is ELIGIBLE:
                    scalar[p.id] = r.amount_fen
        assert scalar == _amounts(con, AFTER, item)
    assert BOOK.rulesets["002"].parameters["little_giant"].value == 100 * WAN


def test_an_item_address_leaves_other_items_sharing_the_parameter_alone(tmp_path):
    # 002/九's rank_first is read by more than one item; changing it for one leaves the others' figure.
    users = [it.id for it in BOOK.rulesets["002"].items if "rank_first" in _params(it)]
    assert len(users) >= 2
    reform = _reform(
        tmp_path, f"parameters:\n  - {{item: {users[0]}, parameter: rank_first, value: 2, unit: 位}}\n"
    )
    reformed = {it.id: it for it in reform.reformed().rulesets["002"].items}
    assert _params(reformed[users[0]])["rank_first"].value == 2
    assert all(_params(reformed[u])["rank_first"].value == 1 for u in users[1:])
    assert reform.reformed().rulesets["002"].parameters["rank_first"].value == 1


def _params(node) -> dict:
    from huiqi.population.rule_reform import parameters_used

    return parameters_used(node)


def _one(entry: str) -> str:
    """A reform file with one change, on line 2."""
    return "parameters:\n  - {" + entry + "}\n"


V = f"item: {VOUCHER}"
DOC = 'document: "002"'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # unknown item, with the near name
        (_one("item: 002/五/创新卷, parameter: voucher_rate, value: 40, unit: '%'"),
         r"line 2: no item '002/五/创新卷' in the rule files; did you mean 002/五/创新券"),
        # unknown parameter of an item, with the ones it uses
        (_one(f"{V}, parameter: voucher_cap, value: 40, unit: 万元"),
         r"line 2: item 002/五/创新券 uses no parameter 'voucher_cap'; "
         r"it uses: voucher_rate, voucher_year_cap"),
        # unknown parameter of a document (the change is on line 3 here)
        ("\n" + _one(f"{DOC}, parameter: little_gaint, value: 1, unit: 万元"),
         r"line 3: document 002 has no parameter 'little_gaint'; did you mean little_giant"),
        (_one('document: "009", parameter: x, value: 1, unit: 万元'),
         r"line 2: no rule file for document '009'"),
        # wrong unit: a ratio in money, money in %, a count in another count's unit, none
        (_one(f"{V}, parameter: voucher_rate, value: 40, unit: 万元"),
         r"line 2: voucher_rate is a ratio \(% in the rule file\); unit '万元' is not one of %, ‰, 比例"),
        (_one(f"{V}, parameter: voucher_year_cap, value: 40, unit: '%'"),
         r"line 2: voucher_year_cap is an amount of money \(万元 in the rule file\)"),
        (_one(f"{DOC}, parameter: rank_first, value: 2, unit: 年"),
         r"line 2: rank_first counts 位 in the rule file, not '年'"),
        (_one(f"{V}, parameter: voucher_year_cap, value: 80"), r"line 2: unit is missing"),
        # a value that is no amount
        (_one(f"{V}, parameter: voucher_year_cap, value: -5, unit: 万元"),
         r"line 2: value -5 must be a non-negative number"),
        (_one(f"{V}, parameter: voucher_year_cap, value: 0.0000001, unit: 万元"),
         r"line 2: .*not a whole number of fen"),
        (_one(f"{DOC}, parameter: rank_first, value: 1.5, unit: 位"),
         r"line 2: a count in 位 must be a whole number"),
        # the shape of an entry
        (_one(f"{V}, {DOC}, parameter: voucher_rate, value: 1, unit: '%'"), r"line 2: name either an item"),
        (_one(f"{V}, parameter: voucher_rate, valeu: 1, unit: '%'"), r"line 2: unknown key\(s\) valeu"),
        ("parameters:\n  item: x\n", r"parameters is a list of changes"),
        ("parameters:\n  - 5\n", r"parameters entry 1: each change is a mapping"),
        # one figure changed twice
        ("parameters:\n"
         f"  - {{item: {LADDER}, parameter: little_giant, value: 120, unit: 万元}}\n"
         f"  - {{{DOC}, parameter: little_giant, value: 150, unit: 万元}}\n",
         r"line 3: 002.little_giant is already changed on line 2"),
        # the file itself
        ("ratio_percent: 25\n", r"unknown section\(s\) \['ratio_percent'\].*go under rd_subsidy"),
        ("parameters: [\n", r"is not YAML"),
        ("- 1\n", r"a reform file is a mapping"),
    ],
)  # fmt: skip
def test_a_bad_reform_file_is_one_message_naming_its_line(tmp_path, text, message):
    with pytest.raises(ReformError, match=message):
        _reform(tmp_path, text)


def test_a_shared_cap_is_addressed_by_its_document(tmp_path):
    members = next(sc for sc in BOOK.rulesets["002"].shared_caps if sc.param.name == "standards_org_year_cap")
    text = _one(f"item: {members.items[0]}, parameter: standards_org_year_cap, value: 1, unit: 万元")
    with pytest.raises(
        ReformError, match=r"line 2: .*is the cap shared by .*address it with document: '002'"
    ):
        _reform(tmp_path, text)
    reform = _reform(
        tmp_path,
        'parameters:\n  - {document: "002", parameter: standards_org_year_cap, value: 150, unit: 万元}\n',
    )
    [cap] = [sc for sc in reform.reformed().rulesets["002"].shared_caps if sc.id == members.id]
    assert cap.param.value == 150 * WAN
