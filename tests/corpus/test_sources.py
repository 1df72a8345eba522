"""Bad input: document files given by a user (GBK text, .docx, broken numbering, unreadable bytes).

Each file is written into tmp_path by the test. Either the result is right (with a warning that
names the file and line) or there is one clear message naming the file — never a traceback.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from huiqi.cli import app
from huiqi.corpus.load import load_file
from huiqi.corpus.sources import SourceError, read_source

# A small policy in the shape of 003's city documents (notice wrapper, 文号, date, body with 第X条).
POLICY = """杭州市科学技术局 杭州市财政局

关于印发《杭州市测试企业研发 补助管理办法》的通知

杭科资〔2024〕9 号

各区、县（市）科技局、财政局：
现将《杭州市测试企业研发补助管理办法》印发给你们，请遵照执行。

杭州市科学技术局
杭 州 市 财 政 局
2024年3月1日

杭州市测试企业研发补助管理办法

第一条 为支持企业研发，制定本办法。
第二条 对研发投入增长的企业，给予最高不超过50万元的补助。
第三条 本办法自2024年4月1日起施行，有效期三年。
"""

runner = CliRunner()


def _check_policy_document(path: Path) -> None:
    [doc] = load_file(path, doc_id="T")
    assert doc.title == "杭州市测试企业研发补助管理办法"
    assert doc.doc_numbers == ["杭科资〔2024〕9 号"]
    assert doc.issuers == ["杭州市科学技术局", "杭州市财政局"]
    assert doc.issued.value == date(2024, 3, 1)
    assert doc.effective.value == date(2024, 4, 1)
    assert doc.expires.value == date(2027, 3, 31)  # 有效期三年 from 2024-04-01, last day inclusive
    assert [c.split("/", 1)[1] for c in doc.top][-3:] == ["第一条", "第二条", "第三条"]


def test_a_gbk_encoded_text_is_detected_and_read(tmp_path: Path) -> None:
    path = tmp_path / "研发补助_gbk.txt"
    path.write_bytes(POLICY.encode("gbk"))
    assert read_source(path) == POLICY
    _check_policy_document(path)


@pytest.mark.parametrize("line", ["试验费用减免）。（牵", "、县(市)科技局分别", "0 万元、200 万"])
def test_a_short_gbk_line_is_not_mistaken_for_utf16(tmp_path: Path, line: str) -> None:
    # On ten characters a detector may call GBK bytes UTF-16 or Big5; without a BOM only the
    # Chinese encodings are tried, GB18030 first (these lines are from 003).
    path = tmp_path / "short.txt"
    path.write_bytes(line.encode("gbk"))
    assert read_source(path) == line


def test_big5_and_utf16_with_bom_are_read(tmp_path: Path) -> None:
    traditional = "關於測試的通知\n第一條 給予10萬元。本辦法自發布之日起施行，有效期三年。\n"
    (tmp_path / "big5.txt").write_bytes(traditional.encode("big5"))
    (tmp_path / "utf16.txt").write_bytes(POLICY.encode("utf-16"))
    assert read_source(tmp_path / "big5.txt") == traditional
    assert read_source(tmp_path / "utf16.txt") == POLICY


def test_a_gb18030_text_with_windows_line_ends_is_read(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(POLICY.replace("\n", "\r\n").encode("gb18030"))
    assert read_source(path) == POLICY


def test_utf8_with_and_without_bom_read_the_same(tmp_path: Path) -> None:
    plain, bom = tmp_path / "plain.txt", tmp_path / "bom.txt"
    plain.write_bytes(POLICY.encode("utf-8"))
    bom.write_bytes(b"\xef\xbb\xbf" + POLICY.encode("utf-8"))
    assert read_source(plain) == read_source(bom) == POLICY


def test_a_docx_is_read_paragraph_by_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "研发补助.docx"
    document = docx.Document()
    for paragraph in POLICY.split("\n"):
        document.add_paragraph(paragraph)
    document.save(str(path))
    assert read_source(path).rstrip("\n") == POLICY.rstrip("\n")
    _check_policy_document(path)


def test_undecodable_bytes_are_refused_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    # two good UTF-8 lines, then bytes that are neither UTF-8 nor GB18030 (0xFF never starts a GB char)
    path.write_bytes("关于测试的通知\n第二行\n".encode() + b"\xff\xfe\xff\xff\n")
    with pytest.raises(SourceError) as err:
        read_source(path)
    assert err.value.line == 3
    assert str(path) in str(err.value) and "line 3" in str(err.value) and "UTF-8" in str(err.value)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("empty.txt", b"  \n\n", "empty"),
        ("binary.txt", b"\x00\x01\x02abc\x00", "binary"),
        ("fake.docx", b"this is not a zip archive", ".docx"),
        ("old.doc", b"\xd0\xcf\x11\xe0", ".docx"),
    ],
)
def test_unreadable_files_get_one_clear_message(tmp_path: Path, name: str, content: bytes, says: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError) as err:
        read_source(path)
    assert str(path) in str(err.value) and says in str(err.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="file not found"):
        read_source(tmp_path / "nowhere.txt")


def test_a_numbering_gap_is_a_warning_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "gap.txt"
    # 一、 then 三、: the second heading sits on line 5
    path.write_text(
        "关于支持测试企业发展的若干意见\n\n一、总体要求\n对新认定的企业给予10万元奖励。\n三、附则\n"
        "本意见自2024年1月1日起施行，有效期至2026年12月31日。\n",
        encoding="gbk",
    )
    [doc] = load_file(path)
    assert doc.effective.value == date(2024, 1, 1) and doc.expires.value == date(2026, 12, 31)
    assert any("line 5" in note for note in doc.notes), doc.notes

    result = runner.invoke(app, ["docs", "--add", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}" in result.stderr and "line 5" in result.stderr
    assert "gap" in result.stdout  # the added document is listed under its file-name id


def test_cli_refuses_an_unreadable_file_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(b"\xff\xff\xff\xff")
    result = runner.invoke(app, ["show", "--file", str(path)])
    assert result.exit_code == 2
    assert str(path) in result.stderr and "line 1" in result.stderr
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_cli_show_file_shows_its_document(tmp_path: Path) -> None:
    path = tmp_path / "policy.txt"
    path.write_bytes(POLICY.encode("gbk"))
    result = runner.invoke(app, ["show", "--file", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    assert '"title": "杭州市测试企业研发补助管理办法"' in result.stdout
    assert '"expires"' in result.stdout and "2027-03-31" in result.stdout


def test_cli_unknown_id_exits_2_with_close_matches() -> None:
    result = runner.invoke(app, ["show", "003-3l"])
    assert result.exit_code == 2
    assert "003-31" in result.stderr and "Traceback" not in result.stderr


def test_a_file_without_any_title_is_one_untitled_document_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "untitled.txt"
    path.write_text("一、对新认定的企业给予10万元奖励。\n二、本条自2024年1月1日起施行。\n", encoding="utf-8")
    [doc] = load_file(path)
    assert doc.id == "untitled" and doc.title == ""
    assert any("no title" in note for note in doc.notes)
    assert doc.effective.value == date(2024, 1, 1)


def test_a_file_holding_two_documents_is_split_like_003(tmp_path: Path) -> None:
    second = (
        "杭州市测试局\n\n关于支持测试平台建设的实施意见\n\n一、对新建平台给予补助。\n"
        "二、本意见自发布后30日施行，有效期至2026年6月。\n\n杭州市测试局\n二〇二四年五月八日\n"
    )
    path = tmp_path / "合集_2docs.txt"
    path.write_text(POLICY + "\n" + second, encoding="utf-8")
    first, other = load_file(path)
    assert (first.id, other.id) == ("合集-01", "合集-02")
    assert first.title == "杭州市测试企业研发补助管理办法"
    assert other.title == "关于支持测试平台建设的实施意见"
    assert other.issuers == ["杭州市测试局"]
    assert other.issued.value == date(2024, 5, 8)  # the date line is written in Chinese numerals
    assert other.effective.value == date(2024, 6, 7)  # 30 days after 2024-05-08
    assert other.expires.value == date(2026, 6, 30)  # "有效期至2026年6月": the end of that month
    text = read_source(path)
    assert text[other.start :].startswith("杭州市测试局\n\n关于支持测试平台建设的实施意见")
    assert text[first.start : first.end].rstrip().endswith("有效期三年。")


def test_a_notice_without_its_body_says_so(tmp_path: Path) -> None:
    path = tmp_path / "notice_only.txt"
    path.write_text(POLICY.split("杭州市测试企业研发补助管理办法\n\n第一条")[0], encoding="utf-8")
    [doc] = load_file(path)
    assert doc.title == "杭州市测试企业研发补助管理办法"  # the name the notice announces
    assert any("no body with that title" in note for note in doc.notes)
