"""The facts vocabulary (事实词表): every fact an entity can carry, its type, unit and period.

Like OpenFisca's variables, this is the one list that rule files, profiles (JSON), the synthetic
population and the database tables all spell their column names from. Names are stable: rename only
with a note in ``docs/facts.md``, since population tables and profiles use them as column names.

Conventions (see ``docs/facts.md``):

- English ``snake_case`` names, each with a Chinese label.
- Money in integer 分 (fen), suffix ``_fen``; never float.
- Counts are integers; booleans are ``is_…`` / ``has_…``.
- Categorical codes are strings with their allowed values listed here (the Chinese term itself, so
  an official reads the profile as the policy writes it).
- Dated qualifications, recognitions and awards are *events* (type + date + attributes such as
  ``level`` 国家/省/市), never booleans: a policy pays for a recognition *newly obtained* in a period,
  and the upgrade rule (晋升补差) needs to know what came first.
- Period: ``static`` facts hold for the entity's life (its industry); ``year`` facts are one value per
  calendar year (R&D spending in 2023), keyed by year in a profile.

Which rules read each fact is not written here: the loader derives it from the rule files
(``huiqi facts`` shows both).
"""

from __future__ import annotations

import importlib
import pkgutil

from huiqi.rules.factspec import (
    ALL_KINDS,
    ENCOURAGED_INDUSTRIES,
    INDUSTRIES,
    LEVELS,
    ORGS,
    AttrSpec,
    EntityKind,
    EventSpec,
    FactSpec,
    FactType,
    Period,
    money_fact,
)

