"""Acknowledgement, file-collection, stale-feed and correction details.

* ``partner_ack``: the signed ack's ``webhook-id`` (unique per partner: a repeat is the same
  ack), the Welsh message and the groups the partner says it applied (§2.4, §6.14).
* ``file_batch``: who confirmed collection and how (portal, command line, drop directory).
* ``partner_feed_cursor``: when the last ``feed.stale`` notice went out (once per stale period).
* ``change_submission``: who made a correction (citizen, agent, partner or admin, and the key).
* ``move_review``: status ``superseded`` for a review whose move version a correction replaced.

Revision ID: 0015_ack_extras
Revises: 0014_source_tile
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015_ack_extras"
down_revision = "0014_source_tile"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TZ = sa.DateTime(timezone=True)
OLD_REVIEW = "status IN ('pending', 'refused', 'released')"
NEW_REVIEW = "status IN ('pending', 'refused', 'released', 'superseded')"
ACK_INDEX = "ix_partner_ack_partner_id_ack_webhook_id"


def upgrade() -> None:
    with op.batch_alter_table("partner_ack") as batch:
        batch.add_column(sa.Column("ack_webhook_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("message_cy", sa.Text(), nullable=True))
        batch.add_column(sa.Column("fields_applied", JSON, nullable=True))
    op.create_index(ACK_INDEX, "partner_ack", ["partner_id", "ack_webhook_id"], unique=True)
    with op.batch_alter_table("file_batch") as batch:
        batch.add_column(sa.Column("collected_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("collected_via", sa.String(length=40), nullable=True))
    with op.batch_alter_table("partner_feed_cursor") as batch:
        batch.add_column(sa.Column("stale_notified_at", TZ, nullable=True))
    with op.batch_alter_table("change_submission") as batch:
        batch.add_column(sa.Column("corrected_by_kind", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("corrected_by", sa.String(length=64), nullable=True))
    _review_statuses(NEW_REVIEW)


def _review_statuses(condition: str) -> None:
    """Replace the CHECK on move_review.status (SQLite rebuilds the table)."""
    with op.batch_alter_table("move_review") as batch:
        batch.drop_constraint(op.f("ck_move_review_status"), type_="check")
        batch.create_check_constraint(op.f("ck_move_review_status"), sa.text(condition))


def downgrade() -> None:
    op.execute(sa.text("UPDATE move_review SET status = 'refused' WHERE status = 'superseded'"))
    _review_statuses(OLD_REVIEW)
    with op.batch_alter_table("change_submission") as batch:
        batch.drop_column("corrected_by")
        batch.drop_column("corrected_by_kind")
    with op.batch_alter_table("partner_feed_cursor") as batch:
        batch.drop_column("stale_notified_at")
    with op.batch_alter_table("file_batch") as batch:
        batch.drop_column("collected_via")
        batch.drop_column("collected_by")
    op.drop_index(ACK_INDEX, table_name="partner_ack")
    with op.batch_alter_table("partner_ack") as batch:
        batch.drop_column("fields_applied")
        batch.drop_column("message_cy")
        batch.drop_column("ack_webhook_id")
