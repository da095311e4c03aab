"""Sharing: three indexes no query reads, dropped (fewer index entries per submitted move).

Revision ID: 0018_sharing_indexes
Revises: 0017_delivery_speed
Create Date: 2026-11-22

Every submitted move writes a submission, an outbox event and a ledger line per delivery;
each index of those tables is one more entry per row written. Three of them serve no query:
``ix_change_submission_reference`` (the unique ``(reference, version)`` index already leads
with the reference), ``ix_outbox_event_aggregate_id`` and ``ix_disclosure_partner_id`` (no
query looks rows up by these columns; the ledger is read by subject, submission, delivery,
consent, agreement and notice). A move writes 12 index entries fewer.
"""

from __future__ import annotations

from alembic import op

revision = "0018_sharing_indexes"
down_revision = "0017_delivery_speed"
branch_labels = None
depends_on = None

#: (index, table, column) dropped by the upgrade and made again by the downgrade.
DROPPED = (
    ("ix_change_submission_reference", "change_submission", "reference"),
    ("ix_outbox_event_aggregate_id", "outbox_event", "aggregate_id"),
    ("ix_disclosure_partner_id", "disclosure", "partner_id"),
)


def upgrade() -> None:
    for name, table, _column in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in DROPPED:
        op.create_index(name, table, [column], unique=False)