FACTS: tuple[FactSpec, ...] = (
    # --- identity and place (000 附则 2: 财政收入级次, 独立法人) ---------------------------------
    FactSpec("name", "名称", FactType.TEXT, Period.STATIC, ALL_KINDS),
    FactSpec(
        "credit_code",
        "统一社会信用代码",
        FactType.TEXT,
        Period.STATIC,
        ORGS,
        doc="the independent legal person (独立法人) every award is counted against",
    ),
    FactSpec(
        "industry",
        "所属产业",
        FactType.CODE,
        Period.STATIC,
        ORGS,
        allowed=INDUSTRIES,
        doc="000 附则 3 lists the encouraged industries (鼓励发展类重点产业)",
    ),
    FactSpec(
        "is_fiscal_revenue_in_district",
        "财政收入级次在高新区（滨江）",
        FactType.BOOL,
        Period.YEAR,
        ORGS,
        doc="000 附则 2: beneficiaries' fiscal revenue is booked at the district level",
    ),
    FactSpec("founded", "成立日期", FactType.DATE, Period.STATIC, ORGS),
    FactSpec(
        "district",
        "注册所在区（县、市）",
        FactType.TEXT,
        Period.STATIC,
        ORGS,
        doc="for city documents that split costs by district (e.g. 滨江区)",
    ),
    # --- size -------------------------------------------------------------------------------------
    money_fact("revenue_fen", "营业收入"),
    money_fact("total_assets_fen", "资产总额"),
    FactSpec("employees", "从业人数", FactType.INT, Period.YEAR, ORGS, unit="人"),
    FactSpec(
        "is_above_scale", "规模以上工业企业（规上）", FactType.BOOL, Period.YEAR, (EntityKind.ENTERPRISE,)
    ),
    money_fact("export_fen", "出口额", (EntityKind.ENTERPRISE,)),
    money_fact("value_added_fen", "增加值", (EntityKind.ENTERPRISE,), doc="the denominator of R&D intensity"),
    FactSpec("is_foreign_invested", "外资企业", FactType.BOOL, Period.YEAR, (EntityKind.ENTERPRISE,)),
    money_fact("rent_fen", "房租", ORGS),
    # --- R&D and innovation spending ----------------------------------------------------------------
    money_fact(
        "rd_expense_fen",
        "研发投入（研发费用）",
        doc="the year's total R&D spending, own funds plus government funds",
    ),
    money_fact(
        "rd_expense_gov_funded_fen",
        "研发投入中的财政资金",
        doc="the part of rd_expense_fen paid by government grants",
    ),
    money_fact(
        "tech_service_contract_fen",
        "认定登记的技术服务合同金额",
        doc="002/五: the year's registered (认定登记) service contracts with 区创新券载体 platforms",
    ),
    money_fact(
        "public_compute_fee_fen",
        "公共平台服务实际使用费",
        (EntityKind.ENTERPRISE,),
        doc="002/五: fees paid to 杭州人工智能计算中心 and other public platforms",
    ),
    money_fact(
        "local_order_increment_fen",
        "年度执行本地上下游配套订单增量",
        (EntityKind.ENTERPRISE,),
        doc="002/八: growth of orders placed with local suppliers over the year before",
    ),
    money_fact(
        "tech_transfer_spend_fen",
        "承接科技成果转移实际支出",
        doc="002/八: 技术转让、许可使用、作价投资 of results of the city's new innovation organisations",
    ),
    money_fact(
        "investment_fen", "实际投资额", doc="the year's actual investment (001/44: 按其实际投资额的20%)"
    ),
    money_fact("vc_investment_received_fen", "获得创投机构投资额", (EntityKind.ENTERPRISE,), doc="002/十三"),
    # --- designations that hold over a year rather than start on a date -----------------------------
    FactSpec(
        "is_chain_leader",
        "链主企业",
        FactType.BOOL,
        Period.YEAR,
        (EntityKind.ENTERPRISE,),
        doc="002/六, 八: designated chain-leader enterprise (链主企业) of a 链长制 industry chain",
    ),
    FactSpec(
        "is_innovation_voucher_carrier",
        "纳入区创新券载体",
        FactType.BOOL,
        Period.YEAR,
        ORGS,
        doc="002/五: the open platform passed review and was admitted as an innovation-voucher carrier",
    ),
    FactSpec(
        "is_innovation_org_member",
        "新型产业创新组织牵头或参与单位",
        FactType.BOOL,
        Period.YEAR,
        ORGS,
        doc=(
            "002/一: lead or participating unit of a recognised new industrial innovation organisation "
            "(新型产业创新组织); when absent it is derived from innovation_org_recognized events"
        ),
    ),
    FactSpec(
        "innovation_org_id",
        "所属新型产业创新组织编号",
        FactType.TEXT,
        Period.YEAR,
        ORGS,
        doc="002/十一: the per-organisation yearly cap groups members by this id",
    ),
    # --- talents ------------------------------------------------------------------------------------
    FactSpec("birth_date", "出生日期", FactType.DATE, Period.STATIC, (EntityKind.TALENT,)),
    FactSpec(
        "talent_level",
        "人才层次",
        FactType.CODE,
        Period.YEAR,
        (EntityKind.TALENT,),
        allowed=("A", "B", "C", "D", "E", "无"),
    ),
    FactSpec(
        "employer_credit_code", "工作单位统一社会信用代码", FactType.TEXT, Period.YEAR, (EntityKind.TALENT,)
    ),
    # --- carriers -----------------------------------------------------------------------------------
    FactSpec(
        "carrier_type",
        "载体类型",
        FactType.CODE,
        Period.STATIC,
        (EntityKind.CARRIER,),
        allowed=("孵化器", "众创空间", "公共技术平台", "专业园区"),
    ),
    FactSpec(
        "incubated_enterprises", "在孵企业数", FactType.INT, Period.YEAR, (EntityKind.CARRIER,), unit="家"
    ),
)

_LEVEL = AttrSpec("level", "级别", FactType.CODE, LEVELS)
_SUBJECT = AttrSpec("subject", "对象编号（产品/项目/标准）", FactType.TEXT, required=False)

