"""Gazetteer event marks, move blocks and moves held for review.

Revision ID: 0009_review
Revises: 0008_match_job
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009_review"
down_revision = "0008_match_job"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gazetteer_event_mark",
        sa.Column("change_id", BIGINT, autoincrement=False, nullable=False),
        sa.Column("outbox_event_id", sa.String(length=36), nullable=True),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("published_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("change_id", name=op.f("pk_gazetteer_event_mark")),
    )
    op.create_table(
        "move_block",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("uprn", BIGINT, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("lifted_at", TZ, nullable=True),
        sa.Column("lifted_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_move_block")),
    )
    op.create_index(op.f("ix_move_block_uprn"), "move_block", ["uprn"], unique=False)
    op.create_table(
        "move_review",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("held_at", TZ, nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'refused', 'released')", name=op.f("ck_move_review_status")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["change_submission.id"],
            name=op.f("fk_move_review_submission_id_change_submission"),
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_move_review")),
    )


def downgrade() -> None:
    op.drop_table("move_review")
    op.drop_index(op.f("ix_move_block_uprn"), table_name="move_block")
    op.drop_table("move_block")
    op.drop_table("gazetteer_event_mark")
