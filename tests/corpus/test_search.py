"""Full-text search over the clauses: what a reader asking for a policy should get first.

Every expected clause below was read in the policy files by hand; the comment beside it says why it
is the right answer.
"""

from __future__ import annotations

import json
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from typer.testing import CliRunner

from huiqi.corpus import search as search_mod
from huiqi.corpus.search import QueryError, SearchIndex, load_index, split_query
from huiqi.corpus.tokenize import bigrams, fold, normalize
from huiqi.paths import policies_dir


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory):
    """A private cache folder for this module, so that tests never touch the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("search-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HUIQI_CACHE", str(folder))
        mp.delenv("HUIQI_POLICIES", raising=False)
        yield folder


@pytest.fixture(scope="module")
def index(cache: Path) -> SearchIndex:
    return load_index()


def source(file: str) -> str:
    (path,) = policies_dir().glob(f"*/{file}")
    return path.read_text(encoding="utf-8")


def top_ids(index: SearchIndex, query: str, n: int = 1, doc: str | None = None) -> list[str]:
    return [h.clause_id for h in index.query(query, limit=n, doc=doc).hits]


# --- the right clause first -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # 002 四、实施揭榜挂帅: the measure is named in its heading; 后补助 up to 30% of R&D, 500万.
        ("揭榜挂帅", "002/四"),
        # 003-22 专精特新 action plan 2. 强化企业梯次培育: 小巨人 ≤100万, provincial 专精特新 ≤20万 awards.
        ("专精特新 奖励", "003-22/二/（一）/2"),
        # 003-31 研发费用投入财政补助资金管理办法 第三条: the subsidy is paid after the fact (事后补助).
        ("研发费用 补助", "003-31/第三条"),
        # 003-33 孵化器认定和管理办法 第十条, headed 孵化器认定的基本程序.
        ("孵化器 认定", "003-33/第十条"),
        # 002 三、给予认定奖励: 产业联盟 gets at most 30万 开办经费.
        ("产业联盟 开办经费", "002/三"),
        # 003-12 大学生创业 7. 加大经营场地房租补贴支持: 3 years, at most 10万.
        ("房租补贴", "003-12/二/（二）/7"),
        # 000 5. 支持瞪羚企业和专精特新企业发展 (2.5亿 a year).
        ("瞪羚企业", "000/二/（二）/5"),
        # 003-24 融资周转资金管理办法 第一条 says what the fund is for.
        ("融资周转资金", "003-24/第一条"),
    ],
)
def test_the_clause_that_answers_comes_first(index: SearchIndex, query: str, expected: str) -> None:
    assert top_ids(index, query) == [expected]


def test_non_duplication_rule_finds_all_three_statements(index: SearchIndex) -> None:
    # 从优、从高、不重复 is stated in 000's and 002's 附则 and in 003-31 第十五条, nowhere else as a rule.
    assert set(top_ids(index, "从优 从高 不重复", n=3)) == {"000/三/4", "002/十六", "003-31/第十五条"}


def test_first_of_a_kind_software_both_awards_in_top_three(index: SearchIndex) -> None:
    # 首版次软件: 001 30. gives 10万 each; 002 十、 up to 50万 (首台（套）产品). 003-19's 首版次 is insurance.
    top = top_ids(index, "首版次 软件", n=3)
    assert top[0] == "001/四/30"
    assert "002/十" in top


# --- two-character words always match ----------------------------------------------------------


@pytest.mark.parametrize("word", ["研发", "人才", "房租", "补贴", "孵化"])
def test_two_character_word_finds_every_clause_containing_it(index: SearchIndex, word: str) -> None:
    # jieba glues 研发 into 研发费用 and 研发中心; the bigram index and the substring rule still find it.
    # Independent count: scan every clause's own text with whitespace removed.
    expected = sum(1 for p in index.passages if word in "".join(p.text.split()))
    assert expected > 0
    assert index.query(word).total == expected


def test_rent_finds_the_student_rent_subsidy(index: SearchIndex) -> None:
    assert "003-12/二/（二）/7" in top_ids(index, "房租", n=5)


def test_match_across_a_line_break_or_space_of_the_source(index: SearchIndex) -> None:
    # 003 line 2946 reads 《杭州市科技企业孵化器认定和 管理办法》 with a stray space from the conversion.
    res = index.query("杭州市科技企业孵化器认定和管理办法", limit=20)
    text = source("003_4e297dd621b20189.txt")
    shown = {text[a:b] for h in res.hits for a, b in h.highlights}
    assert "杭州市科技企业孵化器认定和 管理办法" in shown


# --- words that are not in the texts return nothing -------------------------------------------


@pytest.mark.parametrize("query", ["区块链金融", "量子计算机补贴", "加密货币", "碳交易所 补贴"])
def test_absent_word_returns_nothing(index: SearchIndex, query: str) -> None:
    corpus_text = "".join("".join(source(p.name).split()) for p in policies_dir().glob("*/*.txt"))
    absent = query.split()[0]
    assert absent not in corpus_text  # the premise: not a word of the policies
    # Yet its bigrams / pieces are there (区块链, 金融, 补贴…): no near-miss may come back.
    assert any(b in corpus_text for b in bigrams(absent))
    res = index.query(query)
    assert res.hits == []
    assert res.missing == [absent]


def test_module_search_function_returns_hits_and_nothing_for_absent(cache: Path) -> None:
    hits = search_mod.search("揭榜挂帅", limit=3)
    assert hits[0].clause_id == "002/四"
    assert search_mod.search("量子计算机补贴") == []


def test_pieces_of_an_absent_phrase_can_be_asked_for_separately(index: SearchIndex) -> None:
    # 区块链 and 金融 are both in the texts; as two terms they match (every clause with either).
    res = index.query("区块链 金融")
    assert res.hits and not res.missing
    assert all({"区块链", "金融"} & set(h.terms) for h in res.hits)


def test_clause_matching_every_term_ranks_above_partial_matches(index: SearchIndex) -> None:
    res = index.query("孵化器 众创空间 奖励", limit=1)
    # 001 17. 对新认定（备案）的科技企业孵化器（众创空间），给予最高100万元奖励 has all three.
    assert res.hits[0].clause_id == "001/二/17"
    assert res.hits[0].terms == ("孵化器", "众创空间", "奖励")


# --- highlights point at the verbatim text ----------------------------------------------------


@pytest.mark.parametrize("query", ["专精特新 奖励", "研发费用 补助", "LPR", "人工智能 计算中心 补贴", "5G"])
def test_snippet_and_highlights_are_exact_offsets_into_the_source(index: SearchIndex, query: str) -> None:
    res = index.query(query, limit=10)
    assert res.hits
    for hit in res.hits:
        text = source(hit.file)
        a, b = hit.span
        assert text[a:b] == hit.snippet
        assert hit.clause_span[0] <= a <= b <= hit.clause_span[1]
        assert hit.highlights
        for h0, h1 in hit.highlights:
            assert a <= h0 < h1 <= b
            # The source at those offsets, folded (width, case, whitespace), is one of the terms
            # (these queries' terms never overlap one another, so no highlight joins two).
            assert fold(text[h0:h1])[0] in hit.terms


def test_highlight_of_ascii_keeps_the_source_case(index: SearchIndex) -> None:
    hit = index.query("lpr").hits[0]
    text = source(hit.file)
    assert {text[a:b] for a, b in hit.highlights} == {"LPR"}


def test_rich_snippet_marks_exactly_the_highlights(index: SearchIndex) -> None:
    hit = index.query("揭榜挂帅").hits[0]
    assert hit.rich_snippet(style="H").count("[H]揭榜挂帅[/]") == 2  # heading and body of 002 四、


# --- tokens ---------------------------------------------------------------------------------


def test_fold_drops_spaces_and_bookmarks_and_keeps_offsets() -> None:
    # 004 carries conversion residue like "[bookmark: 突出显示]（三）推动…"; 003 has "给予 50 万元".
    text = "[bookmark: 突出显示]（三）给予 50\n万元ＬＰＲ"
    folded, offsets = fold(text)
    assert folded == "(三)给予50万元lpr"
    assert all(normalize(text[o]) == ch for ch, o in zip(folded, offsets, strict=True))
    assert text[offsets[0]] == "（"


def test_bigrams_stay_inside_cjk_runs() -> None:
    assert bigrams("研发费用") == ["研发", "发费", "费用"]
    assert bigrams("给予50万元") == ["给予", "万元"]  # digits split the run
    assert bigrams("补") == []


def test_query_words_come_from_the_index_vocabulary(index: SearchIndex) -> None:
    from huiqi.corpus.tokenize import words_in

    # 孵化器 and the words jieba's search mode finds inside it; 恐龙 (dinosaur) is nowhere in the texts.
    assert {"孵化", "孵化器"} <= set(words_in("孵化器", index.words, index.longest_word))
    assert "恐龙" not in words_in("恐龙孵化器", index.words, index.longest_word)


# --- queries and scope ------------------------------------------------------------------------


def test_query_is_split_at_spaces_and_list_punctuation() -> None:
    assert split_query("专精特新，奖励") == ["专精特新", "奖励"]
    assert split_query("人才、住房；人才") == ["人才", "住房"]
    assert split_query("ＬＰＲ　贴息") == ["lpr", "贴息"]  # full-width letters and space
    assert normalize("ＡＢ") == "ab"


@pytest.mark.parametrize("query", ["", "   ", "，、"])
def test_empty_query_is_an_error(index: SearchIndex, query: str) -> None:
    with pytest.raises(QueryError, match="empty query"):
        index.query(query)


def test_doc_filter(index: SearchIndex) -> None:
    # 创新券 in 002: 五、开放创新平台 (区创新券载体, 30% of the contract, at most 50万 a year).
    assert top_ids(index, "创新券", n=10, doc="002") == ["002/五"]
    in_003 = index.query("创新券", limit=100, doc="003").hits
    assert in_003 and all(h.doc_id.startswith("003-") for h in in_003)
    # 揭榜挂帅 is not in 001: within that document the query finds nothing.
    assert index.query("揭榜挂帅", doc="001").missing == ["揭榜挂帅"]
    with pytest.raises(QueryError, match="no document '009'"):
        index.query("创新券", doc="009")


def test_limit(index: SearchIndex) -> None:
    res = index.query("企业", limit=3)
    assert len(res.hits) == 3 and res.total > 100
    with pytest.raises(QueryError):
        index.query("企业", limit=0)


def test_each_clause_is_indexed_by_its_own_text_only(index: SearchIndex) -> None:
    # Own text = heading and body up to the first child: the indexed spans of one file never overlap,
    # so a sentence is found once, in the clause that says it.
    assert index.passages[[p.clause_id for p in index.passages].index("002/四")].text.startswith(
        "四、实施揭榜挂帅"
    )
    by_file: dict[str, list[tuple[int, int]]] = {}
    for p in index.passages:
        by_file.setdefault(p.file, []).append((p.start, p.end))
    for spans in by_file.values():
        spans.sort()
        assert all(b <= c for (_, b), (c, _) in pairwise(spans))


# --- the cache on disk ------------------------------------------------------------------------


def test_cache_is_reused_and_rebuilt_when_a_text_changes(tmp_path: Path, monkeypatch) -> None:
    # Two small documents keep the builds quick.
    policies = tmp_path / "policies"
    for doc in ("000", "002"):
        shutil.copytree(policies_dir() / doc, policies / doc)
    monkeypatch.setenv("HUIQI_POLICIES", str(policies))
    monkeypatch.setenv("HUIQI_CACHE", str(tmp_path / "cache"))

    first = load_index()
    (stored,) = (tmp_path / "cache").glob("search-index-*.pickle")
    assert first.query("揭榜挂帅").hits[0].clause_id == "002/四"
    assert first.query("量子计算机补贴").hits == []

    # Unchanged texts: the index is read back, not built again.
    monkeypatch.setattr(search_mod, "build_index", lambda: pytest.fail("rebuilt an up-to-date index"))
    assert len(load_index().passages) == len(first.passages)
    monkeypatch.undo()
    monkeypatch.setenv("HUIQI_POLICIES", str(policies))
    monkeypatch.setenv("HUIQI_CACHE", str(tmp_path / "cache"))

    # Change the text of 002 四: the new words are found, the old index file is gone.
    (path,) = (policies / "002").glob("*.txt")
    path.chmod(0o644)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("推行“军令状”", "试行量子计算机补贴。推行“军令状”"), encoding="utf-8")
    second = load_index()
    assert second.query("量子计算机补贴").hits[0].clause_id == "002/四"
    assert not stored.exists()
    assert len(list((tmp_path / "cache").glob("search-index-*.pickle"))) == 1


def test_cache_is_rebuilt_when_the_index_format_changes(tmp_path: Path, monkeypatch) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(policies_dir() / "002", policies / "002")
    monkeypatch.setenv("HUIQI_POLICIES", str(policies))
    monkeypatch.setenv("HUIQI_CACHE", str(tmp_path / "cache"))
    key = search_mod.index_key()
    load_index()
    monkeypatch.setattr(search_mod, "INDEX_FORMAT", search_mod.INDEX_FORMAT + 1)
    assert search_mod.index_key() != key
    built = []
    real_build = search_mod.build_index
    monkeypatch.setattr(search_mod, "build_index", lambda: built.append(1) or real_build())
    load_index()
    assert built == [1]


# --- the command ------------------------------------------------------------------------------


def _cli(*args: str):
    from huiqi.cli import app

    return CliRunner().invoke(app, ["search", *args])


def test_cli_json(cache: Path) -> None:
    result = _cli("揭榜挂帅", "--json", "--limit", "2")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["hits"][0]["clause_id"] == "002/四"
    assert payload["total"] >= 2 and len(payload["hits"]) == 2
    text = source(payload["hits"][0]["file"])
    for a, b in payload["hits"][0]["highlights"]:
        assert text[a:b] == "揭榜挂帅"


def test_cli_table_and_absent_word(cache: Path) -> None:
    result = _cli("专精特新 奖励", "-n", "3")
    assert result.exit_code == 0
    assert "003-22/二/（一）/2" in result.stdout
    result = _cli("量子计算机补贴")
    assert result.exit_code == 0
    assert "does not occur" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"), [(("  ",), "empty query"), (("创新券", "--doc", "9"), "no document")]
)
def test_cli_bad_input_exits_2_with_a_message(cache: Path, args: tuple[str, ...], message: str) -> None:
    result = _cli(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_without_policy_texts_says_where_it_looked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HUIQI_POLICIES", str(tmp_path))
    monkeypatch.setenv("HUIQI_CACHE", str(tmp_path / "cache"))
    result = _cli("补贴")
    assert result.exit_code == 2
    assert "no policy texts" in result.output and "HUIQI_POLICIES" in result.output


def test_a_term_without_spaces_is_read_as_its_corpus_words():
    # 研发费用补助 is written nowhere as such; 研发费用 and 补助 are, and the R&D-subsidy measure of
    # 杭州市科技型企业研发费用投入财政补助资金管理办法 (003-31) holds both.
    results = search_mod.current_index().query("研发费用补助", limit=50)
    assert results.split == {"研发费用补助": ["研发费用", "补助"]}
    assert results.missing == []
    assert results.hits, "the split term must find the clauses that hold both words"
    for hit in results.hits:
        assert "研发费用" in hit.snippet.replace("\n", "") or "研发费用" in hit.terms
        assert set(hit.terms) <= {"研发费用", "补助"}
    assert any(h.doc_id == "003-31" for h in results.hits)


def test_a_split_never_lets_an_absent_word_through():
    # 量子, 计算机 and 补贴 each occur in the texts, but no clause holds all three: nothing matches.
    results = search_mod.current_index().query("量子计算机补贴")
    assert results.hits == [] and results.missing == ["量子计算机补贴"] and results.split == {}