EVENTS: tuple[EventSpec, ...] = (
    EventSpec(
        "innovation_org_recognized",
        "新型产业创新组织认定",
        ORGS,
        (
            AttrSpec(
                "org_type",
                "组织类型",
                FactType.CODE,
                ("企业创新联合体", "产业链上下游企业共同体", "产业联盟", "制造业创新中心", "工程研究中心"),
            ),
            _LEVEL,
            AttrSpec("role", "角色", FactType.CODE, ("牵头", "参与")),
            AttrSpec("org_id", "组织编号", FactType.TEXT, required=False),
            _SUBJECT,
        ),
        doc="002/三: 新认定 — the date is the recognition document's date",
    ),
    EventSpec(
        "enterprise_title",
        "企业培育称号认定",
        (EntityKind.ENTERPRISE,),
        (
            AttrSpec(
                "title",
                "称号",
                FactType.CODE,
                (
                    "单项冠军",
                    "专精特新小巨人",
                    "隐形冠军",
                    "专精特新中小企业",
                    "国家高新技术企业",
                    "科技型中小企业",
                    "雏鹰企业",
                ),
            ),
            _LEVEL,
        ),
        doc="002/六: 单项冠军 / 专精特新‘小巨人’ / 隐形冠军 / 省级专精特新中小企业 …",
    ),
    EventSpec(
        "breakthrough_project_accepted",
        "揭榜挂帅攻关项目通过验收",
        ORGS,
        (
            AttrSpec("rd_investment_fen", "项目研发总投入", FactType.MONEY, unit="分"),
            _SUBJECT,
        ),
        doc="002/四: a 军令状/揭榜挂帅/赛马制 project selected, reviewed and accepted",
    ),
    EventSpec(
        "national_major_project_undertaken",
        "承担国家重大项目",
        ORGS,
        (
            AttrSpec(
                "program",
                "项目类别",
                FactType.CODE,
                ("国家重大科技专项", "国家重点研发计划", "国家制造业高质量发展专项", "其他国家重大项目"),
            ),
            _SUBJECT,
        ),
        doc="002/四 second sentence: 按要求给予配套资金支持",
    ),
    EventSpec(
        "science_award",
        "科学技术奖",
        ORGS,
        (
            AttrSpec("award", "奖项", FactType.CODE, ("技术发明奖", "科技进步奖", "自然科学奖")),
            _LEVEL,
            AttrSpec("grade", "等次", FactType.CODE, ("特等", "一等", "二等", "三等")),
            AttrSpec("unit_rank", "完成单位排名（第几责任单位）", FactType.INT),
            _SUBJECT,
        ),
        doc="002/九: the subject is the awarded achievement, so a later higher grade tops up (补足差额)",
    ),
    EventSpec(
        "first_of_kind_product",
        "首台（套）产品认定",
        ORGS,
        (
            AttrSpec("product_kind", "产品类别", FactType.CODE, ("首台套装备", "首批次新材料", "首版次软件")),
            _LEVEL,
            _SUBJECT,
        ),
        doc="002/十: 各级认定的首台（套）产品",
    ),
    EventSpec(
        "standard_published",
        "标准制定并发布",
        ORGS,
        (
            AttrSpec(
                "scope",
                "标准类别",
                FactType.CODE,
                ("国际标准", "国家标准", "行业标准", "地方标准", "团体标准"),
            ),
            AttrSpec("role", "制定角色", FactType.CODE, ("主导", "参与")),
            AttrSpec("drafter_rank", "起草单位排名", FactType.INT, required=False),
            _SUBJECT,
        ),
        doc="002/十一: 主导/参与制定国际标准; 国家标准（前三位）、行业标准（前二位）",
    ),
    EventSpec(
        "talent_training_cooperation",
        "人才合作培训或订单式培养",
        ORGS,
        (AttrSpec("partner", "合作院校或机构", FactType.TEXT, required=False),),
        doc="002/十二",
    ),
    EventSpec(
        "fraud_finding",
        "弄虚作假、骗取财政资金查实",
        ALL_KINDS,
        (AttrSpec("ban_years", "禁止申报年限", FactType.INT, required=False, unit="年"),),
        doc="a finding that bars applications for a period set by the document that imposes it",
    ),
)

# Past payments (资助兑现记录) are an input too: the upgrade difference (补足差额), cumulative caps and
# "最长不超过N年" need them. Keys of one payment record in a profile's ``payments`` list.
PAYMENT_KEYS: dict[str, tuple[FactType, bool]] = {
    "item": (FactType.TEXT, True),  # the rule item id, e.g. "002/六/title"
    "year": (FactType.INT, True),
    "amount_fen": (FactType.MONEY, True),
    "subject": (FactType.TEXT, False),  # product / project / standard id (non-duplication key)
    "ladder": (FactType.TEXT, False),  # the award ladder (同一奖项) the payment climbed, for 补足差额
    "rank": (FactType.INT, False),  # the ladder step that was paid
    "org_id": (FactType.TEXT, False),  # for per-organisation caps
}


