"""Pull feed: a committed cursor per pull subscription.

Revision ID: 0025_subscription_feed
Revises: 0024_endpoint_bearer
Create Date: 2026-11-23

A partner's services are often separate back-office systems: each reads the feed of its own
pull subscription (``GET /v1/feed?subscription=``, sharing-and-delivery §6.12) and commits
it without moving the others' place. The partner-wide cursor stays for the partner-wide feed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_subscription_feed"
down_revision = "0024_endpoint_bearer"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "subscription_feed_cursor",
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("committed_seq", BIGINT, nullable=False),
        sa.Column("last_fetch_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_subscription_feed_cursor_subscription_id_subscription"),
        ),
        sa.PrimaryKeyConstraint("subscription_id", name=op.f("pk_subscription_feed_cursor")),
    )


def downgrade() -> None:
    op.drop_table("subscription_feed_cursor")
