"""The clause tree of each policy text: ids the rules cite, spans, and numbering that goes wrong.

Every expected id, heading and quote below was read off the policy files by hand.
"""

from __future__ import annotations

import random
import time
from functools import cache
from itertools import pairwise

import pytest

from huiqi.corpus.clauses import PREAMBLE, cn_number, match_label, parse_clauses
from huiqi.corpus.model import Clause
from huiqi.paths import policies_dir


@cache
def source(file_id: str) -> str:
    (path,) = sorted((policies_dir() / file_id).glob(f"{file_id}_*.txt"))
    return path.read_text(encoding="utf-8")


@cache
def whole(file_id: str) -> tuple[dict[str, Clause], list[str], list[str]]:
    """000, 001, 002 and 004 each hold one document: the whole file."""
    text = source(file_id)
    return parse_clauses(text, 0, len(text), file_id)


# Documents inside the compendium 003, cut out by their first and next-document lines so these
# tests do not depend on the document splitter. Start: the document's own title line.
DOCS_003 = {
    # 杭州市科技型企业研发费用投入财政补助资金管理办法 (杭科资〔2020〕72号): 第X条 without chapters
    "rd": (
        "杭州市科技型企业研发 费用投入财政补助资金管理办法\n",
        "杭州市科学技术局 杭州市财政局\n\n关于印发《杭州市小微企业",
    ),
    # 杭州市科技创新券实施管理办法: 第X章 with 第X条, and 1. directly under 第八条
    "voucher": (
        "杭州市科技创新券实施管理办法\n",
        "杭州市科学技术委员会 杭州市财政局\n\n关于印发《杭州市科技型中小企业",
    ),
    # 杭州市重点科技研发计划项目和资金管理办法: run-on items "(1)…;(2)…" inside 第三条
    "keyrd": (
        "杭州市重点科技研发计划项目和 资金管理办法\n",
        "杭州市科学技术局 杭州市财政局\n关于印发《杭州市“雏鹰计划”",
    ),
    # 杭向未来·大学生创业创新三年行动计划: 1.–25. numbered straight through 二、's （一）–（五） and 三、
    "students": (
        "杭向未来·大学生创业创新三年行动计划 (2020—2022 年)\n",
        "中共杭州市委 杭州市人民政府\n\n关于加快建设“未来工厂”",
    ),
    # 杭州市天使投资引导基金管理办法: "参照本办法第五条（十一）项执行" is a reference, not a heading
    "angel": ("杭州市天使投资引导基金管理办法\n", "杭州市科学技术局 杭州市财政局 关于印发《杭州市软科学"),
}


@cache
def doc003(key: str) -> tuple[str, int, int, tuple[dict[str, Clause], list[str], list[str]]]:
    text = source("003")
    first, following = DOCS_003[key]
    start = text.index(first)
    end = text.index(following, start)
    return text, start, end, parse_clauses(text, start, end, f"003-{key}")


ONE_TO_SIXTEEN = [*"一二三四五六七八九十", "十一", "十二", "十三", "十四", "十五", "十六"]


def own_text(text: str, c: Clause) -> str:
    return text[c.start : c.body_end]


# --- 002: 一、 … 十六、 ---------------------------------------------------------------------------


def test_002_sixteen_measures_after_the_notice() -> None:
    clauses, top, notes = whole("002")
    assert top == ["002/前言"] + [f"002/{n}" for n in ONE_TO_SIXTEEN]
    assert notes == []
    # The 印发通知 (notice wrapper) and the policy's title come before 一、: the preamble.
    assert "已经区管委会、政府同意" in own_text(source("002"), clauses["002/前言"])


