"""The tables of recognitions (认定、备案) with a lifecycle, and their yearly evaluations (年度考核、备案).

A recognition is a chain of *steps* sharing one ``ref`` (the certificate or filing number the
registry uses): the first grant, then each upgrade (众创空间 市级 → 国家级, 数字化车间 → 智能工厂,
股改 → 辅导备案 → 上市) as a new step. A step holds from ``granted_on`` to ``valid_until`` (when the
text or the certificate gives one) and ends early when the next step supersedes it (``upgraded``) or
the recognition is revoked (``revoked``, with the clause that revokes it). What the steps mean for
the engine (events and yearly facts) is derived in ``huiqi.recognitions.facts``; the schemes are in
``huiqi.recognitions.schemes``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from huiqi.store.models import Base

END_REASONS = ("upgraded", "revoked")
# What an evaluation did to its recognition: nothing, 取消当年享受扶持政策的资格 (suspend that year),
# or 取消资格 / 摘牌 (revoke from the evaluation day).
EVALUATION_EFFECTS = ("none", "suspend", "revoke")


class Recognition(Base):
    """One step of a recognition: its tier (级别、档次、阶段), who granted it when, how long it holds."""

    __tablename__ = "recognitions"
    __table_args__ = (
        UniqueConstraint("entity_id", "scheme", "ref", "tier", name="uq_recognitions_entity_scheme_ref_tier"),
        CheckConstraint("valid_until IS NULL OR valid_until >= granted_on", name="valid_after_granted"),
        CheckConstraint("ended_on IS NULL OR ended_on >= granted_on", name="ended_after_granted"),
        CheckConstraint(
            "(ended_on IS NULL AND end_reason IS NULL) OR (ended_on IS NOT NULL AND end_reason IS NOT NULL)",
            name="end_has_reason",
        ),
        CheckConstraint(f"end_reason IS NULL OR end_reason IN {END_REASONS!r}", name="end_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(32))  # a key of huiqi.recognitions.schemes.SCHEMES
    ref: Mapped[str] = mapped_column(String(64))  # the registry's id of the recognition, shared by its steps
    tier: Mapped[str] = mapped_column(String(32))
    granted_on: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(100))  # the issuing body (认定部门), e.g. 杭州市科学技术局
    valid_until: Mapped[date | None] = mapped_column(Date)  # last day it holds; NULL: no term stated
    ended_on: Mapped[date | None] = mapped_column(Date)  # first day it no longer holds (upgraded, revoked)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    end_citation: Mapped[str | None] = mapped_column(Text)
    # attributes of the step's event the scheme does not fix (e.g. the exchange of a listing)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))


class RecognitionEvaluation(Base):
    """One yearly result of a recognition (优秀 / 良好 / 合格 / 不合格, 已备案 / 未备案), and what it did."""

    __tablename__ = "recognition_evaluations"
    __table_args__ = (
        UniqueConstraint("entity_id", "scheme", "ref", "year", name="uq_recognition_evaluations_chain_year"),
        CheckConstraint(f"effect IN {EVALUATION_EFFECTS!r}", name="effect"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)  # the year whose facts the result is (the assessed year)
    result: Mapped[str] = mapped_column(String(16))
    evaluated_on: Mapped[date] = mapped_column(Date)
    effect: Mapped[str] = mapped_column(String(16))
    citation: Mapped[str | None] = mapped_column(Text)  # the clause that gives the effect, quoted
    recorded_by: Mapped[str] = mapped_column(String(100))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
