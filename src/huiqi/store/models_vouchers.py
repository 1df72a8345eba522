"""The tables of the voucher schemes (创新券 and 活动券, ``huiqi.vouchers``): registered providers,
quota applications (申领), issued vouchers (发放), their use on a contract or at an event (使用),
redemptions (兑现) and the yearly caps (年度上限) counted per holder, provider, platform or event.

The invariants the texts state are database rules, so that no code path (nor a hand-written
``UPDATE``) can break them:

- a voucher's holder is its applicant, fixed: ``vouchers (application_id, holder_id)`` references
  ``voucher_applications (id, holder_id)``, and every use and redemption carries the voucher's holder
  through a composite foreign key — a voucher cannot change hands (不得转让、买卖);
- used once, redeemed once (不重复使用): ``voucher_uses.voucher_id`` and
  ``voucher_redemptions.voucher_id`` are UNIQUE; a technical contract backs at most one voucher;
- the provider is registered for the voucher's scheme: a use references
  ``voucher_providers (id, scheme, entity_id)``; for a 企业券 the provider is not the holder and the
  two have no investment relation (向非关联的…创新载体购买);
- the same work year (同一工作年度内完成，逾期自动作废): use and redemption dates are at most the
  voucher's ``valid_until``, copied through the composite foreign key so the copy cannot lie;
- a redemption pays at most the voucher's face value, and more than nothing;
- a yearly cap is a ``voucher_caps`` row whose ``used_value <= limit_value`` is a CHECK: charging it
  is one conditional ``UPDATE`` that takes the row lock, so concurrent charges cannot overrun it.

Money is integer fen (``*_fen`` BigInteger columns).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from huiqi.store.models import Base

# enterprise: 科技创新券·企业券 (003-23 第六条); platform: 科技创新券·平台券 (003-23 第九条);
# activity: 小微企业创业创新活动券 (003-32).
SCHEMES = ("enterprise", "platform", "activity")
APPLICATION_STATES = ("applied", "issued", "void")
VOUCHER_STATES = ("issued", "used", "redeemed", "void")
_SCHEME_CHECK = f"scheme IN {SCHEMES!r}"


class VoucherProvider(Base):
    """A registered provider of a scheme: a 创新载体 (企业券), a 市科技创新服务平台 (平台券) or a
    服务机构 that passed the expert review (活动券)."""

    __tablename__ = "voucher_providers"
    __table_args__ = (
        UniqueConstraint("scheme", "entity_id", name="uq_voucher_providers_scheme_entity"),
        UniqueConstraint("id", "scheme", "entity_id", name="uq_voucher_providers_id_scheme_entity"),
        CheckConstraint(_SCHEME_CHECK, name="scheme"),
        CheckConstraint("length(basis) > 0", name="basis_given"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    registered_on: Mapped[date] = mapped_column(Date)
    registered_by: Mapped[str] = mapped_column(String(100))
    basis: Mapped[str] = mapped_column(Text)  # the list or decision it is registered under


class VoucherApplication(Base):
    """申领: a holder asks for a voucher of a scheme for a work year."""

    __tablename__ = "voucher_applications"
    __table_args__ = (
        UniqueConstraint("id", "holder_id", name="uq_voucher_applications_id_holder"),
        CheckConstraint(_SCHEME_CHECK, name="scheme"),
        CheckConstraint(f"state IN {APPLICATION_STATES!r}", name="state"),
        CheckConstraint("requested_fen > 0", name="requested_positive"),
        CheckConstraint("cap_fen IS NULL OR cap_fen >= 0", name="cap_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_key: Mapped[str] = mapped_column(String(200), unique=True)  # the client's id: a retry is a no-op
    scheme: Mapped[str] = mapped_column(String(16))
    holder_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)  # the work year (工作年度)
    item: Mapped[str] = mapped_column(String(100))  # the rule item the voucher is granted under
    requested_fen: Mapped[int] = mapped_column(BigInteger)
    cap_fen: Mapped[int | None] = mapped_column(BigInteger)  # the rule's ceiling (平台券), when it gives one
    facts: Mapped[dict] = mapped_column(JSON)  # the facts the rule was evaluated on (平台券)
    district: Mapped[str | None] = mapped_column(String(40))  # the issuing district (区、县（市）)
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("voucher_providers.id")
    )  # 活动券: the organiser
    event_ref: Mapped[str | None] = mapped_column(String(100))  # 活动券: the activity
    applied_on: Mapped[date] = mapped_column(Date)
    applied_by: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16))


class Voucher(Base):
    """An issued voucher (发放): its holder, face value, work year and how its amount is computed."""

    __tablename__ = "vouchers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["application_id", "holder_id"],
            ["voucher_applications.id", "voucher_applications.holder_id"],
            name="fk_vouchers_application_holder",
        ),
        # the terms a use and a redemption copy (and so cannot contradict)
        UniqueConstraint(
            "id", "holder_id", "scheme", "year", "valid_until", "face_fen", name="uq_vouchers_terms"
        ),
        CheckConstraint(_SCHEME_CHECK, name="scheme"),
        CheckConstraint(f"state IN {VOUCHER_STATES!r}", name="state"),
        CheckConstraint("face_fen > 0", name="face_positive"),
        CheckConstraint("issued_on <= valid_until", name="issued_in_window"),
        CheckConstraint("length(amount_basis) > 0", name="amount_basis_given"),
        CheckConstraint("(state = 'void') = (voided_on IS NOT NULL)", name="void_dated"),
        CheckConstraint(
            "scheme <> 'enterprise' OR ratio_item IS NOT NULL OR rate IS NOT NULL", name="ratio_set"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer, unique=True)  # one voucher per application
    holder_id: Mapped[int] = mapped_column(Integer, index=True)
    scheme: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    district: Mapped[str | None] = mapped_column(String(40))
    item: Mapped[str] = mapped_column(String(100))
    face_fen: Mapped[int] = mapped_column(BigInteger)
    ratio_item: Mapped[str | None] = mapped_column(String(100))  # 企业券: the district's ratio rule item
    rate: Mapped[str | None] = mapped_column(String(20))  # 企业券: a ratio given at issue (Decimal as text)
    amount_basis: Mapped[str] = mapped_column(Text)  # the clause and quote the amount comes from
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("voucher_providers.id"))  # 活动券
    event_ref: Mapped[str | None] = mapped_column(String(100))  # 活动券
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)  # the last day of the work year
    issued_by: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16))
    voided_on: Mapped[date | None] = mapped_column(Date)
    void_reason: Mapped[str | None] = mapped_column(Text)


_VOUCHER_TERMS = ["voucher_id", "holder_id", "scheme", "year", "valid_until", "face_fen"]
_VOUCHER_KEY = [
    "vouchers.id",
    "vouchers.holder_id",
    "vouchers.scheme",
    "vouchers.year",
    "vouchers.valid_until",
    "vouchers.face_fen",
]


class VoucherUse(Base):
    """使用: the voucher spent on a technical contract with a registered provider, or (活动券) a
    sign-in at the provider's activity that turns it into one valid service (有效服务)."""

    __tablename__ = "voucher_uses"
    __table_args__ = (
        ForeignKeyConstraint(_VOUCHER_TERMS, _VOUCHER_KEY, name="fk_voucher_uses_voucher_terms"),
        ForeignKeyConstraint(
            ["provider_id", "scheme", "provider_entity_id"],
            ["voucher_providers.id", "voucher_providers.scheme", "voucher_providers.entity_id"],
            name="fk_voucher_uses_registered_provider",
        ),
        CheckConstraint("used_on <= valid_until", name="used_in_work_year"),
        CheckConstraint("contract_fen IS NULL OR contract_fen > 0", name="contract_positive"),
        # 平台券: the platform serves under its own registration; otherwise the provider is another party
        CheckConstraint(
            "(scheme = 'platform' AND provider_entity_id = holder_id) "
            "OR (scheme <> 'platform' AND provider_entity_id <> holder_id)",
            name="provider_party",
        ),
        CheckConstraint("scheme <> 'enterprise' OR NOT investment_related", name="unrelated_provider"),
        CheckConstraint("scheme = 'activity' OR contract_fen IS NOT NULL", name="contract_amount_given"),
        # a technical contract (its registration number) backs one voucher at most
        Index(
            "uq_voucher_uses_contract",
            "provider_id",
            "ref",
            unique=True,
            sqlite_where=text("scheme <> 'activity'"),
            postgresql_where=text("scheme <> 'activity'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    voucher_id: Mapped[int] = mapped_column(Integer, unique=True)  # used once
    holder_id: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    valid_until: Mapped[date] = mapped_column(Date)
    face_fen: Mapped[int] = mapped_column(BigInteger)
    provider_id: Mapped[int] = mapped_column(Integer, index=True)
    provider_entity_id: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))  # 平台券: the enterprise served
    ref: Mapped[str] = mapped_column(String(100))  # 合同登记编号, or the activity's reference
    contract_fen: Mapped[int | None] = mapped_column(BigInteger)
    signed_on: Mapped[date] = mapped_column(Date)
    investment_related: Mapped[bool] = mapped_column(Boolean)  # 投资关联 between the two parties
    used_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))


