"""The documents of the five policy files: how 003 splits, and each document's own metadata.

Every expected value below was read off the policy text by hand (line numbers are of
policies/003/003_4e297dd621b20189.txt); docs/corpus.md lists all forty documents of 003.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from huiqi.cli import app
from huiqi.corpus.load import Corpus, UnknownIdError, load_corpus
from huiqi.corpus.metadata import compact, normalize_doc_number
from huiqi.corpus.model import Dated
from huiqi.corpus.split import clean_line, is_issuer_line, split_documents
from huiqi.paths import policies_dir

# First line of each document of 003, read from the file: a notice (关于印发…的通知, with the issuer line
# above it when there is one) or, for a document without notice wrapper, its issuers/title.
START_LINES_003 = [
    3, 75, 221, 274, 362, 432, 552, 626, 700, 802,
    944, 1000, 1094, 1180, 1290, 1388, 1495, 1581, 1647, 1711,
    1769, 1867, 1957, 2045, 2107, 2242, 2306, 2436, 2501, 2663,
    2784, 2890, 2944, 3074, 3156, 3220, 3366, 3449, 3562, 3628,
]  # fmt: skip


def ids_003(corpus: Corpus) -> list[str]:
    return [d for d in corpus.documents if d.startswith("003-")]


def test_the_files_000_001_002_004_are_one_document_each(corpus: Corpus) -> None:
    assert [d for d in corpus.documents if not d.startswith("003-")] == ["000", "001", "002", "004"]


def test_003_holds_forty_documents_numbered_in_order(corpus: Corpus) -> None:
    assert ids_003(corpus) == [f"003-{n:02d}" for n in range(1, 41)]
    starts = [corpus.documents[d].start for d in ids_003(corpus)]
    assert starts == sorted(starts)


def test_each_document_of_003_starts_on_the_line_read_by_hand(corpus: Corpus) -> None:
    docs = [corpus.documents[d] for d in ids_003(corpus)]
    assert [corpus.line_of(d.file, d.start) for d in docs] == START_LINES_003


def test_documents_of_003_cover_the_file_without_gap_or_overlap(corpus: Corpus) -> None:
    text = corpus.source_text("003")
    docs = [corpus.documents[d] for d in ids_003(corpus)]
    assert text[: docs[0].start].strip() == ""
    for before, after in itertools.pairwise(docs):
        assert before.end <= after.start
        assert text[before.end : after.start].strip() == "", f"text lost between {before.id} and {after.id}"
    assert text[docs[-1].end :].strip() == ""


def test_every_document_text_starts_with_its_notice_or_title(corpus: Corpus) -> None:
    for doc in corpus.documents.values():
        first_line = clean_line(corpus.document_text(doc).split("\n", 1)[0])
        assert is_issuer_line(first_line) or "关于" in first_line or "通知" in first_line, doc.id
        # …and its own title is in the head (or, after a notice, the body title right under it)
        title = compact(doc.title).removesuffix("（征求意见稿）")
        head = compact(corpus.document_text(doc)[:1500])
        assert title in head, doc.id


@pytest.mark.parametrize(
    ("doc_id", "title", "numbers", "issued", "effective", "expires"),
    [
        # notice 杭科资〔2020〕72号 (lines 2784-2800);
        # "第十六条 本办法自2020年8月9日起生效，有效期至2022年12月31日"
        (
            "003-31",
            "杭州市科技型企业研发费用投入财政补助资金管理办法",
            ["杭科资〔2020〕72号"],
            date(2020, 7, 9),
            date(2020, 8, 9),
            date(2022, 12, 31),
        ),
        # joint notice of 市科委 and 市财政局: "第十七条 本办法自2018年7月1日起施行" — no end date
        (
            "003-23",
            "杭州市科技创新券实施管理办法",
            ["杭科合〔2018〕8号", "杭财教会〔2018〕42号"],
            date(2018, 5, 29),
            date(2018, 7, 1),
            None,
        ),
        # "本办法自2021年7月20日起实施，有效期至2024年7月20日"
        (
            "003-36",
            "杭州市天使投资引导基金管理办法",
            ["杭科资〔2021〕3号"],
            date(2021, 6, 15),
            date(2021, 7, 20),
            date(2024, 7, 20),
        ),
        # no notice: 文号 under the title; "本意见自 2017 年 2 月 5 日起施行", signed 2017 年 1 月 6 日
        (
            "003-03",
            "关于鼓励在杭高校及其师生在杭创新创业的若干意见",
            ["杭政函〔2017〕5号"],
            date(2017, 1, 6),
            date(2017, 2, 5),
            None,
        ),
        # "本通知自 2020 年 5 月 15 日起实施，有效期 3 年" → last day 2023-05-14
        (
            "003-12",
            "杭向未来·大学生创业创新三年行动计划(2020—2022年)",
            ["杭政办函〔2020〕11号"],
            date(2020, 4, 14),
            date(2020, 5, 15),
            date(2023, 5, 14),
        ),
        # "本措施自 2021 年 5 月 6 日起施行，有效期 3 年"
        (
            "003-19",
            "关于金融支持服务实体经济高质量发展的若干措施",
            ["杭政办函〔2021〕20号"],
            date(2021, 3, 29),
            date(2021, 5, 6),
            date(2024, 5, 5),
        ),
        # 文号 written "杭政函〔2021〕92 号"; "本方案自公布之日起施行，有效期至2023年12月31日"
        (
            "003-16",
            "杭州市新一轮制造业“腾笼换鸟、凤凰涅槃”攻坚行动方案（2021—2023年）",
            ["杭政函〔2021〕92 号"],
            date(2021, 12, 28),
            date(2021, 12, 28),
            date(2023, 12, 31),
        ),
        # "本办法自 2019 年 11 月 25 日实施，有效期至 2023 年 12 月。" → end of that month
        (
            "003-25",
            "杭州市科技特派员工作管理办法",
            ["杭科农〔2019〕100号"],
            date(2019, 10, 23),
            date(2019, 11, 25),
            date(2023, 12, 31),
        ),
        # "第十八条 本办自 2020 年 4 月 27 日起施行" (sic: 本办)
        (
            "003-26",
            "杭州高新技术孵化成果转化园认定和管理办法",
            ["杭科高〔2020〕32号"],
            date(2020, 3, 27),
            date(2020, 4, 27),
            None,
        ),
        # "本意见自 2020 年 8 月 3 日起施行，至 2022 年 12 月 31 日止"
        (
            "003-30",
            "杭州市“雏鹰计划”企业培育工程实施意见",
            ["杭科高〔2020〕71号"],
            date(2020, 7, 3),
            date(2020, 8, 3),
            date(2022, 12, 31),
        ),
        # "本意见自发布之日起实施。" under no wrapper, dated 2016年11月2日
        (
            "003-01",
            "关于深化人才发展体制机制改革完善人才新政的若干意见",
            [],
            date(2016, 11, 2),
            date(2016, 11, 2),
            None,
        ),
        # "本政策自2022年9月6日起施行，有效期三年" → last day 2025-09-05; notice dated 2022年8月5日
        (
            "002",
            "推动创新链产业链“两链”深度融合的若干政策",
            [],
            date(2022, 8, 5),
            date(2022, 9, 6),
            date(2025, 9, 5),
        ),
        # "本文件明确的各项政策除标明具体实施期限外，均为2023年全年实施有效"
        (
            "001",
            "关于推动经济高质量发展的若干政策（征求意见稿）",
            [],
            None,
            date(2023, 1, 1),
            date(2023, 12, 31),
        ),
    ],
)
def test_document_metadata_read_from_its_text(
    corpus: Corpus,
    doc_id: str,
    title: str,
    numbers: list[str],
    issued: date | None,
    effective: date | None,
    expires: date | None,
) -> None:
    doc = corpus.document(doc_id)
    assert doc.title == title
    assert doc.doc_numbers == numbers
    assert doc.issued.value == issued
    assert doc.effective.value == effective
    assert doc.expires.value == expires


def test_a_date_the_text_leaves_open_is_none_with_its_reason(corpus: Corpus) -> None:
    # 000 is a draft: "6.本意见自发布后30日施行" and no publication date
    draft = corpus.document("000")
    assert draft.title == "关于策源新质生产力加快建设世界领先科技园区的若干政策意见（征求意见稿）"
    assert draft.effective.value is None
    assert "征求意见稿" in draft.effective.reason and "自发布后30日施行" in draft.effective.reason
    assert draft.expires.value is None and draft.expires.reason
    assert draft.in_force(date(2024, 6, 1)) is None
    # 003-13 未来工厂: "本意见自印发之日起施行，有效期至 2025 年 12 月 31 日" but no date line
    future_factory = corpus.document("003-13")
    assert future_factory.effective.value is None and "印发" in future_factory.effective.reason
    assert future_factory.expires.value == date(2025, 12, 31)
    # 003-04 产业平台: no 施行 sentence at all
    platforms = corpus.document("003-04")
    assert platforms.effective == platforms.effective.__class__(None, "文中未写明施行日期")


def test_dates_carry_the_sentence_and_span_they_were_read_from(corpus: Corpus) -> None:
    doc = corpus.document("002")
    text = corpus.source_text("002")
    s, e = doc.effective.span
    assert text[s:e] == "本政策自2022年9月6日起施行，有效期三年。"
    assert doc.expires.source == doc.effective.source
    s, e = doc.issued.span
    assert text[s:e] == "2022年8月5日"


def test_issuers_come_from_the_signature_with_their_full_names(corpus: Corpus) -> None:
    assert corpus.document("002").issuers == ["杭州高新技术产业开发区管理委员会", "杭州市滨江区人民政府"]
    # the head breaks "杭州市人力\n资源与社会保障局" over two lines; the signature writes it whole
    assert corpus.document("003-25").issuers == [
        "杭州市科学技术局",
        "中共杭州市委组织部",
        "杭州市财政局",
        "杭州市农业农村局",
        "杭州市人力资源与社会保障局",
    ]
    # letter-spaced signature "杭 州 市 财 政 局"
    assert corpus.document("003-31").issuers == [
        "杭州市科学技术局", "杭州市财政局", "杭州市统计局", "国家税务总局杭州市税务局",
    ]  # fmt: skip


def test_doc_numbers_are_kept_as_written_and_normalised_for_matching() -> None:
    assert normalize_doc_number("杭政函〔2021〕92 号") == "杭政函〔2021〕92号"
    assert normalize_doc_number("区党委[2019]25号") == "区党委〔2019〕25号"


def test_in_force_follows_the_dates_of_the_text(corpus: Corpus) -> None:
    rd_subsidy = corpus.document("003-31")  # 2020-08-09 … 2022-12-31
    assert rd_subsidy.in_force(date(2020, 8, 8)) is False
    assert rd_subsidy.in_force(date(2020, 8, 9)) is True
    assert rd_subsidy.in_force(date(2022, 12, 31)) is True
    assert rd_subsidy.in_force(date(2023, 1, 1)) is False


def test_locate_quote_matches_across_a_hard_line_break(corpus: Corpus) -> None:
    # 003 lines 39-41: "…对急需紧缺的高层次人才，经相关部" / blank line / "门审核后，事业单位可单独制定…"
    span = corpus.locate_quote("003-01/三/11", "经相关部门审核后，事业单位可单独制定收入分配倾斜政策")
    assert span is not None
    text = corpus.source_text("003-01")
    assert text[span[0] : span[1]] == "经相关部\n\n门审核后，事业单位可单独制定收入分配倾斜政策"
    assert corpus.line_of("003_4e297dd621b20189.txt", span[0]) == 39


def test_locate_quote_ignores_only_whitespace(corpus: Corpus) -> None:
    # line 266 writes "本意见自 2017 年 2 月 5 日起施行。"
    clause_id = _clause_containing(corpus, "003-03", "本意见自 2017 年 2 月 5 日起施行")
    assert corpus.locate_quote(clause_id, "本意见自2017年2月5日起施行。") is not None
    assert corpus.locate_quote(clause_id, "本意见自2017年2月5日起施行.") is None  # ASCII full stop
    assert corpus.locate_quote(clause_id, "本意见自2017年2月6日起施行") is None
    assert corpus.locate_quote(clause_id, "   ") is None


def test_unknown_id_names_the_close_matches(corpus: Corpus) -> None:
    with pytest.raises(UnknownIdError) as err:
        corpus.find("003-3l")
    assert "003-31" in err.value.suggestions
    assert "003-31" in str(err.value)
    assert corpus.find("003-31") is corpus.document("003-31")
    assert corpus.find("002/三") is corpus.clause("002/三")


def test_clauses_belong_to_their_document_span_and_carry_figures(corpus: Corpus) -> None:
    for doc in corpus.documents.values():
        assert doc.clauses, doc.id
        for clause in doc.clauses.values():
            assert doc.start <= clause.start <= clause.body_end <= clause.end <= doc.end, clause.id
    # 003-31 第八条（一）: "…新增200万元以上…" — the amount is among the figures of the clause's own text
    own = [c for c in corpus.document("003-31").clauses.values() if "200万元" in corpus.text(c, own=True)]
    assert own and any(f.value_fen == 200 * 10_000 * 100 for c in own for f in c.figures)


def test_source_text_is_the_whole_decoded_file(corpus: Corpus) -> None:
    on_disk = (policies_dir() / "003" / "003_4e297dd621b20189.txt").read_text(encoding="utf-8")
    text = corpus.source_text("003_4e297dd621b20189.txt")
    assert text == on_disk
    assert corpus.source_text("003-17") is text and corpus.source_text("003") is text


def test_load_corpus_is_cached(corpus: Corpus) -> None:
    assert load_corpus() is corpus


def _clause_containing(corpus: Corpus, doc_id: str, needle: str) -> str:
    text = corpus.source_text(doc_id)
    at = text.index(needle, corpus.document(doc_id).start)
    deepest = [c for c in corpus.document(doc_id).clauses.values() if c.start <= at < c.end]
    return max(deepest, key=lambda c: c.level).id


def test_the_table_in_docs_corpus_md_matches_the_corpus(corpus: Corpus) -> None:
    table = (policies_dir().parent / "docs" / "corpus.md").read_text(encoding="utf-8")
    rows = [r.strip("|").split("|") for r in table.splitlines() if re.match(r"\| 00\d", r)]
    assert [r[0].strip() for r in rows] == list(corpus.documents)

    def shown(d: Dated) -> str:
        return d.value.isoformat() if d.value else "—"

    for doc_id, lines, title, numbers, issued, effective, expires in (map(str.strip, r) for r in rows):
        doc = corpus.document(doc_id)
        assert lines == f"{corpus.line_of(doc.file, doc.start)}–{corpus.line_of(doc.file, doc.end)}"
        assert (title, numbers) == (doc.title, " ".join(doc.doc_numbers) or "—")
        assert (issued, effective, expires) == (shown(doc.issued), shown(doc.effective), shown(doc.expires))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_split_does_not_depend_on_the_order_of_the_documents(corpus: Corpus, seed: int) -> None:
    # Each boundary is decided by the head itself and the notice just before it, so the forty
    # documents of 003 shuffled into another order split back into exactly the same texts.
    texts = [corpus.document_text(d) for d in ids_003(corpus)]
    random.Random(seed).shuffle(texts)
    shuffled = "\n\n".join(texts)
    parts = split_documents(shuffled)
    assert [shuffled[p.start : p.end] for p in parts] == texts


def test_an_unknown_id_is_a_key_error_with_a_readable_message(corpus: Corpus) -> None:
    with pytest.raises(KeyError) as err:
        corpus.clause("002/十九")
    assert str(err.value).startswith("unknown document or clause id '002/十九'")


def test_27_documents_of_003_come_in_a_notice_wrapper_and_13_without(corpus: Corpus) -> None:
    parts = split_documents(corpus.source_text("003"))
    wrapped = [n for n, p in enumerate(parts, 1) if p.head and p.head.is_notice]
    assert len(wrapped) == 27 and len(parts) - len(wrapped) == 13
    assert all(parts[n - 1].body_head is not None for n in wrapped)  # every notice found its body
    # the documents without wrapper, read by hand: 人才新政, 在杭高校, 产业平台, 新制造业计划, 双创示范城,
    # 创新型产业用地, 科技体制机制, 未来工厂, 碳达峰碳中和, 重大服务业用地, 商事制度, 生物医药, "115"引智
    assert [n for n in range(1, 41) if n not in wrapped] == [1, 3, 4, 5, 7, 9, 11, 13, 15, 18, 20, 21, 35]


def test_cli_docs_and_show_give_the_same_facts_as_json(corpus: Corpus) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["docs", "--json", "--on", "2021-06-30"])
    assert result.exit_code == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert len(rows) == 44
    assert rows["003-31"]["in_force"] == {"on": "2021-06-30", "value": True}
    assert rows["003-31"]["doc_numbers"] == ["杭科资〔2020〕72号"]
    assert rows["000"]["effective"]["value"] is None

    # 002 三、给予认定奖励: "…分别给予50万元、30万元一次性奖励"
    result = runner.invoke(app, ["show", "002/三", "--json"])
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["text"] == corpus.text(corpus.clause("002/三"))
    assert shown["heading"] == "给予认定奖励"
    assert {"kind": "amount", "text": "50万元"}.items() <= shown["figures"][0].items()
    assert shown["figures"][0]["value_fen"] == 50 * 10_000 * 100
