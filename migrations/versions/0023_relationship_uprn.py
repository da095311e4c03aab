"""Relationship rows found by UPRN.

Revision ID: 0023_relationship_uprn
Revises: 0022_delivery_hot
Create Date: 2026-11-23

A partner's ``applied`` acknowledgement now records that the service holds the person at the
move's new UPRN (``notify.ack_effects``), so the table grows with every applied move. Planning
a move under a rule that requires the service to hold someone at the old address reads the
rows at that UPRN (``notify.repository.relationships_of``); without an index that read walks
the whole table.
"""

from __future__ import annotations

from alembic import op

revision = "0023_relationship_uprn"
down_revision = "0022_delivery_hot"
branch_labels = None
depends_on = None

INDEX = "ix_relationship_uprn"


def upgrade() -> None:
    op.create_index(INDEX, "relationship", ["uprn"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="relationship")
