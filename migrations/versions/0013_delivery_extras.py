"""File drop batches, idempotency records, operational-webhook sends; endpoint description and
operational-events flag; the ``endpoint.recovered`` notice kind.

Revision ID: 0013_delivery_extras
Revises: 0012_interim
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013_delivery_extras"
down_revision = "0012_interim"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TZ = sa.DateTime(timezone=True)
ID = sa.String(length=36)
BATCH_STATES = "state IN ('built', 'collected', 'expired', 'withdrawn')"
OLD_KINDS = (
    "kind IN ('delivery.exhausted', 'delivery.recovered', 'endpoint.disabled', "
    "'endpoint.failing', 'feed.stale')"
)
NEW_KINDS = (
    "kind IN ('delivery.exhausted', 'delivery.recovered', 'endpoint.disabled', "
    "'endpoint.failing', 'endpoint.recovered', 'feed.stale')"
)


def upgrade() -> None:
    _file_batches()
    _idempotency()
    op.create_table(
        "ops_notice_send",
        sa.Column("id", ID, nullable=False),
        sa.Column("notice_id", ID, nullable=False),
        sa.Column("target", sa.String(length=40), nullable=False),
        sa.Column("endpoint_id", ID, nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error_kind", sa.String(length=40), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["ops_notice.id"], name=op.f("fk_ops_notice_send_notice_id_ops_notice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_notice_send")),
    )
    op.create_index(op.f("ix_ops_notice_send_notice_id"), "ops_notice_send", ["notice_id"])
    with op.batch_alter_table("endpoint") as batch:
        batch.add_column(sa.Column("description", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("operational_events", sa.Boolean(), nullable=True))
    _notice_kinds(NEW_KINDS)


def _file_batches() -> None:
    op.create_table(
        "file_batch",
        sa.Column("id", ID, nullable=False),
        sa.Column("subscription_id", ID, nullable=False),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("partner_service_id", ID, nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("built_at", TZ, nullable=False),
        sa.Column("written_at", TZ, nullable=True),
        sa.Column("collected_at", TZ, nullable=True),
        sa.CheckConstraint(BATCH_STATES, name=op.f("ck_file_batch_state")),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_file_batch_subscription_id_subscription"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_batch")),
    )
    op.create_index(op.f("ix_file_batch_subscription_id"), "file_batch", ["subscription_id"])
    op.create_table(
        "file_batch_item",
        sa.Column("delivery_id", ID, nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["file_batch.id"], name=op.f("fk_file_batch_item_batch_id_file_batch")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name=op.f("fk_file_batch_item_delivery_id_delivery")
        ),
        sa.PrimaryKeyConstraint("delivery_id", name=op.f("pk_file_batch_item")),
    )
    op.create_index(op.f("ix_file_batch_item_batch_id"), "file_batch_item", ["batch_id"])


def _idempotency() -> None:
    op.create_table(
        "idempotency_record",
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("actor", "key", name=op.f("pk_idempotency_record")),
    )
    op.create_index(op.f("ix_idempotency_record_expires_at"), "idempotency_record", ["expires_at"])


def _notice_kinds(kinds: str) -> None:
    """Replace the CHECK on ops_notice.kind (SQLite rebuilds the table)."""
    with op.batch_alter_table("ops_notice") as batch:
        batch.drop_constraint(op.f("ck_ops_notice_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_ops_notice_kind"), sa.text(kinds))


def downgrade() -> None:
    _notice_kinds(OLD_KINDS)
    with op.batch_alter_table("endpoint") as batch:
        batch.drop_column("operational_events")
        batch.drop_column("description")
    op.drop_index(op.f("ix_ops_notice_send_notice_id"), table_name="ops_notice_send")
    op.drop_table("ops_notice_send")
    op.drop_index(op.f("ix_idempotency_record_expires_at"), table_name="idempotency_record")
    op.drop_table("idempotency_record")
    op.drop_index(op.f("ix_file_batch_item_batch_id"), table_name="file_batch_item")
    op.drop_table("file_batch_item")
    op.drop_index(op.f("ix_file_batch_subscription_id"), table_name="file_batch")
    op.drop_table("file_batch")