class VoucherRedemption(Base):
    """兑现: what the voucher pays, to whom, under which clause, in its work year."""

    __tablename__ = "voucher_redemptions"
    __table_args__ = (
        ForeignKeyConstraint(_VOUCHER_TERMS, _VOUCHER_KEY, name="fk_voucher_redemptions_voucher_terms"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("amount_fen <= face_fen", name="within_face_value"),
        CheckConstraint("redeemed_on <= valid_until", name="redeemed_in_work_year"),
        CheckConstraint("length(citation) > 0", name="citation_given"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    voucher_id: Mapped[int] = mapped_column(Integer, unique=True)  # redeemed once
    use_id: Mapped[int] = mapped_column(ForeignKey("voucher_uses.id"), unique=True)
    holder_id: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer, index=True)
    valid_until: Mapped[date] = mapped_column(Date)
    face_fen: Mapped[int] = mapped_column(BigInteger)
    payee_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    district: Mapped[str | None] = mapped_column(String(40))  # whose redemption it is (cost sharing)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    citation: Mapped[str] = mapped_column(Text)
    redeemed_on: Mapped[date] = mapped_column(Date)
    redeemed_by: Mapped[str] = mapped_column(String(100))


class VoucherCap(Base):
    """A cap the texts set, counted for one party and period: what is allowed and what is used.

    ``cap`` names it (``quota`` 年度申领额度, ``holder_provider`` 12 张, ``event`` 200 次,
    ``provider_year`` 20万元, ``platform`` 平台券 per year or build period); ``unit`` is ``fen`` or a
    count; ``period`` a year ("2024") or "建设期" (a platform's build period)."""

    __tablename__ = "voucher_caps"
    __table_args__ = (
        UniqueConstraint("scheme", "cap", "party", "period", name="uq_voucher_caps_key"),
        CheckConstraint(_SCHEME_CHECK, name="scheme"),
        CheckConstraint("limit_value >= 0", name="limit_nonnegative"),
        CheckConstraint("used_value >= 0", name="used_nonnegative"),
        CheckConstraint("used_value <= limit_value", name="within_limit"),
        CheckConstraint("length(citation) > 0", name="citation_given"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(16))
    cap: Mapped[str] = mapped_column(String(40))
    party: Mapped[str] = mapped_column(String(300))  # keys of holder, organiser and activity
    period: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(8))
    limit_value: Mapped[int] = mapped_column(BigInteger)
    used_value: Mapped[int] = mapped_column(BigInteger)
    citation: Mapped[str] = mapped_column(Text)
