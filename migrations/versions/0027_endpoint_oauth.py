"""Endpoint: optional OAuth2 client credentials for receivers behind an API gateway.

Revision ID: 0027_endpoint_oauth
Revises: 0026_sealed_secrets
Create Date: 2026-11-23

Gateways such as Azure API Management or Apigee often require an OAuth2 access token on every
request besides the Standard Webhooks signature (sharing-and-delivery §6.3: an
``authorization`` header, bearer or OAuth2 client credentials). An endpoint may name a token
endpoint, a client id, a client secret (stored sealed, like bearer tokens, ``core.sealing``)
and a scope; the hub fetches a token with ``grant_type=client_credentials`` and sends it as
``Authorization: Bearer``. A token endpoint that gives none fails the attempt as
``auth_failed``, so the attempt's error kinds gain that code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_endpoint_oauth"
down_revision = "0026_sealed_secrets"
branch_labels = None
depends_on = None

_KINDS = ("connect", "dns", "http_4xx", "http_5xx", "redirect", "reset", "ssrf_block", "timeout",
          "tls")  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("endpoint") as batch:
        batch.add_column(sa.Column("oauth_token_url", sa.String(length=2000), nullable=True))
        batch.add_column(sa.Column("oauth_client_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("oauth_client_secret", sa.String(length=1000), nullable=True))
        batch.add_column(sa.Column("oauth_scope", sa.String(length=200), nullable=True))
    _error_kinds((*_KINDS, "auth_failed"))


def downgrade() -> None:
    op.execute(sa.text("UPDATE delivery_attempt SET error_kind = 'connect' "
                       "WHERE error_kind = 'auth_failed'"))  # fmt: skip
    _error_kinds(_KINDS)
    with op.batch_alter_table("endpoint") as batch:
        for column in ("oauth_scope", "oauth_client_secret", "oauth_client_id", "oauth_token_url"):
            batch.drop_column(column)


def _error_kinds(kinds: tuple[str, ...]) -> None:
    """Replace the CHECK on delivery_attempt.error_kind (SQLite rebuilds the table)."""
    listed = ", ".join(f"'{k}'" for k in sorted(kinds))
    condition = f"error_kind IS NULL OR error_kind IN ({listed})"
    with op.batch_alter_table("delivery_attempt") as batch:
        batch.drop_constraint(op.f("ck_delivery_attempt_error_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_delivery_attempt_error_kind"), sa.text(condition))
