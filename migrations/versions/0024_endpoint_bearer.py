"""Endpoint: an optional bearer token sent with every request to it.

Revision ID: 0024_endpoint_bearer
Revises: 0023_relationship_uprn
Create Date: 2026-11-23

Receivers behind an API gateway often require their own credential besides the Standard
Webhooks signature (sharing-and-delivery §6.3: an optional ``authorization`` header). A partner
sets the token on its endpoint; the hub sends ``Authorization: Bearer <token>`` with each
delivery, test event, operational event and validation request to it. The token is never shown
again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_endpoint_bearer"
down_revision = "0023_relationship_uprn"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("endpoint") as batch:
        batch.add_column(sa.Column("bearer_token", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("endpoint") as batch:
        batch.drop_column("bearer_token")
