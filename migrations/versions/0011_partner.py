"""Partner acknowledgements and the pull-feed cursor.

Revision ID: 0011_partner
Revises: 0010_find_indexes
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_partner"
down_revision = "0010_find_indexes"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TZ = sa.DateTime(timezone=True)
OUTCOMES = "outcome IN ('applied', 'needs_info', 'not_known', 'rejected')"


def upgrade() -> None:
    op.create_table(
        "partner_ack",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("partner_case_ref", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("supersedes_ack_id", sa.String(length=36), nullable=True),
        sa.CheckConstraint(OUTCOMES, name=op.f("ck_partner_ack_outcome")),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name=op.f("fk_partner_ack_delivery_id_delivery")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_ack")),
    )
    op.create_index(op.f("ix_partner_ack_delivery_id"), "partner_ack", ["delivery_id"])
    op.create_table(
        "partner_feed_cursor",
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("committed_seq", BIGINT, nullable=False),
        sa.Column("last_fetch_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("partner_id", name=op.f("pk_partner_feed_cursor")),
    )


def downgrade() -> None:
    op.drop_table("partner_feed_cursor")
    op.drop_index(op.f("ix_partner_ack_delivery_id"), table_name="partner_ack")
    op.drop_table("partner_ack")
