"""The tables of a redemption run (免申即享兑现): the run and what it was computed from, its candidate
lines, the 公示 (public notice), objections (异议), and decisions (审批决定) with maker-checker.

A run keeps enough to be replayed exactly: each evaluated profile (content-addressed in
``profile_snapshots``) and the text of each rule file it used (``rule_texts``), both by SHA-256.
Unchanged profiles and rule files are stored once across runs.

Maker-checker (审核分离) is a database rule too: a decision row carries the run's preparer, a
composite foreign key ties that copy to ``redemption_runs (id, prepared_by)`` so it cannot lie, and
a CHECK refuses a decision whose ``decided_by`` is the preparer.
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
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from huiqi.store.models import Base

LINE_STATUSES = ("eligible", "discretionary")
# open: on the list, undecided; excluded: withheld at run time (a ban), never on the notice;
# declined: the beneficiary gave it up (主动放弃); approved / rejected: decided.
LINE_STATES = ("open", "excluded", "declined", "approved", "rejected")
OBJECTION_STATES = ("pending", "kept", "changed")
DECISIONS = ("approve", "reject")


class RedemptionRun(Base):
    """One evaluation of the registry for a document or an item and a year (``huiqi run``)."""

    __tablename__ = "redemption_runs"
    __table_args__ = (UniqueConstraint("id", "prepared_by", name="uq_redemption_runs_id_prepared_by"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(100))  # a document ("002") or an item ("002/六/专精特新")
    documents: Mapped[list] = mapped_column(JSON)  # the documents evaluated
    year: Mapped[int] = mapped_column(Integer)
    run_on: Mapped[date] = mapped_column(Date)  # the day bans are checked on
    prepared_by: Mapped[str] = mapped_column(String(100))  # the maker (经办人)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    engine_version: Mapped[str] = mapped_column(String(40))
    rules_sha256: Mapped[str] = mapped_column(String(64))  # over the rule files' hashes, in order
    evaluated: Mapped[int] = mapped_column(Integer)  # entities evaluated


class RuleText(Base):
    """A rule file's text, by its SHA-256 (stored once whatever the number of runs using it)."""

    __tablename__ = "rule_texts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class RunRuleFile(Base):
    """Which rule file (by document and text hash) a run used."""

    __tablename__ = "run_rule_files"

    run_id: Mapped[int] = mapped_column(ForeignKey("redemption_runs.id"), primary_key=True)
    document: Mapped[str] = mapped_column(String(40), primary_key=True)
    path: Mapped[str] = mapped_column(String(300))  # relative to the policies folder, for people
    sha256: Mapped[str] = mapped_column(ForeignKey("rule_texts.sha256"))


class ProfileSnapshot(Base):
    """An evaluated profile as canonical JSON, by its SHA-256."""

    __tablename__ = "profile_snapshots"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class RunInput(Base):
    """The profile each entity was evaluated with in a run (eligible or not)."""

    __tablename__ = "run_inputs"

    run_id: Mapped[int] = mapped_column(ForeignKey("redemption_runs.id"), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    profile_sha256: Mapped[str] = mapped_column(ForeignKey("profile_snapshots.sha256"))


class RunLine(Base):
    """A candidate (候选) of a run: one entity, one item, the amount (or the ceiling) and why."""

    __tablename__ = "run_lines"
    __table_args__ = (
        UniqueConstraint("run_id", "line_no", name="uq_run_lines_run_id_line_no"),
        CheckConstraint(f"status IN {LINE_STATUSES!r}", name="status"),
        CheckConstraint(f"state IN {LINE_STATES!r}", name="state"),
        CheckConstraint("amount_fen IS NULL OR amount_fen >= 0", name="amount_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("redemption_runs.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)  # 1, 2, … in the order of the notice list
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    item: Mapped[str] = mapped_column(String(100))
    item_sha256: Mapped[str] = mapped_column(String(64))  # the item's rule definition, hashed
    status: Mapped[str] = mapped_column(String(16))
    computed_fen: Mapped[int | None] = mapped_column(BigInteger)  # as the engine computed it
    cap_fen: Mapped[int | None] = mapped_column(BigInteger)  # a discretionary line's ceiling
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)  # current: after objections
    result: Mapped[dict] = mapped_column(JSON)  # ItemResult.to_json(): status, amounts, trace
    subjects: Mapped[list] = mapped_column(JSON)  # [[subject, due_fen], …]: keys of 不重复 / 补差
    state: Mapped[str] = mapped_column(String(16))
    state_reason: Mapped[str | None] = mapped_column(Text)  # why excluded / declined
    state_by: Mapped[str | None] = mapped_column(String(100))


class Notice(Base):
    """公示: a run's list published for a window of working days (公示期)."""

    __tablename__ = "notices"
    __table_args__ = (CheckConstraint("working_days >= 1", name="working_days_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("redemption_runs.id"), unique=True)
    published_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    published_by: Mapped[str] = mapped_column(String(100))


class Objection(Base):
    """异议: raised against a line during the notice window, resolved with a reason."""

    __tablename__ = "objections"
    __table_args__ = (
        CheckConstraint(f"state IN {OBJECTION_STATES!r}", name="state"),
        CheckConstraint("new_amount_fen IS NULL OR new_amount_fen >= 0", name="amount_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("run_lines.id"), index=True)
    raised_by: Mapped[str] = mapped_column(String(100))
    raised_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
    old_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    new_amount_fen: Mapped[int | None] = mapped_column(BigInteger)


class Decision(Base):
    """审批决定: one line approved or rejected, by whom, when and why; never by the run's preparer."""

    __tablename__ = "decisions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["run_id", "preparer"],
            ["redemption_runs.id", "redemption_runs.prepared_by"],
            name="fk_decisions_run_preparer",
        ),
        CheckConstraint("trim(decided_by) <> trim(preparer)", name="maker_checker"),
        CheckConstraint(f"decision IN {DECISIONS!r}", name="decision"),
        CheckConstraint("length(reason) > 0", name="reason_given"),
        CheckConstraint("amount_fen IS NULL OR amount_fen >= 0", name="amount_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer, index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("run_lines.id"), unique=True)
    preparer: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)  # what is to be paid (approve)
    reason: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the payment order's idempotency key, derived from (run, line): set on approval
    order_key: Mapped[str | None] = mapped_column(String(200), unique=True)
