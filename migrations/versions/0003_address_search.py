"""The address search index: one row per addressable label, and its word tokens.

Revision ID: 0003_address_search
Revises: 0002_api_keys
Create Date: 2026-11-22

Derived data, rebuilt by ``gazetteer.search_index.rebuild``. PostgreSQL also gets a trigram
(pg_trgm, enabled by 0001) GIN index on the canonical text.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_address_search"
down_revision = "0002_api_keys"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CODE = sa.String(length=10)
SHORT = sa.String(length=40)
NAME = sa.String(length=255)
LONG = sa.String(length=500)


def upgrade() -> None:
    op.create_table(
        "address_search",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("uprn", BIGINT, nullable=False),
        sa.Column("source", CODE, nullable=False),
        sa.Column("source_key", SHORT, nullable=False),
        sa.Column("language", CODE, nullable=False),
        sa.Column("label", LONG, nullable=False),
        sa.Column("search_text", LONG, nullable=False),
        sa.Column("label_key", LONG, nullable=False),
        sa.Column("postcode", CODE, nullable=True),
        sa.Column("postcode_sector", CODE, nullable=True),
        sa.Column("usrn", BIGINT, nullable=True),
        sa.Column("street_key", NAME, nullable=True),
        sa.Column("sao_number", BIGINT, nullable=True),
        sa.Column("sao_suffix", CODE, nullable=True),
        sa.Column("sao_end_number", BIGINT, nullable=True),
        sa.Column("sao_end_suffix", CODE, nullable=True),
        sa.Column("sao_text", NAME, nullable=True),
        sa.Column("sao_kind", CODE, nullable=True),
        sa.Column("pao_number", BIGINT, nullable=True),
        sa.Column("pao_suffix", CODE, nullable=True),
        sa.Column("pao_end_number", BIGINT, nullable=True),
        sa.Column("pao_end_suffix", CODE, nullable=True),
        sa.Column("pao_text", NAME, nullable=True),
        sa.Column("organisation", NAME, nullable=True),
        sa.Column("locality", NAME, nullable=True),
        sa.Column("town", NAME, nullable=True),
        sa.Column("post_town", NAME, nullable=True),
        sa.Column("classification", CODE, nullable=True),
        sa.Column("blpu_status", CODE, nullable=True),
        sa.Column("label_status", CODE, nullable=True),
        sa.Column("custodian", BIGINT, nullable=True),
        sa.Column("historical", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_search")),
    )
    op.create_index(op.f("ix_address_search_uprn"), "address_search", ["uprn"], unique=False)
    op.create_index(op.f("ix_address_search_usrn"), "address_search", ["usrn"], unique=False)
    op.create_index(
        op.f("ix_address_search_postcode"), "address_search", ["postcode"], unique=False
    )
    op.create_index(
        "ix_address_search_street_number",
        "address_search",
        ["street_key", "pao_number"],
        unique=False,
    )
    op.create_index(
        "ix_address_search_trigram",
        "address_search",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_table(
        "address_search_token",
        sa.Column("token", SHORT, nullable=False),
        sa.Column("search_id", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("token", "search_id", name=op.f("pk_address_search_token")),
    )
    op.create_index(
        op.f("ix_address_search_token_search_id"),
        "address_search_token",
        ["search_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("address_search_token")
    op.drop_table("address_search")
