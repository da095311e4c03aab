"""Delivery: rows up to a page are kept inline and uncompressed (PostgreSQL).

Revision ID: 0020_delivery_inline
Revises: 0019_address_point
Create Date: 2026-11-22

A delivery row carries its event's body and CloudEvents attributes: about 2.2 KB for a change
of address to one partner, just over the 2 KB from which PostgreSQL compresses a row's long
values (``toast_tuple_target``). Every submitted move compressed its ten deliveries' bodies
with pglz, about a tenth of the server's time for the move (measured by ``bench/sharing.py``'s
moves, server CPU per move with and without, alternating). The target is raised to what a
page holds, so a row of up to about 8 KB is written as it is: about a fifth more space for a
delivery, none of it for the ledger or the plan. SQLite has no such setting.
"""

from __future__ import annotations

from alembic import op

revision = "0020_delivery_inline"
down_revision = "0019_address_point"
branch_labels = None
depends_on = None

#: The largest target PostgreSQL accepts with 8 KB pages (``TOAST_TUPLE_TARGET_MAIN``).
INLINE = 8160


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE delivery SET (toast_tuple_target = {INLINE})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE delivery RESET (toast_tuple_target)")
