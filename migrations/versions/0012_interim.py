"""Interim addresses: a new address the gazetteer lacks, or text with no confident match,
waiting for the custodian; the submission points at it while its new UPRN is pending.

Revision ID: 0012_interim
Revises: 0011_partner
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012_interim"
down_revision = "0011_partner"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TZ = sa.DateTime(timezone=True)
ORIGINS = "origin IN ('no_confident_match', 'not_listed')"
STATUSES = "status IN ('open', 'rejected', 'resolved')"


def upgrade() -> None:
    op.create_table(
        "interim_address",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("address_text", sa.Text(), nullable=True),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("pending_consents", JSON, nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("resolved_uprn", BIGINT, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("closed_at", TZ, nullable=True),
        sa.CheckConstraint(ORIGINS, name=op.f("ck_interim_address_origin")),
        sa.CheckConstraint(STATUSES, name=op.f("ck_interim_address_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interim_address")),
    )
    op.create_index(op.f("ix_interim_address_reference"), "interim_address", ["reference"])
    op.create_index(op.f("ix_interim_address_status"), "interim_address", ["status"])
    op.add_column(
        "change_submission",
        sa.Column("new_interim_id", sa.String(length=36), nullable=True),
    )
    op.create_index(
        op.f("ix_change_submission_new_interim_id"), "change_submission", ["new_interim_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_change_submission_new_interim_id"), table_name="change_submission")
    with op.batch_alter_table("change_submission") as batch:
        batch.drop_column("new_interim_id")
    op.drop_index(op.f("ix_interim_address_status"), table_name="interim_address")
    op.drop_index(op.f("ix_interim_address_reference"), table_name="interim_address")
    op.drop_table("interim_address")
