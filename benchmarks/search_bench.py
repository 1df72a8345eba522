"""Search quality and speed: ``python benchmarks/search_bench.py [--runs N] [--skip-build]``.

1. Quality. A small labelled query set: for each query, quotes that identify the clauses a reader
   would want first (a hit is relevant when its own text contains one of the quotes, so the labels
   survive a change of clause ids). Prints hits@1 and hits@5 for several weightings of word and bigram
   matches and of the all-terms bonus.
2. Speed. A fixed set of queries (common words, two-character words, several words, words that are not
   in the texts, long phrases, ASCII) run ``--runs`` times each on a warm in-memory index: median and
   p99 latency per query and over all runs.
3. Index. Cold build (empty cache: jieba's dictionary cache too), build with jieba's cache present,
   warm load from the cache, one ``huiqi search`` end to end — each in a fresh process, against a
   temporary cache folder — and the size of the cached index.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from huiqi.corpus.search import Ranking, current_index

# (query, quotes from the clauses that should come first). Hand-picked from the texts.
LABELLED: list[tuple[str, list[str]]] = [
    # 003 (专精特新 action plan) 2. 强化企业梯次培育 and 002 (链主企业) pay one-off awards to 专精特新 firms.
    ("专精特新 奖励", ["对首次认定的专精特新“小巨人”企业", "省级“专精特新”中小企业分别给予200万元"]),
    # 003 杭州市科技型企业研发费用投入财政补助管理办法, its articles on the subsidy.
    (
        "研发费用 补助",
        ["研发费用投入财政补助采取事后补助方式", "获得科技型企业研发费用投入财政补助的企业须同时满足"],
    ),
    # 003 大学生创业 7. 加大经营场地房租补贴支持; 001 39. 鼓励外商直接投资 (房租补贴 50%/80%/100%).
    ("房租补贴", ["加大经营场地房租补贴支持", "100%给予房租补贴"]),
    # 003 人才新政 22. 进一步完善人才住房保障制度; 人才专项租赁住房 in two later documents.
    ("人才 住房", ["进一步完善人才住房保障制度", "人才专项租赁住房"]),
    # 003 杭州市科技创新券实施管理办法, 第三条/第四条; 002 五、开放创新平台 (区创新券载体).
    ("创新券", ["科技创新券是政府向企业", "科技创新券分为两类", "经审核的平台可纳入区创新券载体"]),
    # 003 杭州市科技企业孵化器认定和管理办法: 第五条, 第十条, awards for newly recognised incubators.
    (
        "孵化器 认定",
        [
            "市级孵化器认定和管理由",
            "孵化器认定的基本程序",
            "对新认定的市级专业化孵化器",
            "对新认定为省级孵化器的",
        ],
    ),
    # 002 首台（套）产品 award (首版次软件 50万) and 001 30. 信息服务业 (首版次软件 10万).
    ("首版次 软件", ["首版次软件），区级给予最高不超过50万元", "首版次软件给予每家10万元"]),
    # 002 四、实施揭榜挂帅 (后补助 up to 30% of R&D, 500万 per project).
    ("揭榜挂帅", ["实施揭榜挂帅", "给予最高不超过研发总投入30%"]),
    # 000 5. 支持瞪羚企业和专精特新企业发展.
    ("瞪羚企业", ["支持瞪羚企业和专精特新企业发展"]),
    # 003 雏鹰计划: 2. 贷款贴息 (LPR 50%, 2000万 cap).
    ("贷款贴息", ["按照不超过当年 1 月份贷款市场报价利率（LPR）的 50% 给予贴息补助"]),
    # 003 杭州市天使投资引导基金管理办法 (一).
    ("天使投资引导基金", ["杭州市天使投资引导基金（以下简称“市引导基金”）是由杭州市政府设立"]),
    # 001 17. 优化创业孵化体系建设: 新认定（备案）的科技企业孵化器（众创空间）最高100万元.
    ("孵化器 众创空间 奖励", ["对新认定（备案）的科技企业孵化器（众创空间），给予最高100万元奖励"]),
    # 003-39 杭州市新型研发机构管理办法 一、: what a 新型研发机构 is.
    ("新型研发机构", ["本办法所称的新型研发机构是指"]),
    # 002 三、给予认定奖励: 产业联盟 up to 30万 开办经费.
    ("产业联盟 开办经费", ["对新认定的产业联盟给予最高不超过30万元一次性开办经费奖励"]),
    # 000 二/（一）/2. 加强知识产权高质量发展 (6000万 a year).
    ("知识产权", ["加强知识产权高质量发展"]),
    # The non-duplication rule: 000 and 002 附则, 003-31 第十五条.
    (
        "从优 从高 不重复",
        ["按“从优、从高、不重复”原则进行资助（奖励）", "补助资金按照“从优、从高、不重复”的原则"],
    ),
    # 002 五、开放创新平台: 20% of the fee for 杭州人工智能计算中心, at most 100万.
    ("人工智能 计算中心 补贴", ["杭州人工智能计算中心等公共平台服务，按照实际使用费的20%给予补贴"]),
    # 000 二/（二）/10. 鼓励海内外高层次人才创新创业.
    ("高层次人才 创新创业", ["鼓励海内外高层次人才创新创业"]),
    # 003-24 杭州市科技型中小企业融资周转资金管理办法 第一条.
    ("融资周转资金", ["专项用于支持杭州市科技型中小企业贷款到期续贷时短期周转使用"]),
]

VARIANTS: list[tuple[str, Ranking]] = [
    ("words only", Ranking(word=1.0, bigram=0.0)),
    ("bigrams only", Ranking(word=0.0, bigram=1.0)),
    ("word 1 + bigram 0.5 (default)", Ranking()),
    ("word 1 + bigram 1", Ranking(word=1.0, bigram=1.0)),
    ("word 0.5 + bigram 1", Ranking(word=0.5, bigram=1.0)),
    ("default, no heading bonus", Ranking(heading_bonus=0.0)),
    ("default, heading bonus 1.0", Ranking(heading_bonus=1.0)),
    ("default, no all-terms bonus", Ranking(all_terms_bonus=0.0)),
    ("default, all-terms bonus 1.0", Ranking(all_terms_bonus=1.0)),
    ("default, b = 0.5", Ranking(b=0.5)),
    ("default, b = 0.9", Ranking(b=0.9)),
    ("default, k1 = 2.0", Ranking(k1=2.0)),
]

# Latency query set: (kind, query).
TIMED: list[tuple[str, str]] = [
    *[("common", q) for q in ["企业", "补贴", "奖励", "资金", "科技", "人才", "政策", "创新"]],
    *[("two-char", q) for q in ["研发", "房租", "孵化", "住房", "贴息", "创投", "专利", "上市"]],
    *[
        ("multi-word", q)
        for q in [
            "元宇宙 补贴",
            "专精特新 奖励",
            "研发费用 补助",
            "人才 住房",
            "孵化器 认定",
            "首版次 软件",
            "高新技术企业 认定 奖励",
            "人工智能 产业 基金 补助",
        ]
    ],
    *[("absent", q) for q in ["区块链金融", "量子计算机补贴", "加密货币", "碳交易所"]],
    *[
        ("long phrase", q)
        for q in [
            "对新认定的省、市级企业创新联合体",
            "从优、从高、不重复",
            "给予最高不超过研发总投入30%",
            "杭州市科技企业孵化器认定和管理办法",
        ]
    ],
    *[("ascii", q) for q in ["5G", "LPR", "G20"]],
]


def _relevant(text: str, quotes: list[str]) -> bool:
    return any(q in text for q in quotes)


def quality(runs_print: bool = True) -> None:
    index = current_index()
    text_of = {p.clause_id: p.text for p in index.passages}
    # Every quote must identify a clause, or the label is wrong (a typo, or the text changed).
    for query, quotes in LABELLED:
        for q in quotes:
            if not any(q in t for t in text_of.values()):
                raise SystemExit(f"label for {query!r}: quote {q!r} is in no clause")
    n = len(LABELLED)
    print(
        f"== quality over {n} labelled queries: hits@1, hits@5, MRR@10 (mean of 1/rank of the first relevant)"
    )
    for name, ranking in VARIANTS:
        at1 = at5 = 0
        rr = 0.0
        misses = []
        for query, quotes in LABELLED:
            hits = index.query(query, limit=10, ranking=ranking).hits
            rel = [_relevant(text_of[h.clause_id], quotes) for h in hits]
            first = rel.index(True) + 1 if any(rel) else None
            at1 += first == 1
            at5 += first is not None and first <= 5
            rr += 1 / first if first else 0.0
            if first != 1:
                misses.append(f"{query}({first or '>10'})")
        print(
            f"{name:32s} @1 {at1:2d}/{n} = {at1 / n:.2f}  @5 {at5:2d}/{n} = {at5 / n:.2f}  MRR {rr / n:.3f}",
            end="",
        )
        print(f"   not first (rank): {', '.join(misses) or '-'}")
    print("\n== default weights: top 3 per labelled query (* = relevant)")
    for query, quotes in LABELLED:
        hits = index.query(query, limit=3).hits
        shown = " | ".join(
            ("*" if _relevant(text_of[h.clause_id], quotes) else " ") + h.clause_id for h in hits
        )
        print(f"{query:20s} {shown}")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def latency(runs: int) -> None:
    """Wall-clock and CPU time per query. On a shared machine the wall clock includes waiting for a
    core; the process CPU time is what the query itself costs."""
    index = current_index()
    print(f"\n== latency: {len(TIMED)} queries × {runs} runs, warm in-memory index, limit 10 (ms)")
    print(
        f"{'kind':12s} {'query':34s} {'hits':>5s} {'median':>7s} {'p99':>7s} {'cpu med':>7s} {'cpu p99':>7s}"
    )
    wall_all: list[float] = []
    cpu_all: list[float] = []
    for kind, q in TIMED:
        res = index.query(q)
        wall, cpu = [], []
        for _ in range(runs):
            w0, c0 = time.perf_counter(), time.process_time()
            index.query(q)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        wall_all += wall
        cpu_all += cpu
        print(
            f"{kind:12s} {q:34s} {res.total:5d} {statistics.median(wall):7.3f} {_pct(wall, 99):7.3f}"
            f" {statistics.median(cpu):7.3f} {_pct(cpu, 99):7.3f}"
        )
    print(
        f"{'all':12s} {'':34s} {'':5s} {statistics.median(wall_all):7.3f} {_pct(wall_all, 99):7.3f}"
        f" {statistics.median(cpu_all):7.3f} {_pct(cpu_all, 99):7.3f}"
    )


# Times load_index() alone (imports excluded): a build when the cache is empty, else a read.
_BUILD = (
    "from huiqi.corpus.search import load_index; import time; t=time.perf_counter(); i=load_index(); "
    "print(time.perf_counter()-t, len(i.passages), len(i.words.packed), len(i.bigrams.packed))"
)


def _run(code: list[str], env: dict) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(code, env=env, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - t0, out


def index_costs() -> None:
    print("\n== index: each step in a fresh process, temporary cache folder (s)")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "HUIQI_CACHE": cache}
        py = [sys.executable, "-c", _BUILD]
        _, out = _run(py, env)
        cold, n_pass, n_words, n_bigrams = out.split()
        for f in Path(cache).glob("search-index-*.pickle"):
            f.unlink()
        _, out = _run(py, env)
        jieba_warm = out.split()[0]
        _, out = _run(py, env)
        warm = out.split()[0]
        huiqi = Path(sys.executable).with_name("huiqi")
        cli, _ = _run([str(huiqi), "search", "专精特新 奖励", "--json"], env)
        size = sum(f.stat().st_size for f in Path(cache).glob("search-index-*.pickle"))
        print(f"cold build (no caches at all)           {float(cold):7.3f}")
        print(f"build with jieba's dictionary cached    {float(jieba_warm):7.3f}")
        print(f"warm load of the cached index           {float(warm):7.3f}  (imports excluded)")
        print(f"`huiqi search` end to end, warm cache   {cli:7.3f}  (process start and imports included)")
        print(
            f"index: {n_pass} clauses, {n_words} distinct words, {n_bigrams} distinct bigrams, "
            f"{size / 1e6:.2f} MB on disk"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per timed query")
    parser.add_argument("--skip-build", action="store_true", help="skip the index build timings")
    args = parser.parse_args()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    quality()
    latency(args.runs)
    if not args.skip_build:
        index_costs()


if __name__ == "__main__":
    main()
