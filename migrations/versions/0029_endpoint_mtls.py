"""Endpoint: an optional client certificate the hub presents to the receiver (mutual TLS).

Revision ID: 0029_endpoint_mtls
Revises: 0028_change_attributes
Create Date: 2026-11-30

Receivers on private networks (PSN, HSCN) and behind some gateways ask every client for a
certificate during the TLS handshake (sharing-and-delivery §6.3: "mTLS is used if
configured"). An endpoint may keep a client certificate chain (PEM, public), its private key
(PEM, stored sealed like bearer tokens and OAuth2 secrets, ``core.sealing``) and CA
certificates (PEM) to verify the receiver's server certificate against instead of the system
trust store. A refused handshake is already the attempt error kind ``tls``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_endpoint_mtls"
down_revision = "0028_change_attributes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("endpoint") as batch:
        batch.add_column(sa.Column("mtls_certificate", sa.Text(), nullable=True))
        batch.add_column(sa.Column("mtls_private_key", sa.String(length=16000), nullable=True))
        batch.add_column(sa.Column("mtls_ca_certificates", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("endpoint") as batch:
        for column in ("mtls_ca_certificates", "mtls_private_key", "mtls_certificate"):
            batch.drop_column(column)
