"""政策计算器 (the policy calculator): a profile (画像) and a year in; what is due, why, and what is missing.

One data function per view, as in ``huiqi.api.library``: ``calculate`` (``POST /api/v1/calculate`` and the
``/calculator`` page), ``vocabulary`` (``GET /api/v1/facts``, also the source of the page's form) and
``profile_schema`` (``GET /api/v1/schema/profile``). Nothing is stored: the profile lives only for the
request.

The engine does the work (``huiqi.engine.evaluate.calculate``); this module turns its answer into models
with exact money (integer fen beside a 元 string), the document each item belongs to, and the missing facts
named in Chinese. It knows nothing of particular documents: the rule book decides what is there.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from huiqi.api import profile_contract as contract
from huiqi.api.errors import not_found
from huiqi.engine.evaluate import STATUS_ZH, Calculation, ItemResult, Status
from huiqi.engine.profile import Profile, ProfileError, parse_profile
from huiqi.money import fen_to_yuan, format_fen
from huiqi.rules import facts as vocab
from huiqi.rules.loader import RuleBook, load_rules

YEAR_MIN, YEAR_MAX = 1949, 2100  # the profile parser's date range

# The order the answer lists items in: what is due first, what is ruled out last.
STATUS_ORDER = (Status.ELIGIBLE, Status.DISCRETIONARY, Status.UNDETERMINED, Status.NOT_ELIGIBLE)


@functools.cache
def rule_book() -> RuleBook:
    """The rule files, loaded once per process (about a second) and shared by every request."""
    return load_rules()


@functools.cache
def _item_documents() -> dict[str, str]:
    return {it.id: rs.doc_id for rs in rule_book().rulesets.values() for it in rs.items}


# --- models ----------------------------------------------------------------------------------------


class Money(BaseModel):
    """An exact amount: integer fen (分) for machines, 元 with two decimals and a display form for people."""

    fen: int
    yuan: str = Field(description="元 with two decimals, e.g. 800000.00")
    display: str = Field(description="as an official writes it, e.g. 80万元 or 2,469.13元")


def money(fen: int) -> Money:
    # format_fen writes a whole number of 万元 as 万元; nothing at all reads better as 0元 than 0万元.
    return Money(fen=fen, yuan=f"{fen_to_yuan(fen):f}", display=format_fen(fen) if fen else "0元")


class CalculateIn(BaseModel):
    """What to compute: one profile (schema at ``GET /api/v1/schema/profile``) for one calendar year."""

    # Strict: "2023" is not a year and 0 is not false; the body is JSON, so it can say what it means.
    model_config = ConfigDict(strict=True)

    year: Annotated[int, BeforeValidator(contract.whole_number)] = Field(
        ge=YEAR_MIN, le=YEAR_MAX, description="the calendar year to compute, e.g. 2023"
    )
    profile: Annotated[dict[str, Any], WithJsonSchema(contract.profile_schema())] = Field(
        description="a profile in the published schema: kind, id, facts, years, events, payments",
    )
    documents: list[str] | None = Field(
        None,
        min_length=1,
        max_length=50,
        description='only these documents\' rules (e.g. ["002"]); all when absent',
    )
    near_misses: bool = Field(True, description="also search for 差一点 (near-misses); costs time")


class StepOut(BaseModel):
    """One line of the explanation trace (计算过程)."""

    kind: str = Field(
        description="provision | condition | event | amount | cap | nondup | upgrade | discretion | validity"
    )
    text: str
    ok: bool | None = Field(None, description="true met, false failed, null undetermined or informational")
    clause: str | None = None
    quote: str | None = None
    amount: Money | None = None


class MissingFact(BaseModel):
    """A fact the profile lacks and an item needs (缺少)."""

    path: str = Field(description="where it goes in the profile, e.g. years.2023.rd_expense_fen")
    label: str = Field(description="the fact's Chinese name, e.g. 研发投入（研发费用）")


class ItemOut(BaseModel):
    """One benefit item (兑现事项) in the year: its status, amount and reasons, with the sentence it cites."""

    item: str = Field(description="the rule item id, e.g. 002/六/专精特新")
    document: str = Field(description="the document id, e.g. 002")
    title: str
    clause: str = Field(description="the clause id (see GET /api/v1/clauses/{clause_id})")
    quote: str = Field(description="the sentence of the policy text the item implements, verbatim")
    form: str = Field(description="奖励 / 补助 / 资助 / 后补助 …")
    status: Status
    status_zh: str = Field(description="符合 / 不符合 / 待定 / 酌定")
    amount: Money = Field(description="the definite amount due (0 unless the status is eligible)")
    cap: Money | None = Field(None, description="酌定 (discretionary): the ceiling the text states, if any")
    basis: str | None = Field(None, description="酌定: what the decision rests on (择优, 一事一议 …)")
    why_not: list[str] = Field(description="不符合: each condition that failed, in plain Chinese")
    missing: list[MissingFact] = Field(description="待定: the facts that would decide it")
    trace: list[StepOut]
    note: str = ""


class NearMissOut(BaseModel):
    """差一点: one change of a fact or an event that would bring more money, verified by re-computing."""

    change: str = Field(description="the change in plain Chinese")
    gain: Money = Field(description="the extra definite amount for the year")
    items: list[str] = Field(description="the items whose amount rises or that open")
    opens_discretionary: bool = False
    discretionary_cap: Money | None = None
    facts: dict[str, Any] = Field(default_factory=dict, description="the yearly facts it sets")
    event: dict[str, Any] | None = Field(None, description="the event it adds")


class DocumentTotal(BaseModel):
    document: str
    title: str
    total: Money
    eligible: int = Field(description="items with a definite amount")
    discretionary: int


class CalculationOut(BaseModel):
    entity: str
    kind: str
    year: int
    total: Money = Field(description="the sum of the definite amounts (eligible items only)")
    counts: dict[Status, int] = Field(description="items per status")
    by_document: list[DocumentTotal]
    items: list[ItemOut] = Field(description="eligible first, then discretionary, undetermined, not eligible")
    not_in_force: list[str] = Field(description="documents with rules that are not in force in the year")
    near_misses: list[NearMissOut]


class AttrOut(BaseModel):
    name: str
    label: str
    type: vocab.FactType
    unit: str | None
    allowed: list[str]
    required: bool


class FactOut(BaseModel):
    name: str
    label: str
    type: vocab.FactType
    unit: str | None
    period: vocab.Period = Field(description="static: under facts; year: under years.<year>")
    entities: list[vocab.EntityKind]
    allowed: list[str]
    doc: str
    read_by: list[str] = Field(description="the rule items (and provisions) that read it")


class EventOut(BaseModel):
    type: str
    label: str
    entities: list[vocab.EntityKind]
    attrs: list[AttrOut]
    doc: str
    read_by: list[str]


class Vocabulary(BaseModel):
    """事实词表: every fact and event a profile may carry."""

    facts: list[FactOut]
    events: list[EventOut]
    payment_keys: dict[str, vocab.FactType] = Field(description="the keys of one past payment (资助兑现记录)")


# --- errors ----------------------------------------------------------------------------------------


class ProfileInvalid(RequestValidationError):
    """A profile the engine refuses. Answered like any invalid request (422, ``errors: [{field, message}]``,
    through ``huiqi.api.errors``); ``problems`` keeps the "path: what was expected" lines for the page."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = ["profile." + p if _has_path(p) else p for p in problems]
        super().__init__([_validation_error(p, ("body", "profile")) for p in problems])


