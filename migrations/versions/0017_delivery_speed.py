"""Delivery: room on each page for the worker's updates (PostgreSQL fill factors).

Revision ID: 0017_delivery_speed
Revises: 0016_address_document
Create Date: 2026-11-22

The worker updates three kinds of row soon after writing them: the ``started`` attempt when
it finishes, the ledger line when its outcome moves on, and the lane at every claim. None of
these updates changes an indexed column, so PostgreSQL can write the new version on the same
page without touching any index (a heap-only tuple), but only if the page has room: filled to
100% (the default) it has none, and every index of the table gets a new entry (seven on the
ledger line). A fill factor leaves that room on pages written from now on. SQLite has no
such setting; nothing changes there.
"""

from __future__ import annotations

from alembic import op

revision = "0017_delivery_speed"
down_revision = "0016_address_document"
branch_labels = None
depends_on = None

#: Table and the share of each page new rows may fill.
FILL_FACTORS = (("delivery_attempt", 80), ("disclosure", 80), ("delivery_lane", 70))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, percent in FILL_FACTORS:
        op.execute(f"ALTER TABLE {table} SET (fillfactor = {int(percent)})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, _percent in FILL_FACTORS:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
