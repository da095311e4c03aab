"""The 5 km tile a BLPU-group row was last supplied in, so a tile change-only supply can
delete exactly its tile's rows (gazetteer-standards §5.5.3).

Revision ID: 0014_source_tile
Revises: 0013_delivery_extras
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_source_tile"
down_revision = "0013_delivery_extras"
branch_labels = None
depends_on = None

TILED = (
    "blpu",
    "lpi",
    "cross_reference",
    "classification",
    "organisation",
    "successor",
    "delivery_point",
)


def upgrade() -> None:
    for table in TILED:
        op.add_column(table, sa.Column("source_tile", sa.String(length=12), nullable=True))
        op.create_index(op.f(f"ix_{table}_source_tile"), table, ["source_tile"], unique=False)


def downgrade() -> None:
    for table in TILED:
        op.drop_index(op.f(f"ix_{table}_source_tile"), table_name=table)
        # Plain ALTER TABLE on both engines (SQLite >= 3.35): a batch rebuild of the spatial
        # BLPU table is refused by SpatiaLite's triggers.
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN source_tile"))  # our own names