def _has_path(problem: str) -> bool:
    path, sep, _ = problem.partition(": ")
    return bool(sep) and " " not in path


def _validation_error(problem: str, under: tuple[str, ...]) -> dict[str, Any]:
    # "years.2023.rd_expense_fen: expected …" → loc ("body", "profile", "years", "2023", "rd_expense_fen")
    if _has_path(problem):
        path, _, message = problem.partition(": ")
        return {"loc": (*under, *path.split(".")), "msg": message, "type": "value_error"}
    return {"loc": under, "msg": problem, "type": "value_error"}


# --- the data functions ----------------------------------------------------------------------------


def parse(data: Any, documents: list[str] | None = None) -> Profile:
    """The profile checked against the vocabulary and the limits; ``ProfileInvalid`` lists every problem."""
    book = rule_book()
    unknown = [d for d in documents or [] if d not in book.rulesets]
    if unknown:  # a document without rules is a missing resource, as an unknown document is elsewhere
        raise not_found(
            f"没有这些文件的规则：{'、'.join(map(repr, unknown))}；有规则的文件：{'、'.join(book.rulesets)}"
        )
    # Two checks: the published schema (shape, types, the limits above) and the engine's own (which facts
    # belong to which kind of entity, dates that exist), whose messages say more ("did you mean …"). The
    # engine's problems are reported when it has any; the schema's when the engine has none, or when the
    # data is too malformed for the engine to read at all (an event whose type is an object).
    schema_problems = contract.problems(data)
    problems: list[str] = []
    try:
        profile = parse_profile(data)
    except ProfileError as exc:
        problems = exc.problems
    except (TypeError, AttributeError):
        if not schema_problems:
            raise  # schema-valid data the engine cannot read: a bug, to be seen as one
        problems = schema_problems
    else:
        problems = schema_problems
    if problems:
        raise ProfileInvalid(problems)
    return profile


def calculate(
    data: Any, year: int, documents: list[str] | None = None, near_misses: bool = True
) -> CalculationOut:
    """What the entity in ``data`` (a decoded profile) can get in ``year``, item by item, with reasons."""
    from huiqi.engine.evaluate import calculate as evaluate

    profile = parse(data, documents)
    calc = evaluate(rule_book(), profile, year, explain=True, near_misses=near_misses, documents=documents)
    return _answer(calc, profile)


