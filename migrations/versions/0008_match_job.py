"""Batch matching jobs: rows in, results out, matched in the background.

Revision ID: 0008_match_job
Revises: 0007_match_review
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_match_job"
down_revision = "0007_match_review"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "match_job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("address_column", sa.String(length=255), nullable=False),
        sa.Column("rows", JSON, nullable=False),
        sa.Column("results", JSON, nullable=True),
        sa.Column("processed", BIGINT, nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_match_job_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_job")),
    )


def downgrade() -> None:
    op.drop_table("match_job")
