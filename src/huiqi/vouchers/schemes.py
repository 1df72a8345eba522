"""The three schemes, what each text fixes and what it leaves open, read from the rule files.

- ``enterprise`` 企业券 (003-23 第六条): held by an enterprise or a maker (创客, a talent profile);
  issued and redeemed by the holder's district (区、县（市）科技局); spent on a technical contract with
  a registered, unrelated 创新载体. The quota's size is the applicant's (酌情自主申领) within the
  yearly ceiling of the rule file (20万元 an enterprise, 10万元 a maker). The ratio the voucher pays
  ("给予一定比例的企业券补助") is the district's: 滨江区's is 002/五 (30% of the registered technical
  contract); for another district, or a year 002 is not in force, it is an input given at issue.
- ``platform`` 平台券 (003-23 第九条): held by a registered 市科技创新服务平台; each item of 第九条
  is discretionary ("根据…确定") with the rule's ceiling, so the amount issued is a decision (an input)
  checked against that ceiling and the platform's yearly (or build-period) cap.
- ``activity`` 活动券 (003-32): held by a 创业企业 or 创业者, for one activity of a reviewed 服务机构;
  signed in, it becomes one valid service of the organiser, which redeems it for 50元 (第八条).
"""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy.orm import Session

from huiqi.registry.lookup import UnknownEntity, find_entity
from huiqi.rules.ast import Item, Parameter, RuleSet, Validity
from huiqi.rules.loader import RuleBook, load_rules, rule_files
from huiqi.store.models import Entity
from huiqi.vouchers.texts import Cited


class VoucherError(ValueError):
    """A step the texts or the state of a voucher refuse; the message says which and why."""


SCHEME_NAMES = {"enterprise": "企业券", "platform": "平台券", "activity": "活动券"}
SCHEME_DOCUMENT = {"enterprise": "003-23", "platform": "003-23", "activity": "003-32"}
RULE_DOCUMENTS = ("002", "003-23", "003-32")  # the rule files the schemes read

# 企业券: the yearly quota ceiling by the holder's kind (003-23 第六条).
QUOTA_CAP_PARAM = {"enterprise": "enterprise_voucher_cap", "talent": "maker_voucher_cap"}
ENTERPRISE_ITEM = {"enterprise": "003-23/第六条/企业券", "talent": "003-23/第六条/创客券"}
# 企业券 ratios a district's own text sets, as a rule item of this project (滨江区: 002 五, 区创新券).
DISTRICT_RATIO_ITEM = {"滨江区": "002/五/创新券"}

# 平台券: each item of 003-23 第九条 → (the parameter of its own cap, the period that cap counts over).
# "建设期": 新建专业平台's 500万元 binds the build period's total (平台券补助总额度…最高不超过500万元);
# 已建 items are yearly ("单个平台每年度…"); 事业单位平台's 20万元 is read as yearly too, as the
# subsidies of 已建平台 follow the yearly evaluation (第八条/4 每年组织对平台运行情况进行评估).
PLATFORM_ITEMS: dict[str, tuple[str | None, str]] = {
    "003-23/第九条/新建专业平台": ("new_platform_cap", "建设期"),
    "003-23/第九条/新建公共平台": (None, "year"),  # 以财政投入为主: no ceiling in the text
    "003-23/第九条/已建公共平台": ("public_platform_year_cap", "year"),
    "003-23/第九条/已建专业平台": ("service_platform_year_cap", "year"),
    "003-23/第九条/事业单位平台": ("institution_platform_cap", "year"),
}
ACTIVITY_ITEM = "003-32/第八条/活动券"
HOLDER_KINDS = {
    "enterprise": ("enterprise", "talent"),
    "platform": ("carrier",),  # the platform facts of 003-23 第九条 are a carrier's
    "activity": ("enterprise", "talent"),
}


def scheme_of(name: str) -> str:
    """``enterprise`` / ``platform`` / ``activity`` from the English or the Chinese name."""
    for code, zh in SCHEME_NAMES.items():
        if name in (code, zh):
            return code
    raise VoucherError(f"unknown voucher scheme {name!r}; expected one of {', '.join(SCHEME_NAMES)}")


@cache
def rule_book() -> RuleBook:
    """The rule files the schemes read (002, 003-23, 003-32), loaded once (quotes checked)."""
    paths = [p for p in rule_files() if p.name.split(".")[0] in RULE_DOCUMENTS or p.parent.name == "002"]
    return load_rules(paths)


def ruleset(doc: str) -> RuleSet:
    return rule_book().rulesets[doc]


def parameter(doc: str, name: str) -> Parameter:
    return ruleset(doc).parameters[name]


def item(item_id: str) -> Item:
    doc = item_id.split("/")[0]
    for it in ruleset(doc).items:
        if it.id == item_id:
            return it
    raise VoucherError(f"no rule item {item_id} in {doc}")


def cite_item(it: Item) -> str:
    return f"{it.id} ({it.source.clause}): {it.source.quote}"


def cite_param(doc: str, name: str, within: str | None = None) -> str:
    """A parameter's figure with the whole sentence of an item quoting it (``within``: that item)."""
    p = parameter(doc, name)
    items = [item(within)] if within else ruleset(doc).items
    sentence = next((it.source.quote for it in items if p.text in it.source.quote), p.source.quote)
    return f"{p.source.clause}: {sentence}"


def covers(v: Validity | None, on: date) -> bool:
    """Whether a validity window (both ends inclusive; no start: never in force) holds ``on``."""
    if v is None:
        return True
    return v.start is not None and v.start <= on and (v.end is None or on <= v.end)


def in_force(doc: str, on: date) -> None:
    """Refuse a step on a day the document is not in force (003-32 ends 2022-12-31)."""
    v = ruleset(doc).validity
    if not covers(v, on):
        assert v is not None
        window = f"{v.start or '?'} – {v.end or 'open'}"
        raise VoucherError(f"{doc} is not in force on {on.isoformat()} ({window}; {v.source.clause})")


def work_year_end(year: int) -> date:
    """The last day of a work year (工作年度), read as the calendar year: the texts name no other."""
    return date(year, 12, 31)


def entity(session: Session, key: str, what: str) -> Entity:
    try:
        return find_entity(session, key)
    except UnknownEntity as exc:
        raise VoucherError(f"{what}: {exc}") from exc


def district_of(e: Entity) -> str | None:
    district = (e.attributes or {}).get("district")
    return str(district) if district else None


def refuse(rule: Cited, message: str) -> VoucherError:
    """A refusal that names the sentence it applies."""
    return VoucherError(f"{message} ({rule})")
