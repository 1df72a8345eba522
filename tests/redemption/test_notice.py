"""公示: the notice window in working days, objections, declines, and the exported list."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from huiqi.redemption import decision, exports, notice, objection
from huiqi.store.db import transaction
from huiqi.store.models_runs import Objection

from .setup_registry import AFTER_WINDOW, CHECKER, MAKER, RUN_DAY, A, C, lines, make_registry, start

WAN = 10_000 * 100


def line_no(engine, run_id, key, item):
    return lines(engine, run_id)[(key, item)].line_no


def test_the_window_counts_working_days_and_nothing_is_decided_inside_it(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    with transaction(engine) as s:
        n = notice.publish(s, run_id, 5, MAKER, RUN_DAY)
        # published Friday 2024-03-01: Fri 1, Mon 4, Tue 5, Wed 6, Thu 7 March
        assert (n.first_day, n.last_day) == (date(2024, 3, 1), date(2024, 3, 7))
    with transaction(engine) as s, pytest.raises(notice.NoticeError, match="already published"):
        notice.publish(s, run_id, 5, MAKER, RUN_DAY)
    with transaction(engine) as s, pytest.raises(notice.NoticeError, match="open until 2024-03-07"):
        decision.decide(s, run_id, CHECKER, True, "提前审批", date(2024, 3, 7))
    with transaction(engine) as s:
        made = decision.decide(s, run_id, CHECKER, True, "公示期满", AFTER_WINDOW)
    assert len(made) == 2  # the two eligible lines; the discretionary ones wait for their own amount


def test_nothing_is_decided_before_the_list_is_published(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    with transaction(engine) as s, pytest.raises(notice.NoticeError, match="has not been published"):
        decision.decide(s, run_id, CHECKER, True, "未公示", AFTER_WINDOW)


def test_an_objection_blocks_its_line_until_resolved_and_a_change_is_recorded(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    union = line_no(engine, run_id, C, "002/三/联合体共同体")
    chain = line_no(engine, run_id, C, "002/六/链主研发")
    with transaction(engine) as s:
        notice.publish(s, run_id, 5, MAKER, RUN_DAY)
    with transaction(engine) as s:
        kept = objection.add(s, run_id, union, "第三方", "牵头单位资格存疑", date(2024, 3, 4)).id
        changed = objection.add(s, run_id, chain, "企业", "研发投入口径有误", date(2024, 3, 4)).id
    with transaction(engine) as s, pytest.raises(notice.NoticeError, match=f"objection {kept} is pending"):
        decision.decide(s, run_id, CHECKER, True, "审批", AFTER_WINDOW, [union])
    with transaction(engine) as s, pytest.raises(notice.NoticeError, match="closed on 2024-03-07"):
        objection.add(s, run_id, union, "第三方", "逾期异议", AFTER_WINDOW)
    with transaction(engine) as s, pytest.raises(notice.NoticeError, match="above the ceiling"):
        objection.resolve(s, changed, CHECKER, "核定", date(2024, 3, 6), new_amount_fen=10**12)
    with transaction(engine) as s:
        objection.resolve(s, kept, CHECKER, "经核属实", date(2024, 3, 6))
        objection.resolve(s, changed, CHECKER, "按核定研发投入", date(2024, 3, 6), new_amount_fen=30 * WAN)
    with transaction(engine) as s, pytest.raises(notice.NoticeError, match="already resolved"):
        objection.resolve(s, kept, CHECKER, "再议", date(2024, 3, 6))
    with transaction(engine) as s:
        rows = {o.id: o for o in s.execute(select(Objection)).scalars()}
        assert (rows[kept].state, rows[kept].resolution, rows[kept].resolved_by) == (
            "kept",
            "经核属实",
            CHECKER,
        )
        assert (rows[changed].state, rows[changed].old_amount_fen, rows[changed].new_amount_fen) == (
            "changed",
            None,
            30 * WAN,
        )
        made = decision.decide(s, run_id, CHECKER, True, "公示期满", AFTER_WINDOW, [union, chain])
        assert [d.amount_fen for d in made] == [50 * WAN, 30 * WAN]


def test_a_declined_line_stays_on_the_record_and_is_never_decided(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    first = line_no(engine, run_id, A, "002/六/专精特新")
    with transaction(engine) as s:
        notice.publish(s, run_id, 5, MAKER, RUN_DAY)
    with transaction(engine) as s:
        notice.decline(s, run_id, first, "杭州示例01科技有限公司", "企业主动放弃", date(2024, 3, 5))
    with transaction(engine) as s, pytest.raises(Exception, match="is declined"):
        decision.decide(s, run_id, CHECKER, True, "审批", AFTER_WINDOW, [first])
    with transaction(engine) as s:
        made = decision.decide(s, run_id, CHECKER, True, "公示期满", AFTER_WINDOW)
        assert [d.amount_fen for d in made] == [50 * WAN]  # only enterprise 3's union award is left
        rows = exports.notice_rows(s, run_id)
    assert [r.state for r in rows if r.line_no == first] == ["主动放弃"]


def test_the_exports_keep_credit_codes_as_text_and_amounts_exact(engine, tmp_path):
    make_registry(engine, tmp_path)
    run_id = start(engine)
    with transaction(engine) as s:
        notice.publish(s, run_id, 5, MAKER, RUN_DAY)
        xlsx, csv_path, html = exports.export_notice(s, run_id, tmp_path / "out")
    assert A.isdigit()  # 913301080000000010: a number, were it not a text cell
    sheet = load_workbook(xlsx).active
    header = [c.value for c in sheet[2]]
    code_col = header.index("统一社会信用代码")
    codes = [
        (row[code_col].value, row[code_col].data_type, row[code_col].number_format)
        for row in sheet.iter_rows(3)
    ]
    assert (A, "s", "@") in codes and all(t == "s" and f == "@" for _, t, f in codes)

    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the UTF-8 BOM
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    first = next(r for r in rows if r["统一社会信用代码"] == A)
    assert (first["事项"], first["金额（元）"]) == ("002/六/专精特新", "800000.00")

    page = html.read_text("utf-8")
    assert "2024-03-01 至 2024-03-07" in page and "杭州示例01科技有限公司" in page and A in page