def test_002_three_awards_for_new_organisations() -> None:
    clauses, _, _ = whole("002")
    c = clauses["002/三"]
    assert (c.label, c.heading, c.level, c.parent_id) == ("三", "给予认定奖励", 1, None)
    assert "分别给予50万元、30万元一次性奖励" in source("002")[c.start : c.end]
    # 九、 writes "一、二等奖" inside a sentence: no heading comes of it.
    assert clauses["002/九"].children == []
    assert (
        "国家技术发明奖（国家科技进步奖）一、二等奖"
        in source("002")[clauses["002/九"].start : clauses["002/九"].end]
    )


def test_002_last_clause_keeps_the_trailing_lines() -> None:
    clauses, _, _ = whole("002")
    c = clauses["002/十六"]
    text = source("002")
    assert c.heading == "其他条款"
    assert "本政策自2022年9月6日起施行，有效期三年" in text[c.start : c.end]
    assert c.end == len(text)  # 抄送 lines after the last measure stay in it


# --- 000: 二、 → （一） → 1.–22. numbered through; 三、附则 1.–6. with run-on （1）–（4） ----------------


def test_000_measures_continue_their_numbers_across_groups() -> None:
    clauses, top, notes = whole("000")
    assert top == ["000/前言", "000/一", "000/二", "000/三"]
    assert notes == []
    assert clauses["000/二/（一）"].children == [f"000/二/（一）/{n}" for n in range(1, 5)]
    # （二） goes on with 5., not 1.
    c = clauses["000/二/（二）/5"]
    assert (c.heading, c.parent_id, c.level) == ("支持瞪羚企业和专精特新企业发展", "000/二/（二）", 3)
    assert "每年安排预算不少于2.5亿元" in source("000")[c.start : c.end]
    measures = [cid for cid in clauses if cid.startswith("000/二/（") and cid.count("/") == 3]
    assert len(measures) == 22


def test_000_labels_written_differently_normalise() -> None:
    clauses, _, _ = whole("000")
    text = source("000")
    assert text[clauses["000/二/（三）/13"].start :].startswith("13、吸引优质企业投资发展")
    assert text[clauses["000/二/（四）/15"].start :].startswith("15. 发展智造供给产业")


def test_000_supplementary_payment_methods_run_on_in_one_paragraph() -> None:
    clauses, _, _ = whole("000")
    text = source("000")
    five = clauses["000/三/5"]
    assert five.children == [f"000/三/5/（{n}）" for n in range(1, 5)]
    invest = clauses["000/三/5/（2）"]
    assert invest.heading == "投资资助"
    assert "可按实到注册资本5—10%予以支持" in text[invest.start : invest.end]
    assert "研发资助" not in text[invest.start : invest.end]
    # 5.'s own text is the lead-in up to the first item.
    assert own_text(text, five).endswith("可按照以下方式予以兑现：")


def test_000_heading_after_bookmark_residue() -> None:
    clauses, _, _ = whole("000")
    c = clauses["000/三/6"]
    text = source("000")
    assert text[c.start :].startswith("6.本意见自发布后30日施行")
    assert text[c.start - len("[bookmark: _GoBack]") : c.start] == "[bookmark: _GoBack]"


# --- 001: 一、…六、 with 1.–50. numbered straight through -------------------------------------------


def test_001_fifty_measures_under_six_areas() -> None:
    clauses, top, notes = whole("001")
    assert top == ["001/前言"] + [f"001/{n}" for n in "一二三四五六"]
    assert notes == []
    items = [c for c in clauses.values() if c.level == 2]
    assert [c.label for c in items] == [str(n) for n in range(1, 51)]
    assert clauses["001/二"].children[0] == "001/二/9"
    assert clauses["001/六"].children[-1] == "001/六/50"


def test_001_area_title_starting_with_a_numeral_is_not_cut() -> None:
    # "三、五大产业生态圈…": the 五 after 、 is part of the title, not a second label.
    clauses, _, _ = whole("001")
    assert clauses["001/三"].heading == "五大产业生态圈高质量发展政策"
    assert clauses["001/三"].children == [f"001/三/{n}" for n in range(20, 26)]


