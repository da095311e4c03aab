"""Gazetteer change log: a classification or a point that moves is a change too.

Revision ID: 0028_change_attributes
Revises: 0027_endpoint_oauth
Create Date: 2026-11-23

Sharing-and-delivery §5.2 sends ``gazetteer.address.changed`` when an address's LPI text,
classification or geometry changes, with ``changed_attributes`` and the values before and
after. The change log recorded only label changes; a ``changed`` row now says which attributes
changed and keeps the classification and point before and after. Rows written before this
revision were label changes, so they say ``lpi_text``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_change_attributes"
down_revision = "0027_endpoint_oauth"
branch_labels = None
depends_on = None

_POINTS = ("old_x", "old_y", "new_x", "new_y")


def upgrade() -> None:
    with op.batch_alter_table("gazetteer_change") as batch:
        batch.add_column(sa.Column("changed_attributes", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("old_classification", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("new_classification", sa.String(length=10), nullable=True))
        for column in _POINTS:
            batch.add_column(sa.Column(column, sa.Double(), nullable=True))
    op.execute(
        sa.text(
            "UPDATE gazetteer_change SET changed_attributes = 'lpi_text' WHERE kind = 'changed'"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("gazetteer_change") as batch:
        for column in (*reversed(_POINTS), "new_classification", "old_classification",
                       "changed_attributes"):  # fmt: skip
            batch.drop_column(column)
