"""Delivery: updates that touch no index (no index on ``state``; room on each page).

Revision ID: 0022_delivery_hot
Revises: 0021_registry_version
Create Date: 2026-11-23

The worker updates each delivery twice (put in flight, then settled), and each update changes
its ``state``. With ``state`` in an index (``ix_delivery_state_next_attempt_at``) no such
update can be heap-only on PostgreSQL: every one wrote a new entry into each of the table's
eight indexes, about a third of the worker's database time. Without it, and with a fill
factor of 80 leaving room on pages written from now on, about four in five of those updates
stay on their page and touch no index (measured in ``bench/delivery_worker.py``'s claim loop:
the statements' time per delivery roughly halved).

What the index served reads otherwise: a lane's head by ``(ordering_key, seq)``, the queue
per endpoint, partner and consent by their own indexes; the daily retention run and an
operator's log filtered by state alone scan instead. SQLite has no fill factor; the index is
dropped there too (one index update less per state change).
"""

from __future__ import annotations

from alembic import op

revision = "0022_delivery_hot"
down_revision = "0021_registry_version"
branch_labels = None
depends_on = None

INDEX = "ix_delivery_state_next_attempt_at"
FILL_FACTOR = 80


def upgrade() -> None:
    op.drop_index(INDEX, table_name="delivery")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE delivery SET (fillfactor = {FILL_FACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE delivery RESET (fillfactor)")
    op.create_index(INDEX, "delivery", ["state", "next_attempt_at"], unique=False)
