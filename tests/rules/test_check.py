"""huiqi check: the findings a reviewer needs, on the real rules and on deliberately bad fixtures."""

from __future__ import annotations

import textwrap

from huiqi.paths import policies_dir
from huiqi.rules.check import run_checks
from huiqi.rules.loader import load_rules


def findings(book):
    return {(f.check, f.where): f.message for f in run_checks(book)}


def test_real_rules_report_the_gaps_the_text_leaves():
    book = load_rules()
    got = findings(book)
    # 三 names only 省、市 for 企业创新联合体; 九 names no 特等奖
    assert "级别 国家、区" in got[("tier-gap", "002/三/联合体共同体")]
    assert "等次 特等、三等" in got[("tier-gap", "002/九/国家科技奖")]
    # the fund size of 十三 (设立1亿元…投资基金) is a budget, not an award: reported, not encoded
    assert ("unencoded-figure", "002/十三") in got
    # (rent_fen is read since 003-12/7; an identity fact no rule conditions on stays unread)
    assert ("unread", "fact employer_credit_code") in got
    assert ("unread", "fact local_order_increment_fen") not in got
    assert not [k for k in got if k[0] in ("tier-overlap", "never-fires")]
    # every conflict is written down: one of the two items' notes names the other document and says
    # which applies when (e.g. 001/四/30 首版次软件 vs 002/十)
    notes = {it.id: it.note for it in book.items()}
    for check, where in got:
        if check == "conflict":
            one, other = where.split(" vs ")
            documented = other.split("/")[0] in notes[one] or one.split("/")[0] in notes[other]
            assert documented, f"undocumented conflict {where}"


BAD = textwrap.dedent(
    """
    document: "000"
    # FIXTURE for tests only: made-up items over real sentences, each broken on purpose.
    parameters:
      award: {value: 400, unit: 万元, text: 400万元, clause: 000/二/（二）/7}
      first: {value: 1, unit: 位, text: 第一, clause: 002/九}
      second: {value: 2, unit: 位, text: 第二, clause: 002/九}
      fifth: {value: 5, unit: 位, text: 第五, clause: 002/九}
      sixth: {value: 6, unit: 位, text: 第六, clause: 002/九}
      full: {value: 1, unit: 比例, text: 全额, clause: 002/九}
      half: {value: 0.5, unit: 比例, text: 减半, clause: 002/九}
    items:
      - id: 000/坏/单项冠军
        clause: 000/二/（二）/7
        quote: 按进度给予400万元奖励
        validity: {start: 2023-01-01, end: 2024-12-31, clause: 000/三/6, quote: 本意见自发布后30日施行。}
        for_each: {event: enterprise_title, where: 'title == "单项冠军"'}
        amount: award
      - id: 000/坏/排名
        clause: 000/二/（二）/7
        quote: 按进度给予400万元奖励
        validity: {start: 2023-01-01, end: 2024-12-31, clause: 000/三/6, quote: 本意见自发布后30日施行。}
        for_each: {event: science_award}
        amount:
          multiply:
            amount: award
            factor:
              scale:
                by: event.unit_rank
                brackets:
                  - {from: first, from_inclusive: true, to: second, to_inclusive: true, then: full}
                  - {from: second, from_inclusive: true, to: fifth, to_inclusive: true, then: half}
                  - {from: sixth, from_inclusive: false, then: half}
      - id: 000/坏/不可能
        clause: 000/二/（二）/7
        quote: 按进度给予400万元奖励
        validity: {start: 2023-01-01, end: 2024-12-31, clause: 000/三/6, quote: 本意见自发布后30日施行。}
        for_each: {event: enterprise_title, where: 'title == "单项冠军" and title == "隐形冠军"'}
        amount: award
    """
)


def test_bad_fixture_findings(tmp_path):
    p = tmp_path / "rules.yaml"
    p.write_text(BAD, "utf-8")
    got = findings(load_rules([p, policies_dir() / "002" / "rules.yaml"]))
    assert got[("tier-overlap", "000/坏/排名")] == "tiers overlap at 第二 / 第二"
    assert got[("tier-gap", "000/坏/排名")] == "no tier between 第五 and 第六"
    assert ("never-fires", "000/坏/不可能") in got
    # 002 promises 200万元 for a 单项冠军, the fixture 400万元
    assert ("conflict", "002/六/单项冠军 vs 000/坏/单项冠军") in got or (
        "conflict",
        "000/坏/单项冠军 vs 002/六/单项冠军",
    ) in got


def test_every_finding_on_the_real_rules_is_explained_where_huiqi_check_shows_it():
    """Each finding carries its reason (policies/checks.yaml, or for a conflict the note of the item
    naming the other document); every entry of checks.yaml answers a finding (no stale reasons)."""
    from huiqi.rules.check import explanations

    found = run_checks(load_rules())
    assert [f"{f.check} {f.where}" for f in found if not f.explanation] == []
    keys = {(f.check, f.where) for f in found}
    assert [k for k in explanations() if k not in keys] == []
    assert all(f.to_json()["explanation"] for f in found)
