"""Endpoint signing secrets and bearer tokens stored sealed.

Revision ID: 0026_sealed_secrets
Revises: 0025_subscription_feed
Create Date: 2026-11-23

Sharing-and-delivery §6.3 keeps secrets encrypted at rest: a database dump alone must not let
anyone sign events as the hub or call a partner's receiver. Values are sealed with AES-256-GCM
under a key derived from ``ADDRESSHUB_SECRET_KEY`` (``core.sealing``); this revision seals the
rows already stored (with the key of the environment it runs in) and widens the bearer token
column for the sealed form. Downgrading opens them again.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from core import sealing

revision = "0026_sealed_secrets"
down_revision = "0025_subscription_feed"
branch_labels = None
depends_on = None

_COLUMNS = (("endpoint_secret", "secret"), ("endpoint", "bearer_token"))


def upgrade() -> None:
    with op.batch_alter_table("endpoint") as batch:
        batch.alter_column(
            "bearer_token", type_=sa.String(length=1000), existing_type=sa.String(length=500)
        )
    key = sealing.deployment_key()
    _rewrite(lambda value: value if sealing.is_sealed(value) else sealing.seal(value, key))


def downgrade() -> None:
    key = sealing.deployment_key()
    _rewrite(lambda value: sealing.unseal(value, key))
    with op.batch_alter_table("endpoint") as batch:
        batch.alter_column(
            "bearer_token", type_=sa.String(length=500), existing_type=sa.String(length=1000)
        )


def _rewrite(change: Callable[[str], str]) -> None:
    connection = op.get_bind()
    for table, column in _COLUMNS:
        rows = connection.execute(
            sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
        ).all()
        update = sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id")
        for row_id, value in rows:
            connection.execute(update, {"id": row_id, "value": change(value)})