def test_001_overseas_rd_awards() -> None:
    clauses, _, _ = whole("001")
    c = clauses["001/二/16"]
    assert c.heading == "支持建设海外与外资研发机构"
    assert "市级海外科技创新中心分别给予100万元、30万元" in source("001")[c.start : c.end]


# --- 004: 一、… with （一）–（十八） numbered through ---------------------------------------------------


def test_004_bookmarks_are_not_headings() -> None:
    clauses, top, notes = whole("004")
    text = source("004")
    assert top == ["004/前言"] + [f"004/{n}" for n in "一二三四五六"]
    assert notes == []
    # "[bookmark: 二、任务举措]——科技人才…" carries a label inside residue: still part of 一、.
    assert (
        "[bookmark: 二、任务举措]——科技人才招引不断加强"
        in text[clauses["004/一"].start : clauses["004/一"].end]
    )
    assert clauses["004/二"].heading == "建设高能级科创平台，牵引教科人一体贯通"
    assert text[clauses["004/一"].start :].startswith("一、总体要求")


def test_004_tasks_numbered_through_the_sections() -> None:
    clauses, _, _ = whole("004")
    assert clauses["004/三"].children == ["004/三/（四）", "004/三/（五）", "004/三/（六）"]
    assert clauses["004/六/（十八）"].heading == "构建开放融合的营商环境"


# --- 003: documents of the compendium -----------------------------------------------------------


def test_003_articles_without_chapters_with_their_items() -> None:
    text, _, _, (clauses, top, notes) = doc003("rd")
    assert notes == []
    assert top == ["003-rd/前言"] + [f"003-rd/第{n}条" for n in ONE_TO_SIXTEEN]
    c = clauses["003-rd/第八条/（一）"]
    assert (c.heading, c.parent_id, c.level) == ("规上/限上市科技型中小微企业", "003-rd/第八条", 2)
    assert "单个企业最高补助200万元" in text[c.start : c.end]
    # （二） starts after a hard line break inside its first sentence.
    second = clauses["003-rd/第八条/（二）"]
    assert "单个企业最高补助 50 万元" in text[second.start : second.end]
    assert (
        "排序列前的600家" in text[clauses["003-rd/第七条/（2）"].start : clauses["003-rd/第七条/（2）"].end]
    )


def test_003_articles_hang_under_chapters_but_their_ids_skip_them() -> None:
    text, _, _, (clauses, top, notes) = doc003("voucher")
    assert notes == []
    assert top == ["003-voucher/前言"] + [f"003-voucher/第{n}章" for n in "一二三四五"]
    six = clauses["003-voucher/第六条"]
    assert six.parent_id == "003-voucher/第二章"
    assert six.level == 2
    assert clauses["003-voucher/第二章"].heading == "企业券"
    assert clauses["003-voucher/第一章"].heading == "总 则"
    # 1. directly under 第八条
    assert clauses["003-voucher/第八条"].children == [f"003-voucher/第八条/{n}" for n in range(1, 5)]
    assert clauses["003-voucher/第八条/3"].heading == "专业科技创新服务平台应具备以下条件"
    c = clauses["003-voucher/第九条/2"]
    assert "给予其不超过20万元的平台券补贴" in text[c.start : c.end]


def test_003_run_on_items_inside_an_article() -> None:
    text, _, _, (clauses, _, _) = doc003("keyrd")
    third = clauses["003-keyrd/第三条"]
    assert third.children == ["003-keyrd/第三条/（1）", "003-keyrd/第三条/（2）"]
    first = clauses["003-keyrd/第三条/（1）"]
    assert text[first.start : first.end] == "(1)市级重点科技研发计划项目的立项补助;"
    # Half-width "(一)" and full-width "（二）" are one style with one label form.
    assert clauses["003-keyrd/第六条"].children == ["003-keyrd/第六条/（一）", "003-keyrd/第六条/（二）"]


