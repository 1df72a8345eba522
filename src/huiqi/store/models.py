"""The tables: the registry (entities, their yearly facts and dated events), budgets, payment
orders, postings, clawbacks (追回), bans, and the hash-chained audit log.

One ``entities`` table with a ``kind`` column rather than one table per kind: a payment, a ban and
an audit entry point at "a beneficiary" whatever its kind, the rules engine reads all kinds with
one join, and the kinds differ only in which attributes they carry (kept as typed attributes).
What is required per kind (a credit code for an enterprise) is checked at import, in
``huiqi.registry``.

Every amount is an integer number of 分 (fen) in a ``BigInteger`` column whose name ends in
``_fen``; the invariants the database itself enforces are the CHECK and UNIQUE constraints below
(written down in docs/ledger.md).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so that migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ENTITY_KINDS = ("enterprise", "talent", "carrier", "institution")
ORDER_STATUSES = ("reserved", "posted", "cancelled")
# A posting moves an order's amount between the states of its budget line:
# reserve: available → reserved; post: reserved → spent (paid out); release: reserved → available.
POSTING_ENTRIES = ("reserve", "post", "release")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Entity(Base):
    """An enterprise (企业), talent (人才), carrier (载体: incubator, platform…) or institution (机构)."""

    __tablename__ = "entities"
    __table_args__ = (
        UniqueConstraint("kind", "key", name="uq_entities_kind_key"),
        CheckConstraint(f"kind IN {ENTITY_KINDS!r}", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    # Natural key: the 统一社会信用代码 (unified social credit code) for enterprises and institutions,
    # the registry's own id for talents and carriers.
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    # Typed attributes: {name: value}, values already converted (ints for *_fen, ISO text for dates).
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))


class Event(Base):
    """A dated happening in an entity's life: a recognition obtained, an award, a standard published.

    Types and attributes follow ``huiqi.rules.facts.EVENTS``. ``ref`` identifies the event within
    its entity and type: the source's own id when the file gives one, else the hash of the event's
    content, so that re-importing the same row is a no-op and a corrected row with the same ref
    replaces the old one.
    """

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("entity_id", "type", "ref", name="uq_events_entity_type_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    on_date: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)  # on_date's year, kept for cheap filtering by year
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))


class YearlyFact(Base):
    """One value of a per-year fact (``rd_expense_fen`` in 2023 …), one row per entity, year and fact.

    Long format so that two files carrying different facts for the same year add up instead of
    replacing each other; ``value`` is the typed JSON value (an int for money in fen).
    """

    __tablename__ = "yearly_facts"
    __table_args__ = (UniqueConstraint("entity_id", "year", "name", name="uq_yearly_facts_entity_year_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[object] = mapped_column(JSON)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))


class Import(Base):
    """One applied import of one file (a re-import that changes nothing records nothing)."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)


class Budget(Base):
    """A budget line for one year: a document's "每年安排预算不少于…" or an amount an official set.

    ``reserved_fen`` is held by approved orders not yet paid, ``spent_fen`` has been paid out.
    The CHECK constraints make an overrun impossible whatever the code does.
    """

    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint("line", "year", name="uq_budgets_line_year"),
        CheckConstraint("amount_fen >= 0", name="amount_nonnegative"),
        CheckConstraint("reserved_fen >= 0", name="reserved_nonnegative"),
        CheckConstraint("spent_fen >= 0", name="spent_nonnegative"),
        CheckConstraint("reserved_fen + spent_fen <= amount_fen", name="no_overrun"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line: Mapped[str] = mapped_column(String(100))  # policy line, e.g. "002/六" or a department's code
    year: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reserved_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    spent_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    citation: Mapped[str] = mapped_column(Text)  # the text or decision that set the amount


class PaymentOrder(Base):
    """An order to pay one beneficiary one item for one period.

    ``idempotency_key`` is chosen by the caller: placing the same order twice is a no-op. The
    partial UNIQUE index on (beneficiary, item, period) over orders that are not cancelled is the
    database's own guarantee that nothing is paid twice.
    """

    __tablename__ = "payment_orders"
    __table_args__ = (
        Index(
            "uq_payment_orders_once",
            "beneficiary_id",
            "item",
            "period",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("city_share_fen >= 0 AND district_share_fen >= 0", name="shares_nonnegative"),
        CheckConstraint("city_share_fen + district_share_fen = amount_fen", name="shares_add_up"),
        CheckConstraint(f"status IN {ORDER_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    item: Mapped[str] = mapped_column(String(100))  # the policy item, e.g. "002/六/（一）"
    # Items that share a cap or an upgrade ladder (晋升补差) name the same group.
    item_group: Mapped[str | None] = mapped_column(String(100), index=True)
    period: Mapped[str] = mapped_column(String(32))  # "2023", "2023H1" …
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    city_share_fen: Mapped[int] = mapped_column(BigInteger)
    district_share_fen: Mapped[int] = mapped_column(BigInteger)
    share_citation: Mapped[str | None] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(Text)  # the clause the amount is due under
    status: Mapped[str] = mapped_column(String(16))
    ordered_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Posting(Base):
    """One movement of an order's amount on its budget line; each entry at most once per order."""

    __tablename__ = "postings"
    __table_args__ = (
        UniqueConstraint("order_id", "entry", name="uq_postings_order_entry"),
        CheckConstraint(f"entry IN {POSTING_ENTRIES!r}", name="entry"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"), index=True)
    entry: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Clawback(Base):
    """追回: recovery of (part of) a paid order made on false facts. At most one per order.

    Recovered money returns to the treasury (国库), not to the year's budget line: the line's
    ``spent_fen`` keeps what was paid; the beneficiary's net "already paid" drops by the amount.
    """

    __tablename__ = "clawbacks"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_orders.id"), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(100))


class Ban(Base):
    """取消申请资格: an entity may not be paid under any policy from ``start`` until ``end`` (exclusive)."""

    __tablename__ = "bans"
    __table_args__ = (CheckConstraint("years > 0", name="years_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    years: Mapped[int] = mapped_column(Integer)
    citation: Mapped[str] = mapped_column(Text)  # the clause that sets the ban's length, quoted
    reason: Mapped[str] = mapped_column(Text)
    clawback_id: Mapped[int | None] = mapped_column(ForeignKey("clawbacks.id"))


class AuditEntry(Base):
    """One entry of the append-only, hash-chained audit log (see ``huiqi.redemption.audit``)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO-8601 UTC, stored as text so the hash is stable
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head in a single row: appending locks it, so concurrent writers cannot fork the chain."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


# The tables of redemption runs live in a module of their own; importing it here puts them on
# ``Base.metadata`` wherever the models are loaded (migrations, the schema test).
from huiqi.store import models_recognitions as _models_recognitions  # noqa: E402, F401
from huiqi.store import models_runs as _models_runs  # noqa: E402, F401
from huiqi.store import models_vouchers as _models_vouchers  # noqa: E402, F401
