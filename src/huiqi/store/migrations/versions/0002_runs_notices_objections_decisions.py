"""redemption runs, 公示 notices, objections and maker-checker decisions (huiqi.redemption.run …)

Revision ID: 0002_runs
Revises: 0001a_accounts
Create Date: 2026-11-22 00:43:50.480334
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_runs"
down_revision = "0001a_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile_snapshots",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_profile_snapshots")),
    )
    op.create_table(
        "redemption_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("prepared_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("engine_version", sa.String(length=40), nullable=False),
        sa.Column("rules_sha256", sa.String(length=64), nullable=False),
        sa.Column("evaluated", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemption_runs")),
        sa.UniqueConstraint("id", "prepared_by", name="uq_redemption_runs_id_prepared_by"),
    )
    op.create_table(
        "rule_texts",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_rule_texts")),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("working_days >= 1", name=op.f("ck_notices_working_days_positive")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["redemption_runs.id"], name=op.f("fk_notices_run_id_redemption_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("run_id", name=op.f("uq_notices_run_id")),
    )
    op.create_table(
        "run_rule_files",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=40), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["redemption_runs.id"], name=op.f("fk_run_rule_files_run_id_redemption_runs")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["rule_texts.sha256"], name=op.f("fk_run_rule_files_sha256_rule_texts")
        ),
        sa.PrimaryKeyConstraint("run_id", "document", name=op.f("pk_run_rule_files")),
    )
    op.create_table(
        "run_inputs",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("profile_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_run_inputs_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["profile_sha256"],
            ["profile_snapshots.sha256"],
            name=op.f("fk_run_inputs_profile_sha256_profile_snapshots"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["redemption_runs.id"], name=op.f("fk_run_inputs_run_id_redemption_runs")
        ),
        sa.PrimaryKeyConstraint("run_id", "entity_id", name=op.f("pk_run_inputs")),
    )
    op.create_table(
        "run_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("item_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("computed_fen", sa.BigInteger(), nullable=True),
        sa.Column("cap_fen", sa.BigInteger(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("state_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "state IN ('open', 'excluded', 'declined', 'approved', 'rejected')",
            name=op.f("ck_run_lines_state"),
        ),
        sa.CheckConstraint("status IN ('eligible', 'discretionary')", name=op.f("ck_run_lines_status")),
        sa.CheckConstraint(
            "amount_fen IS NULL OR amount_fen >= 0", name=op.f("ck_run_lines_amount_nonnegative")
        ),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name=op.f("fk_run_lines_entity_id_entities")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["redemption_runs.id"], name=op.f("fk_run_lines_run_id_redemption_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_lines")),
        sa.UniqueConstraint("run_id", "line_no", name="uq_run_lines_run_id_line_no"),
    )
    op.create_index(op.f("ix_run_lines_entity_id"), "run_lines", ["entity_id"], unique=False)
    op.create_index(op.f("ix_run_lines_run_id"), "run_lines", ["run_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("preparer", sa.String(length=100), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_key", sa.String(length=200), nullable=True),
        sa.CheckConstraint("decision IN ('approve', 'reject')", name=op.f("ck_decisions_decision")),
        sa.CheckConstraint(
            "amount_fen IS NULL OR amount_fen >= 0", name=op.f("ck_decisions_amount_nonnegative")
        ),
        sa.CheckConstraint("trim(decided_by) <> trim(preparer)", name=op.f("ck_decisions_maker_checker")),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_decisions_reason_given")),
        sa.ForeignKeyConstraint(["line_id"], ["run_lines.id"], name=op.f("fk_decisions_line_id_run_lines")),
        sa.ForeignKeyConstraint(
            ["run_id", "preparer"],
            ["redemption_runs.id", "redemption_runs.prepared_by"],
            name="fk_decisions_run_preparer",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("line_id", name=op.f("uq_decisions_line_id")),
        sa.UniqueConstraint("order_key", name=op.f("uq_decisions_order_key")),
    )
    op.create_index(op.f("ix_decisions_run_id"), "decisions", ["run_id"], unique=False)

    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("raised_by", sa.String(length=100), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("old_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("new_amount_fen", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'kept', 'changed')", name=op.f("ck_objections_state")),
        sa.CheckConstraint(
            "new_amount_fen IS NULL OR new_amount_fen >= 0", name=op.f("ck_objections_amount_nonnegative")
        ),
        sa.ForeignKeyConstraint(["line_id"], ["run_lines.id"], name=op.f("fk_objections_line_id_run_lines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    op.create_index(op.f("ix_objections_line_id"), "objections", ["line_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_objections_line_id"), table_name="objections")

    op.drop_table("objections")
    op.drop_index(op.f("ix_decisions_run_id"), table_name="decisions")

    op.drop_table("decisions")
    op.drop_index(op.f("ix_run_lines_run_id"), table_name="run_lines")
    op.drop_index(op.f("ix_run_lines_entity_id"), table_name="run_lines")

    op.drop_table("run_lines")
    op.drop_table("run_inputs")
    op.drop_table("run_rule_files")
    op.drop_table("notices")
    op.drop_table("rule_texts")
    op.drop_table("redemption_runs")
    op.drop_table("profile_snapshots")
