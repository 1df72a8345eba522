"""recognitions and their yearly evaluations (huiqi.recognitions)

Revision ID: 0004_recognitions
Revises: 0003_vouchers
Create Date: 2026-11-22 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_recognitions"
down_revision = "0003_vouchers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recognitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("issuer", sa.String(length=100), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("end_citation", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "end_reason IS NULL OR end_reason IN ('upgraded', 'revoked')",
            name=op.f("ck_recognitions_end_reason"),
        ),
        sa.CheckConstraint(
            "(ended_on IS NULL AND end_reason IS NULL) OR (ended_on IS NOT NULL AND end_reason IS NOT NULL)",
            name=op.f("ck_recognitions_end_has_reason"),
        ),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= granted_on", name=op.f("ck_recognitions_ended_after_granted")
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until >= granted_on",
            name=op.f("ck_recognitions_valid_after_granted"),
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_recognitions_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_recognitions_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognitions")),
        sa.UniqueConstraint(
            "entity_id", "scheme", "ref", "tier", name="uq_recognitions_entity_scheme_ref_tier"
        ),
    )
    op.create_index(op.f("ix_recognitions_entity_id"), "recognitions", ["entity_id"], unique=False)
    op.create_table(
        "recognition_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("effect", sa.String(length=16), nullable=False),
        sa.Column("citation", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "effect IN ('none', 'suspend', 'revoke')", name=op.f("ck_recognition_evaluations_effect")
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_recognition_evaluations_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_recognition_evaluations_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_evaluations")),
        sa.UniqueConstraint(
            "entity_id", "scheme", "ref", "year", name="uq_recognition_evaluations_chain_year"
        ),
    )
    op.create_index(
        op.f("ix_recognition_evaluations_entity_id"), "recognition_evaluations", ["entity_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_recognition_evaluations_entity_id"), table_name="recognition_evaluations")
    op.drop_table("recognition_evaluations")
    op.drop_index(op.f("ix_recognitions_entity_id"), table_name="recognitions")
    op.drop_table("recognitions")