def _missing(path: str, profile: Profile) -> MissingFact:
    """A missing path named for people: ``years.2023.rd_expense_fen`` → 研发投入（研发费用）;
    ``events[0].drafter_rank`` → 标准制定并发布（2023-03-01）的起草单位排名."""
    label = path
    m = re.fullmatch(r"events\[(\d+)\]\.(\w+)", path)
    if m:
        i, attr = int(m.group(1)), m.group(2)
        event = next((e for e in profile.events if e.index == i), None)
        spec = vocab.EVENTS_BY_TYPE.get(event.type) if event else None
        a = spec.attr(attr) if spec else None
        if spec and a:
            label = f"{spec.label}（{event.date.isoformat()}）的{a.label}"
    else:
        spec = vocab.FACTS_BY_NAME.get(path.rsplit(".", 1)[-1])
        if spec:
            label = spec.label
    return MissingFact(path=path, label=label)


def _item(r: ItemResult, profile: Profile) -> ItemOut:
    it = r.item
    discretionary = r.status is Status.DISCRETIONARY
    return ItemOut(
        item=it.id,
        document=_item_documents().get(it.id, it.id.split("/", 1)[0]),
        title=it.title,
        clause=it.source.clause,
        quote=it.source.quote,
        form=it.form,
        status=r.status,
        status_zh=STATUS_ZH[r.status],
        amount=money(r.amount_fen if r.status is Status.ELIGIBLE else 0),
        cap=money(r.cap_fen) if discretionary and r.cap_fen is not None else None,
        basis=it.discretion.basis if discretionary and it.discretion else None,
        why_not=list(r.why_not),
        missing=[_missing(p, profile) for p in r.missing],
        trace=[
            StepOut(
                kind=s.kind,
                text=s.text,
                ok=s.ok,
                clause=s.clause,
                quote=s.quote,
                amount=money(s.amount_fen) if s.amount_fen is not None else None,
            )
            for s in r.trace
        ],
        note=it.note,
    )


def _answer(calc: Calculation, profile: Profile) -> CalculationOut:
    rows = sorted(calc.items, key=lambda r: STATUS_ORDER.index(r.status))  # stable: rule order within
    items = [_item(r, profile) for r in rows]
    book = rule_book()
    by_doc: dict[str, DocumentTotal] = {}
    for i in items:
        d = by_doc.get(i.document)
        if d is None:
            rs = book.rulesets.get(i.document)
            d = by_doc[i.document] = DocumentTotal(
                document=i.document,
                title=rs.title if rs else i.document,
                total=money(0),
                eligible=0,
                discretionary=0,
            )
        if i.status is Status.ELIGIBLE:
            d.eligible += 1
            d.total = money(d.total.fen + i.amount.fen)
        elif i.status is Status.DISCRETIONARY:
            d.discretionary += 1
    return CalculationOut(
        entity=calc.entity_id,
        kind=calc.kind,
        year=calc.year,
        total=money(calc.total_fen),
        counts={s: sum(1 for r in calc.items if r.status is s) for s in STATUS_ORDER},
        by_document=list(by_doc.values()),
        items=items,
        not_in_force=list(calc.not_in_force),
        near_misses=[
            NearMissOut(
                change=n.change,
                gain=money(n.gain_fen),
                items=list(n.items),
                opens_discretionary=n.opens_discretionary,
                discretionary_cap=money(n.discretionary_cap_fen) if n.discretionary_cap_fen else None,
                facts=dict(n.facts),
                event=n.event,
            )
            for n in calc.near_misses
        ],
    )


def vocabulary() -> Vocabulary:
    """The facts vocabulary with, for each fact and event, the rules that read it."""
    book = rule_book()
    return Vocabulary(
        facts=[
            FactOut(
                name=f.name,
                label=f.label,
                type=f.type,
                unit=f.unit,
                period=f.period,
                entities=list(f.entities),
                allowed=list(f.allowed),
                doc=f.doc,
                read_by=sorted(book.reads.get(f.name, ())),
            )
            for f in vocab.FACTS
        ],
        events=[
            EventOut(
                type=e.type,
                label=e.label,
                entities=list(e.entities),
                attrs=[
                    AttrOut(
                        name=a.name,
                        label=a.label,
                        type=a.type,
                        unit=a.unit,
                        allowed=list(a.allowed),
                        required=a.required,
                    )
                    for a in e.attrs
                ],
                doc=e.doc,
                read_by=sorted(book.event_reads.get(e.type, ())),
            )
            for e in vocab.EVENTS
        ],
        payment_keys={k: t for k, (t, _) in vocab.PAYMENT_KEYS.items()},
    )


def profile_schema() -> dict[str, Any]:
    """The published JSON Schema of a profile (the same as ``docs/schema/profile.schema.json``)."""
    from huiqi.rules.schema import profile_schema as schema

    return schema()