def test_003_numbering_runs_on_into_the_next_section() -> None:
    _, _, _, (clauses, _, notes) = doc003("students")
    assert notes == []
    assert clauses["003-students/二/（五）"].children[-1] == "003-students/二/（五）/22"
    assert clauses["003-students/三"].children == [f"003-students/三/{n}" for n in (23, 24, 25)]
    assert clauses["003-students/三/25"].heading == "营造良好氛围"


def test_003_cross_reference_in_a_sentence_is_not_a_heading() -> None:
    text, _, _, (clauses, _, _) = doc003("angel")
    ref = text.index("参照本办法第五条（十一）项执行")
    containing = [c for c in clauses.values() if c.start <= ref < c.end]
    assert [c.id for c in containing] == ["003-angel/五", "003-angel/五/（十）", "003-angel/五/（十）/2"]
    real = clauses["003-angel/五/（十一）"]
    assert text[real.start :].startswith("（十一）子基金投资不符合本办法要求")
    # "- （一）" list dashes from the conversion are residue before the label
    assert clauses["003-angel/三"].children == [f"003-angel/三/（{n}）" for n in "一二三"]


# --- the span property, on every document ---------------------------------------------------------


def all_documents() -> list[tuple[str, str, int, int]]:
    """(doc id, source text, start, end) of every document, as the Corpus API splits the files."""
    from huiqi.corpus.load import load_corpus

    corpus = load_corpus()
    return [(d.id, corpus.source_text(d.id), d.start, d.end) for d in corpus.documents.values()]


def test_the_corpus_api_carries_these_clause_ids() -> None:
    from huiqi.corpus.load import load_corpus

    corpus = load_corpus()
    assert "分别给予50万元、30万元一次性奖励" in corpus.text(corpus.clause("002/三"))
    assert "002/十六" in corpus.document("002").top
    rd = corpus.clause("003-31/第八条/（一）")  # 杭州市科技型企业研发费用投入财政补助资金管理办法
    assert rd.heading == "规上/限上市科技型中小微企业"
    assert "单个企业最高补助200万元" in corpus.text(rd)
    assert corpus.clause("003-23/第六条").parent_id == "003-23/第二章"  # 科技创新券实施管理办法


def test_every_clause_span_starts_with_its_label_and_nests() -> None:
    docs = all_documents()
    assert {"000", "001", "002", "004", "003-01", "003-40"} <= {d[0] for d in docs}
    for doc_id, text, start, end in docs:
        clauses, top, _ = parse_clauses(text, start, end, doc_id)
        for c in clauses.values():
            assert start <= c.start <= c.body_end <= c.end <= end, c.id
            if c.label == PREAMBLE:
                continue
            mark = match_label(text, c.start)
            assert mark is not None and mark.label == c.label, c.id
            kids = [clauses[k] for k in c.children]
            if kids:
                assert c.body_end == kids[0].start, c.id
                assert kids[-1].end == c.end, c.id
            for a, b in pairwise(kids):
                assert a.end == b.start, (a.id, b.id)  # siblings touch, never overlap
            for k in kids:
                assert k.parent_id == c.id and k.level == c.level + 1
        # the top-level clauses tile the document from the first clause to its end
        spans = [(clauses[i].start, clauses[i].end) for i in top]
        assert spans[-1][1] == end, doc_id
        assert all(a[1] == b[0] for a, b in pairwise(spans)), doc_id
        assert not text[start : spans[0][0]].strip(), doc_id
        assert list(clauses) == sorted(clauses, key=lambda i: (clauses[i].start, clauses[i].level))


def test_parsing_all_five_files_is_fast() -> None:
    docs = all_documents()
    t0 = time.perf_counter()
    n = sum(len(parse_clauses(text, s, e, d)[0]) for d, text, s, e in docs)
    elapsed = time.perf_counter() - t0
    assert n > 1000
    assert elapsed < 0.5, f"{n} clauses took {elapsed:.3f}s"


# --- odd numbering: a tree and a note, never a crash ----------------------------------------------


