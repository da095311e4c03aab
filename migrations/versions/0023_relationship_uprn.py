"""Relationship rows found by UPRN.

Revision ID: 0023_relationship_uprn
Revises: 0022_delivery_hot
Create Date: 2026-11-23

A partner's ``applied`` acknowledgement now records that the service holds the person at the
move's new UPRN (``notify.ack_effects``), and a service's register of the UPRNs it holds
(``notify.uprn_register``) writes a row per UPRN, so the table grows to the size of the
authorities' property lists. Planning a move under a rule that requires the service to hold
someone at the old address, and routing each gazetteer change, read the rows at one UPRN
(``notify.repository.relationships_of``, ``notify.gazetteer_events``); without an index each
read walks the whole table.
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
