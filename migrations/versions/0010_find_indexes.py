"""Finding: the postcode index of the address search rows covers a postcode list.

Revision ID: 0010_find_indexes
Revises: 0009_review
Create Date: 2026-11-22

``GET /v1/addresses?postcode=`` reads the label, the natural-order and the filter columns of
every row at a postcode. On PostgreSQL the postcode index now INCLUDEs them, so the list is an
index-only scan (no heap page per row, however the rows were loaded). SQLite keeps a plain
postcode index under the new name.
"""

from __future__ import annotations

from alembic import op

revision = "0010_find_indexes"
down_revision = "0009_review"
branch_labels = None
depends_on = None

COVER = [
    "uprn", "source", "source_key", "label", "label_status", "classification", "street_key",
    "pao_number", "pao_suffix", "pao_text", "sao_number", "sao_suffix", "sao_text",
    "blpu_status", "historical", "custodian", "language",
]  # fmt: skip


def upgrade() -> None:
    op.create_index(
        "ix_address_search_postcode_cover",
        "address_search",
        ["postcode"],
        unique=False,
        postgresql_include=COVER,
    )
    op.drop_index(op.f("ix_address_search_postcode"), table_name="address_search")


def downgrade() -> None:
    op.create_index(
        op.f("ix_address_search_postcode"), "address_search", ["postcode"], unique=False
    )
    op.drop_index("ix_address_search_postcode_cover", table_name="address_search")