def test_a_gap_in_the_numbering_is_kept_and_noted() -> None:
    text = "总体说明\n一、甲\n二、乙\n四、丁\n五、戊\n"
    _, top, notes = parse_clauses(text, 0, len(text), "x")
    assert top == ["x/前言", "x/一", "x/二", "x/四", "x/五"]
    assert notes == ["x line 4: 四 skips from 2 to 4"]


def test_a_stray_numeral_at_a_line_start_stays_text() -> None:
    # A hard-wrapped sentence that happens to begin "二、三等奖", inside 二、.
    text = (
        "一、总则\n二、奖励标准\n对获得一等奖的给予50万元，\n二、三等奖分别给予30万元、10万元。\n三、附则\n"
    )
    clauses, top, notes = parse_clauses(text, 0, len(text), "x")
    assert top == ["x/一", "x/二", "x/三"]
    assert "二、三等奖分别给予" in text[clauses["x/二"].start : clauses["x/二"].end]
    assert notes == ["x line 4: 二 repeats number 2; kept as text"]


def test_a_repeated_label_gets_a_suffix_and_a_note() -> None:
    text = "第一条 总则\n（一）甲\n（一）乙\n（二）丙\n第二条 附则\n"
    clauses, _, notes = parse_clauses(text, 0, len(text), "x")
    assert clauses["x/第一条"].children == ["x/第一条/（一）", "x/第一条/（一）#2", "x/第一条/（二）"]
    assert text[clauses["x/第一条/（一）#2"].start :].startswith("（一）乙")
    assert any("line 3" in n and "x/第一条/（一）#2" in n for n in notes)


def test_a_jump_with_nothing_after_it_is_text_with_a_note() -> None:
    text = "一、甲\n正文\n三、丙\n正文\n"
    _, top, notes = parse_clauses(text, 0, len(text), "x")
    assert top == ["x/一"]
    assert notes == ["x line 3: 三 skips from 1 to 3; kept as text"]


def test_reference_at_a_line_start_is_not_an_article() -> None:
    text = "第一条 目的\n依照\n第五条规定的程序办理。\n第二条 附则\n"
    _, top, notes = parse_clauses(text, 0, len(text), "x")
    assert top == ["x/第一条", "x/第二条"]
    assert notes == []


def test_no_heading_at_all_is_one_preamble() -> None:
    text = "本文件没有编号。\n只有两段。\n"
    clauses, top, notes = parse_clauses(text, 0, len(text), "x")
    assert top == ["x/前言"] and (clauses["x/前言"].start, clauses["x/前言"].end) == (0, len(text))
    assert notes == []


def test_any_jumble_of_labels_gives_a_consistent_tree() -> None:
    """Random documents made of labels, residue and text: never a crash, always nested spans."""
    pieces = [
        *["一、", "二、", "三、", "五、", "十一、", "（一）", "(二)", "（三）"],
        *["1.", "2．", "3、", "4.", "（1）", "(2)", "1)"],
        "第一章 ",
        "第二章 ",
    ]
    pieces += [
        "第一条 ",
        "第三条 ",
        "[bookmark: x]",
        "- ",
        "**",
        "文字",
        "：",
        "。",
        "；",
        "\n",
        "\n",
        "第五条规定",
    ]
    rng = random.Random(7)
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        clauses, top, _ = parse_clauses(text, start, end, "f")
        for c in clauses.values():
            assert start <= c.start <= c.body_end <= c.end <= end, (text, c)
            mark = match_label(text, c.start)
            assert c.label == PREAMBLE or (mark is not None and mark.label == c.label), (text, c)
        assert not top or clauses[top[-1]].end == end


def test_a_span_outside_the_text_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="outside a text of 3 characters"):
        parse_clauses("一、甲", 0, 10, "x")


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一", 1), ("十", 10), ("十六", 16), ("二十", 20), ("二十六", 26), ("五十", 50), ("一百零五", 105)],
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert cn_number(numeral) == value
