"""API keys: one role each, stored as a keyed hash.

Revision ID: 0002_api_keys
Revises: 0001_gazetteer
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_api_keys"
down_revision = "0001_gazetteer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.Column("submission_ref", sa.String(length=64), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'dpo', 'custodian', 'agent', 'partner', 'citizen')",
            name=op.f("ck_api_key_role"),
        ),
        sa.CheckConstraint(
            "(role = 'partner') = (partner_id IS NOT NULL)",
            name=op.f("ck_api_key_partner_binding"),
        ),
        sa.CheckConstraint(
            "(role = 'citizen') = (submission_ref IS NOT NULL)",
            name=op.f("ck_api_key_submission_binding"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )


def downgrade() -> None:
    op.drop_table("api_key")
