"""Finding: a stored per-UPRN document, so a UPRN lookup is a primary-key read.

Revision ID: 0016_address_document
Revises: 0015_ack_extras
Create Date: 2026-11-22

``address_document`` holds, per UPRN, the LPIs, street descriptors, open organisations and
classifications, open cross references and delivery points as one JSON text
(:mod:`gazetteer.address_documents`). It is derived data and starts empty: a UPRN without a
row is read from the gazetteer tables as before, and ``addresshub reindex`` (or the next load
touching the UPRN) writes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_address_document"
down_revision = "0015_ack_extras"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "address_document",
        sa.Column(
            "uprn",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("uprn", name=op.f("pk_address_document")),
    )


def downgrade() -> None:
    op.drop_table("address_document")
