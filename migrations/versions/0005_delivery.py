"""Delivery: endpoint secrets and health, attempts, SQLite's dispatcher lock, operational
notices and audited operator actions on deliveries.

Revision ID: 0005_delivery
Revises: 0004_notify
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_delivery"
down_revision = "0004_notify"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dispatcher_lock",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("until", TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_dispatcher_lock")),
    )
    op.create_table(
        "ops_notice",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=True),
        sa.Column("endpoint_id", sa.String(length=36), nullable=True),
        sa.Column("delivery_id", sa.String(length=36), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.CheckConstraint(
            "kind IN ('delivery.exhausted', 'delivery.recovered', 'endpoint.disabled', 'endpoint.failing', 'feed.stale')",
            name=op.f("ck_ops_notice_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_notice")),
    )
    op.create_index(op.f("ix_ops_notice_created_at"), "ops_notice", ["created_at"], unique=False)
    op.create_index(op.f("ix_ops_notice_partner_id"), "ops_notice", ["partner_id"], unique=False)
    op.create_table(
        "endpoint_secret",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("endpoint_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=40), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(
            "direction IN ('inbound_ack', 'outbound')", name=op.f("ck_endpoint_secret_direction")
        ),
        sa.CheckConstraint("scheme IN ('v1', 'v1a')", name=op.f("ck_endpoint_secret_scheme")),
        sa.CheckConstraint(
            "state IN ('current', 'previous', 'revoked')", name=op.f("ck_endpoint_secret_state")
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"], ["endpoint.id"], name=op.f("fk_endpoint_secret_endpoint_id_endpoint")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endpoint_secret")),
    )
    op.create_index(
        op.f("ix_endpoint_secret_endpoint_id"), "endpoint_secret", ["endpoint_id"], unique=False
    )
    op.create_index(
        "uq_endpoint_secret_current",
        "endpoint_secret",
        ["endpoint_id", "direction", "scheme"],
        unique=True,
        sqlite_where=sa.text("state = 'current'"),
        postgresql_where=sa.text("state = 'current'"),
    )
    op.create_table(
        "endpoint_state",
        sa.Column("endpoint_id", sa.String(length=36), nullable=False),
        sa.Column("rate_limit_per_s", sa.Float(), nullable=False),
        sa.Column("max_in_flight", sa.Integer(), nullable=False),
        sa.Column("retry_schedule_s", JSON, nullable=True),
        sa.Column("circuit_state", sa.String(length=40), nullable=False),
        sa.Column("circuit_until", TS, nullable=True),
        sa.Column("cooldown_s", sa.Float(), nullable=False),
        sa.Column("window_started_at", TS, nullable=True),
        sa.Column("window_attempts", sa.Integer(), nullable=False),
        sa.Column("window_failures", sa.Integer(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("throttle_level", sa.Integer(), nullable=False),
        sa.Column("throttled_until", TS, nullable=True),
        sa.Column("first_failure_at", TS, nullable=True),
        sa.Column("last_failure_at", TS, nullable=True),
        sa.Column("last_failed_delivery_id", sa.String(length=36), nullable=True),
        sa.Column("last_success_at", TS, nullable=True),
        sa.Column("failing_notified", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint(
            "circuit_state IN ('closed', 'half_open', 'open')",
            name=op.f("ck_endpoint_state_circuit_state"),
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"], ["endpoint.id"], name=op.f("fk_endpoint_state_endpoint_id_endpoint")
        ),
        sa.PrimaryKeyConstraint("endpoint_id", name=op.f("pk_endpoint_state")),
    )
    op.create_table(
        "delivery_action",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.CheckConstraint(
            "action IN ('abandon', 'recover', 'reroute', 'resend')",
            name=op.f("ck_delivery_action_action"),
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name=op.f("fk_delivery_action_delivery_id_delivery")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_action")),
    )
    op.create_index(
        op.f("ix_delivery_action_delivery_id"), "delivery_action", ["delivery_id"], unique=False
    )
    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=40), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error_kind", sa.String(length=40), nullable=True),
        sa.Column("retry_after_s", sa.Float(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("possibly_received", sa.Boolean(), nullable=False),
        sa.Column("signature_kids", JSON, nullable=False),
        sa.Column("recheck", JSON, nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "error_kind IS NULL OR error_kind IN ('connect', 'dns', 'http_4xx', 'http_5xx', 'redirect', 'reset', 'ssrf_block', 'timeout', 'tls')",
            name=op.f("ck_delivery_attempt_error_kind"),
        ),
        sa.CheckConstraint(
            "phase IN ('finished', 'started')", name=op.f("ck_delivery_attempt_phase")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name=op.f("fk_delivery_attempt_delivery_id_delivery")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempt")),
        sa.UniqueConstraint(
            "delivery_id", "attempt_no", name=op.f("uq_delivery_attempt_delivery_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("delivery_attempt")
    op.drop_index(op.f("ix_delivery_action_delivery_id"), table_name="delivery_action")
    op.drop_table("delivery_action")
    op.drop_table("endpoint_state")
    op.drop_index(
        "uq_endpoint_secret_current",
        table_name="endpoint_secret",
        sqlite_where=sa.text("state = 'current'"),
        postgresql_where=sa.text("state = 'current'"),
    )
    op.drop_index(op.f("ix_endpoint_secret_endpoint_id"), table_name="endpoint_secret")
    op.drop_table("endpoint_secret")
    op.drop_index(op.f("ix_ops_notice_partner_id"), table_name="ops_notice")
    op.drop_index(op.f("ix_ops_notice_created_at"), table_name="ops_notice")
    op.drop_table("ops_notice")
    op.drop_table("dispatcher_lock")
