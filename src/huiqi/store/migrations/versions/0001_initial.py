"""registry, budgets, payment orders, postings, clawbacks, bans, audit log

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-21 23:54:41.404451
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reserved_fen", sa.BigInteger(), nullable=False),
        sa.Column("spent_fen", sa.BigInteger(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_budgets_amount_nonnegative")),
        sa.CheckConstraint("reserved_fen + spent_fen <= amount_fen", name=op.f("ck_budgets_no_overrun")),
        sa.CheckConstraint("reserved_fen >= 0", name=op.f("ck_budgets_reserved_nonnegative")),
        sa.CheckConstraint("spent_fen >= 0", name=op.f("ck_budgets_spent_nonnegative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint("line", "year", name="uq_budgets_line_year"),
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('enterprise', 'talent', 'carrier', 'institution')", name=op.f("ck_entities_kind")
        ),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name=op.f("fk_entities_import_id_imports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
        sa.UniqueConstraint("kind", "key", name="uq_entities_kind_key"),
    )
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entities_credit_code"), ["credit_code"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name=op.f("fk_events_entity_id_entities")),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name=op.f("fk_events_import_id_imports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("entity_id", "type", "ref", name="uq_events_entity_type_ref"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_type"), ["type"], unique=False)

    op.create_table(
        "yearly_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_yearly_facts_entity_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_yearly_facts_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yearly_facts")),
        sa.UniqueConstraint("entity_id", "year", "name", name="uq_yearly_facts_entity_year_name"),
    )
    with op.batch_alter_table("yearly_facts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_yearly_facts_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "payment_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("item_group", sa.String(length=100), nullable=True),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("city_share_fen", sa.BigInteger(), nullable=False),
        sa.Column("district_share_fen", sa.BigInteger(), nullable=False),
        sa.Column("share_citation", sa.Text(), nullable=True),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('reserved', 'posted', 'cancelled')", name=op.f("ck_payment_orders_status")
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_payment_orders_amount_positive")),
        sa.CheckConstraint(
            "city_share_fen + district_share_fen = amount_fen", name=op.f("ck_payment_orders_shares_add_up")
        ),
        sa.CheckConstraint(
            "city_share_fen >= 0 AND district_share_fen >= 0",
            name=op.f("ck_payment_orders_shares_nonnegative"),
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"], ["entities.id"], name=op.f("fk_payment_orders_beneficiary_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budgets.id"], name=op.f("fk_payment_orders_budget_id_budgets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_orders")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payment_orders_idempotency_key")),
    )
    with op.batch_alter_table("payment_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_orders_beneficiary_id"), ["beneficiary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payment_orders_budget_id"), ["budget_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_orders_item_group"), ["item_group"], unique=False)
        batch_op.create_index(
            "uq_payment_orders_once",
            ["beneficiary_id", "item", "period"],
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        )

    op.create_table(
        "clawbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_clawbacks_amount_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["payment_orders.id"], name=op.f("fk_clawbacks_order_id_payment_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clawbacks")),
        sa.UniqueConstraint("order_id", name=op.f("uq_clawbacks_order_id")),
    )
    op.create_table(
        "postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("entry", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("entry IN ('reserve', 'post', 'release')", name=op.f("ck_postings_entry")),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_postings_amount_positive")),
        sa.ForeignKeyConstraint(["budget_id"], ["budgets.id"], name=op.f("fk_postings_budget_id_budgets")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["payment_orders.id"], name=op.f("fk_postings_order_id_payment_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postings")),
        sa.UniqueConstraint("order_id", "entry", name="uq_postings_order_entry"),
    )
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_postings_budget_id"), ["budget_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_postings_order_id"), ["order_id"], unique=False)

    op.create_table(
        "bans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("clawback_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("years > 0", name=op.f("ck_bans_years_positive")),
        sa.ForeignKeyConstraint(
            ["clawback_id"], ["clawbacks.id"], name=op.f("fk_bans_clawback_id_clawbacks")
        ),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name=op.f("fk_bans_entity_id_entities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bans")),
    )
    with op.batch_alter_table("bans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bans_entity_id"), ["entity_id"], unique=False)

    # The audit chain starts from the genesis hash (64 zeros) at sequence 0.
    op.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")


def downgrade() -> None:
    with op.batch_alter_table("bans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bans_entity_id"))

    op.drop_table("bans")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postings_order_id"))
        batch_op.drop_index(batch_op.f("ix_postings_budget_id"))

    op.drop_table("postings")
    op.drop_table("clawbacks")
    with op.batch_alter_table("payment_orders", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payment_orders_once",
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        )
        batch_op.drop_index(batch_op.f("ix_payment_orders_item_group"))
        batch_op.drop_index(batch_op.f("ix_payment_orders_budget_id"))
        batch_op.drop_index(batch_op.f("ix_payment_orders_beneficiary_id"))

    op.drop_table("payment_orders")
    with op.batch_alter_table("yearly_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_yearly_facts_entity_id"))

    op.drop_table("yearly_facts")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_type"))
        batch_op.drop_index(batch_op.f("ix_events_entity_id"))

    op.drop_table("events")
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entities_credit_code"))

    op.drop_table("entities")
    op.drop_table("imports")
    op.drop_table("budgets")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
