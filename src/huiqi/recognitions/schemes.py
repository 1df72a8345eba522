"""The recognition schemes (认定体系) the documents run, each as its texts describe it.

A scheme names its tiers from low to high (an upgrade climbs them), the event each tier becomes in a
profile (the event types and attributes the rule files already read: ``platform_recognized``,
``enterprise_title``, ``digital_factory_rated``, ``listing_tutoring_filed``, ``listed_on_exchange``),
the term a text gives it, and its yearly evaluation: the results the text names and what a failing
result does. Every effect cites its clause; where the texts name no evaluation or no term, the
scheme says so (``None``) and nothing is invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from huiqi.rules.facts import EntityKind


@dataclass(frozen=True, slots=True)
class Citation:
    clause: str
    quote: str

    def __str__(self) -> str:
        return f"{self.clause}: {self.quote}"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A scheme's yearly evaluation (年度考核 / 年度评价 / 年度备案)."""

    results: tuple[str, ...]
    source: Citation  # where the text names the evaluation (and its results, when it lists them)
    fact: str  # the yearly fact the result becomes (a name of huiqi.rules.facts)
    # The result that fails, and what failing does (to the tiers in ``failing_tiers`` only: 003-33
    # and 003-38 speak of 市级 carriers).
    failing: str | None = None
    failing_tiers: tuple[str, ...] = ()
    suspend: Citation | None = None  # one failing year: 取消当年享受扶持政策的资格
    revoke_after: int | None = None  # so many failing years in a row: 摘牌 / 取消资格
    revoke: Citation | None = None


@dataclass(frozen=True, slots=True)
class Scheme:
    name: str
    label: str
    entities: tuple[EntityKind, ...]
    tiers: tuple[str, ...]  # low → high
    # tier → (event type, fixed attributes); a tier without an event (股改, 申报受理) is in no rule
    events: dict[str, tuple[str, dict[str, Any]]]
    # attributes of the event the file must give (not fixed by the scheme), per tier
    given: dict[str, tuple[str, ...]] = field(default_factory=dict)
    subject_is_ref: bool = False  # the event's ``subject`` is the recognition's ref (不重复 / 补差 key)
    term_years: int | None = None  # the term a text gives (default valid_until); None: no term stated
    term: Citation | None = None
    evaluation: Evaluation | None = None  # None: the texts name no yearly evaluation
    upgrade: Citation | None = None  # the text that speaks of moving up a tier
    # items whose ceiling is the tier's figure and whose text pays only the difference on upgrade
    difference_items: tuple[str, ...] = ()
    note: str = ""

    def rank(self, tier: str) -> int:
        return self.tiers.index(tier)


_LEVELS = ("市", "省", "国家")
_CARRIER = (EntityKind.CARRIER,)
_ENTERPRISE = (EntityKind.ENTERPRISE,)
_RATINGS = ("优秀", "良好", "合格", "不合格")


def _platform(kind: str) -> dict[str, tuple[str, dict[str, Any]]]:
    return {t: ("platform_recognized", {"platform_type": kind, "level": t}) for t in _LEVELS}


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme(
            "孵化器",
            "科技企业孵化器（市级、省级、国家级）",
            _CARRIER,
            _LEVELS,
            _platform("科技企业孵化器"),
            subject_is_ref=True,
            evaluation=Evaluation(
                _RATINGS,
                Citation("003-33/第十一条/（四）", "委托第三方机构对市级以上孵化器开展年度评价"),
                "incubator_annual_rating",
                failing="不合格",
                failing_tiers=("市",),
                suspend=Citation(
                    "003-33/第十一条/（四）",
                    "对当年评价不合格的市级孵化器予以通报并要求限期整改，取消当年享受扶持政策的资格。",
                ),
                revoke_after=2,
                revoke=Citation(
                    "003-33/第十一条/（四）", "对连续2年评价不合格的予以摘牌，取消市级孵化器资格"
                ),
            ),
            upgrade=Citation("003-33/第十二条", "从省级孵化器升级为国家级孵化器的"),
            note="003-33 states no term; 2年内不得申报 after 摘牌 bars applying only, not payments.",
        ),
        Scheme(
            "众创空间",
            "众创空间（市级备案、省级、国家级）",
            _CARRIER,
            _LEVELS,
            _platform("众创空间"),
            subject_is_ref=True,
            evaluation=Evaluation(
                _RATINGS,
                Citation("003-38/三/（二）/2", "考核结果分为优秀、良好、合格和不合格四个等级"),
                "incubator_annual_rating",
                failing="不合格",
                failing_tiers=("市",),
                suspend=Citation("003-38/三/（三）", "绩效考核合格及以上等次的众创空间按规定享受相关政策"),
                revoke_after=2,
                revoke=Citation("003-38/三/（二）/4", "连续2年绩效考核不合格的"),
            ),
            note="003-38 states no term of a 备案; 3年内不得申报 after revocation bars applying only.",
        ),
        Scheme(
            "雏鹰企业",
            "杭州市“雏鹰计划”企业",
            _ENTERPRISE,
            ("市",),
            {"市": ("enterprise_title", {"title": "雏鹰企业", "level": "市"})},
            term_years=3,
            term=Citation("003-30/五/（一）", "本轮“雏鹰计划”培育期3年"),
            evaluation=Evaluation(
                ("已备案", "未备案"),
                Citation("003-30/五/（一）", "不做年度备案的，取消企业享受上年度的贷款贴息资助资格"),
                "chuying_annual_filing_done",
            ),
            note="撤销 (003-30/五/（三）（四）) is a decision, recorded with `revoke`.",
        ),
        Scheme(
            "未来工厂",
            "“未来工厂”体系：数字化车间、智能工厂、链主工厂",
            _ENTERPRISE,
            ("数字化车间", "智能工厂", "链主工厂"),
            {
                t: ("digital_factory_rated", {"factory_kind": t})
                for t in ("数字化车间", "智能工厂", "链主工厂")
            },
            subject_is_ref=True,
            upgrade=Citation("003-13/三/（四）", "补助资金均按进档差额执行。"),
            difference_items=("003-22/二/（三）/8/数字化改造", "003-13/三/四/未来工厂"),
            note="003-13 and 003-22 state no term and name no yearly evaluation.",
        ),
        Scheme(
            "上市进程",
            "企业上市进程（凤凰行动）：股改、辅导备案、申报受理、上市",
            _ENTERPRISE,
            ("股改", "辅导备案", "申报受理", "上市"),
            {"辅导备案": ("listing_tutoring_filed", {}), "上市": ("listed_on_exchange", {})},
            given={"上市": ("exchange",)},
            upgrade=Citation("003-17/三/（九）/1", "对完成股改并在证监部门完成上市辅导备案的企业"),
            note="股改 and 申报受理 carry no award of their own in the corpus; they make it 拟上市.",
        ),
    )
}


def scheme(name: str) -> Scheme:
    try:
        return SCHEMES[name]
    except KeyError:
        raise KeyError(f"unknown scheme {name!r}; known: {', '.join(SCHEMES)}") from None


def citations() -> list[Citation]:
    """Every citation the schemes make (a test checks each quote against its clause)."""
    out: list[Citation] = []
    for s in SCHEMES.values():
        out += [c for c in (s.term, s.upgrade) if c is not None]
        if s.evaluation is not None:
            e = s.evaluation
            out += [c for c in (e.source, e.suspend, e.revoke) if c is not None]
    return out
