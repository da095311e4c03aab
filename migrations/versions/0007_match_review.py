"""Clerical review of doubtful matches: the queue and the decisions reused next time.

Revision ID: 0007_match_review
Revises: 0006_privacy
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007_match_review"
down_revision = "0006_privacy"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "match_review",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("input_text", sa.String(length=500), nullable=False),
        sa.Column("input_key", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("candidates", JSON, nullable=False),
        sa.Column("uprn", BIGINT, nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'confirmed', 'rejected')", name=op.f("ck_match_review_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_review")),
    )
    op.create_index(
        "ix_match_review_key_status", "match_review", ["input_key", "status"], unique=False
    )


def downgrade() -> None:
    op.drop_table("match_review")
