"""voucher quotas, issued vouchers, contracts and redemptions (huiqi.vouchers)

Revision ID: 0003_vouchers
Revises: 0002_runs
Create Date: 2026-11-22 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_vouchers"
down_revision = "0002_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voucher_caps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("cap", sa.String(length=40), nullable=False),
        sa.Column("party", sa.String(length=300), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("limit_value", sa.BigInteger(), nullable=False),
        sa.Column("used_value", sa.BigInteger(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "scheme IN ('enterprise', 'platform', 'activity')", name=op.f("ck_voucher_caps_scheme")
        ),
        sa.CheckConstraint("length(citation) > 0", name=op.f("ck_voucher_caps_citation_given")),
        sa.CheckConstraint("limit_value >= 0", name=op.f("ck_voucher_caps_limit_nonnegative")),
        sa.CheckConstraint("used_value <= limit_value", name=op.f("ck_voucher_caps_within_limit")),
        sa.CheckConstraint("used_value >= 0", name=op.f("ck_voucher_caps_used_nonnegative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_caps")),
        sa.UniqueConstraint("scheme", "cap", "party", "period", name="uq_voucher_caps_key"),
    )
    op.create_table(
        "voucher_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("registered_by", sa.String(length=100), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "scheme IN ('enterprise', 'platform', 'activity')", name=op.f("ck_voucher_providers_scheme")
        ),
        sa.CheckConstraint("length(basis) > 0", name=op.f("ck_voucher_providers_basis_given")),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_voucher_providers_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_providers")),
        sa.UniqueConstraint("id", "scheme", "entity_id", name="uq_voucher_providers_id_scheme_entity"),
        sa.UniqueConstraint("scheme", "entity_id", name="uq_voucher_providers_scheme_entity"),
    )
    op.create_table(
        "voucher_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_key", sa.String(length=200), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("requested_fen", sa.BigInteger(), nullable=False),
        sa.Column("cap_fen", sa.BigInteger(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("event_ref", sa.String(length=100), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("applied_by", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "scheme IN ('enterprise', 'platform', 'activity')", name=op.f("ck_voucher_applications_scheme")
        ),
        sa.CheckConstraint(
            "state IN ('applied', 'issued', 'void')", name=op.f("ck_voucher_applications_state")
        ),
        sa.CheckConstraint(
            "cap_fen IS NULL OR cap_fen >= 0", name=op.f("ck_voucher_applications_cap_nonnegative")
        ),
        sa.CheckConstraint("requested_fen > 0", name=op.f("ck_voucher_applications_requested_positive")),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["entities.id"], name=op.f("fk_voucher_applications_holder_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["voucher_providers.id"],
            name=op.f("fk_voucher_applications_provider_id_voucher_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_applications")),
        sa.UniqueConstraint("id", "holder_id", name="uq_voucher_applications_id_holder"),
        sa.UniqueConstraint("request_key", name=op.f("uq_voucher_applications_request_key")),
    )
    op.create_index(
        op.f("ix_voucher_applications_holder_id"), "voucher_applications", ["holder_id"], unique=False
    )
    op.create_table(
        "vouchers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=True),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("face_fen", sa.BigInteger(), nullable=False),
        sa.Column("ratio_item", sa.String(length=100), nullable=True),
        sa.Column("rate", sa.String(length=20), nullable=True),
        sa.Column("amount_basis", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("event_ref", sa.String(length=100), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("voided_on", sa.Date(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("(state = 'void') = (voided_on IS NOT NULL)", name=op.f("ck_vouchers_void_dated")),
        sa.CheckConstraint(
            "scheme <> 'enterprise' OR ratio_item IS NOT NULL OR rate IS NOT NULL",
            name=op.f("ck_vouchers_ratio_set"),
        ),
        sa.CheckConstraint(
            "scheme IN ('enterprise', 'platform', 'activity')", name=op.f("ck_vouchers_scheme")
        ),
        sa.CheckConstraint("state IN ('issued', 'used', 'redeemed', 'void')", name=op.f("ck_vouchers_state")),
        sa.CheckConstraint("face_fen > 0", name=op.f("ck_vouchers_face_positive")),
        sa.CheckConstraint("issued_on <= valid_until", name=op.f("ck_vouchers_issued_in_window")),
        sa.CheckConstraint("length(amount_basis) > 0", name=op.f("ck_vouchers_amount_basis_given")),
        sa.ForeignKeyConstraint(
            ["application_id", "holder_id"],
            ["voucher_applications.id", "voucher_applications.holder_id"],
            name="fk_vouchers_application_holder",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["voucher_providers.id"], name=op.f("fk_vouchers_provider_id_voucher_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.UniqueConstraint("application_id", name=op.f("uq_vouchers_application_id")),
        sa.UniqueConstraint(
            "id", "holder_id", "scheme", "year", "valid_until", "face_fen", name="uq_vouchers_terms"
        ),
    )
    op.create_index(op.f("ix_vouchers_holder_id"), "vouchers", ["holder_id"], unique=False)
    op.create_table(
        "voucher_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("face_fen", sa.BigInteger(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("provider_entity_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("contract_fen", sa.BigInteger(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("investment_related", sa.Boolean(), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "(scheme = 'platform' AND provider_entity_id = holder_id) "
            "OR (scheme <> 'platform' AND provider_entity_id <> holder_id)",
            name=op.f("ck_voucher_uses_provider_party"),
        ),
        sa.CheckConstraint(
            "scheme <> 'enterprise' OR NOT investment_related",
            name=op.f("ck_voucher_uses_unrelated_provider"),
        ),
        sa.CheckConstraint(
            "scheme = 'activity' OR contract_fen IS NOT NULL",
            name=op.f("ck_voucher_uses_contract_amount_given"),
        ),
        sa.CheckConstraint(
            "contract_fen IS NULL OR contract_fen > 0", name=op.f("ck_voucher_uses_contract_positive")
        ),
        sa.CheckConstraint("used_on <= valid_until", name=op.f("ck_voucher_uses_used_in_work_year")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["entities.id"], name=op.f("fk_voucher_uses_client_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id", "scheme", "provider_entity_id"],
            ["voucher_providers.id", "voucher_providers.scheme", "voucher_providers.entity_id"],
            name="fk_voucher_uses_registered_provider",
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id", "holder_id", "scheme", "year", "valid_until", "face_fen"],
            [
                "vouchers.id",
                "vouchers.holder_id",
                "vouchers.scheme",
                "vouchers.year",
                "vouchers.valid_until",
                "vouchers.face_fen",
            ],
            name="fk_voucher_uses_voucher_terms",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_uses")),
        sa.UniqueConstraint("voucher_id", name=op.f("uq_voucher_uses_voucher_id")),
    )
    op.create_index(op.f("ix_voucher_uses_provider_id"), "voucher_uses", ["provider_id"], unique=False)
    op.create_index(
        "uq_voucher_uses_contract",
        "voucher_uses",
        ["provider_id", "ref"],
        unique=True,
        sqlite_where=sa.text("scheme <> 'activity'"),
        postgresql_where=sa.text("scheme <> 'activity'"),
    )
    op.create_table(
        "voucher_redemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("use_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("face_fen", sa.BigInteger(), nullable=False),
        sa.Column("payee_id", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("redeemed_on", sa.Date(), nullable=False),
        sa.Column("redeemed_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("amount_fen <= face_fen", name=op.f("ck_voucher_redemptions_within_face_value")),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_voucher_redemptions_amount_positive")),
        sa.CheckConstraint("length(citation) > 0", name=op.f("ck_voucher_redemptions_citation_given")),
        sa.CheckConstraint(
            "redeemed_on <= valid_until", name=op.f("ck_voucher_redemptions_redeemed_in_work_year")
        ),
        sa.ForeignKeyConstraint(
            ["payee_id"], ["entities.id"], name=op.f("fk_voucher_redemptions_payee_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["use_id"], ["voucher_uses.id"], name=op.f("fk_voucher_redemptions_use_id_voucher_uses")
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id", "holder_id", "scheme", "year", "valid_until", "face_fen"],
            [
                "vouchers.id",
                "vouchers.holder_id",
                "vouchers.scheme",
                "vouchers.year",
                "vouchers.valid_until",
                "vouchers.face_fen",
            ],
            name="fk_voucher_redemptions_voucher_terms",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_redemptions")),
        sa.UniqueConstraint("use_id", name=op.f("uq_voucher_redemptions_use_id")),
        sa.UniqueConstraint("voucher_id", name=op.f("uq_voucher_redemptions_voucher_id")),
    )
    op.create_index(op.f("ix_voucher_redemptions_year"), "voucher_redemptions", ["year"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_voucher_redemptions_year"), table_name="voucher_redemptions")
    op.drop_table("voucher_redemptions")
    op.drop_index(
        "uq_voucher_uses_contract",
        table_name="voucher_uses",
        sqlite_where=sa.text("scheme <> 'activity'"),
        postgresql_where=sa.text("scheme <> 'activity'"),
    )
    op.drop_index(op.f("ix_voucher_uses_provider_id"), table_name="voucher_uses")
    op.drop_table("voucher_uses")
    op.drop_index(op.f("ix_vouchers_holder_id"), table_name="vouchers")
    op.drop_table("vouchers")
    op.drop_index(op.f("ix_voucher_applications_holder_id"), table_name="voucher_applications")
    op.drop_table("voucher_applications")
    op.drop_table("voucher_providers")
    op.drop_table("voucher_caps")