def _document_vocabularies() -> tuple[tuple[FactSpec, ...], tuple[EventSpec, ...]]:
    """The facts and events each document's rules add (``huiqi.rules.vocab.<module>``: ``FACTS`` and
    ``EVENTS`` tuples), in module-name order. A name is defined once in the whole vocabulary: reuse
    a fact another document declared rather than declaring it again."""
    from huiqi.rules import vocab

    facts: list[FactSpec] = []
    events: list[EventSpec] = []
    for info in sorted(pkgutil.iter_modules(vocab.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{vocab.__name__}.{info.name}")
        facts.extend(getattr(module, "FACTS", ()))
        events.extend(getattr(module, "EVENTS", ()))
    return tuple(facts), tuple(events)


def _by_key(specs: tuple, key: str) -> dict:
    out: dict = {}
    for spec in specs:
        name = getattr(spec, key)
        if name in out:
            raise ValueError(f"the facts vocabulary declares {name!r} twice: declare it once and reuse it")
        out[name] = spec
    return out


def _document_codes() -> dict[str, list[str]]:
    """Codes a document module adds to an existing coded fact or event attribute (its ``CODES``:
    ``{"carrier_type": ("加速器",), "enterprise_title.title": ("瞪羚企业",)}``), so that one list of
    allowed values grows with the documents instead of a second fact for the same meaning."""
    from huiqi.rules import vocab

    extra: dict[str, list[str]] = {}
    for info in sorted(pkgutil.iter_modules(vocab.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{vocab.__name__}.{info.name}")
        for key, codes in getattr(module, "CODES", {}).items():
            known = extra.setdefault(key, [])
            known.extend(c for c in codes if c not in known)
    return extra


def _with_codes(
    facts: tuple[FactSpec, ...], events: tuple[EventSpec, ...], codes: dict[str, list[str]]
) -> tuple[tuple[FactSpec, ...], tuple[EventSpec, ...]]:
    """``facts`` and ``events`` with ``codes`` appended to the allowed values they name
    (``fact`` or ``event_type.attribute``); a name that is not a coded fact or attribute is an error."""
    import dataclasses

    left = dict(codes)

    def grown(allowed: tuple[str, ...], key: str) -> tuple[str, ...]:
        return (*allowed, *(c for c in left.pop(key) if c not in allowed))

    facts = tuple(
        dataclasses.replace(f, allowed=grown(f.allowed, f.name)) if f.name in left and f.allowed else f
        for f in facts
    )
    events = tuple(
        dataclasses.replace(
            e,
            attrs=tuple(
                dataclasses.replace(a, allowed=grown(a.allowed, f"{e.type}.{a.name}"))
                if f"{e.type}.{a.name}" in left and a.allowed
                else a
                for a in e.attrs
            ),
        )
        for e in events
    )
    if left:
        raise ValueError(f"CODES names no coded fact or event attribute: {', '.join(sorted(left))}")
    return facts, events


_DOC_FACTS, _DOC_EVENTS = _document_vocabularies()
FACTS, EVENTS = _with_codes(FACTS + _DOC_FACTS, EVENTS + _DOC_EVENTS, _document_codes())
FACTS_BY_NAME: dict[str, FactSpec] = _by_key(FACTS, "name")
EVENTS_BY_TYPE: dict[str, EventSpec] = _by_key(EVENTS, "type")


def fact(name: str) -> FactSpec:
    """The spec of a fact, or a ``KeyError`` whose message lists near names."""
    try:
        return FACTS_BY_NAME[name]
    except KeyError:
        raise KeyError(_unknown("fact", name, FACTS_BY_NAME)) from None


def event(type_: str) -> EventSpec:
    try:
        return EVENTS_BY_TYPE[type_]
    except KeyError:
        raise KeyError(_unknown("event type", type_, EVENTS_BY_TYPE)) from None


def _unknown(what: str, name: str, known: dict) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown {what} {name!r}{hint}"


__all__ = [
    "ENCOURAGED_INDUSTRIES",
    "EVENTS",
    "EVENTS_BY_TYPE",
    "FACTS",
    "FACTS_BY_NAME",
    "INDUSTRIES",
    "LEVELS",
    "PAYMENT_KEYS",
    "AttrSpec",
    "EntityKind",
    "EventSpec",
    "FactSpec",
    "FactType",
    "Period",
    "event",
    "fact",
]
