"""Data protection: the erasure register, retention runs, and the ledger's delete guard.

A trigger on ``disclosure`` refuses every ``DELETE`` unless the deleting transaction holds a
row in ``ledger_delete_permit`` (only the retention job does, and only until it commits).

Revision ID: 0006_privacy
Revises: 0005_delivery
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_privacy"
down_revision = "0005_delivery"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)
REFUSAL = "disclosure rows are deleted only by the retention job"

POSTGRESQL_GUARD = (
    f"""
    CREATE FUNCTION disclosure_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM ledger_delete_permit) THEN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END
    $$
    """,
    """
    CREATE TRIGGER disclosure_delete_guard BEFORE DELETE ON disclosure
    FOR EACH ROW EXECUTE FUNCTION disclosure_delete_guard()
    """,
)
POSTGRESQL_DROP_GUARD = (
    "DROP TRIGGER IF EXISTS disclosure_delete_guard ON disclosure",
    "DROP FUNCTION IF EXISTS disclosure_delete_guard()",
)
SQLITE_GUARD = (
    f"""
    CREATE TRIGGER disclosure_delete_guard BEFORE DELETE ON disclosure
    WHEN NOT EXISTS (SELECT 1 FROM ledger_delete_permit)
    BEGIN
        SELECT RAISE(ABORT, '{REFUSAL}');
    END
    """,
)
SQLITE_DROP_GUARD = ("DROP TRIGGER IF EXISTS disclosure_delete_guard",)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "erasure_register",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("authorised_by", sa.String(length=200), nullable=False),
        sa.Column("case_ref", sa.String(length=64), nullable=True),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("executed_at", TS, nullable=False),
        sa.Column("notices_enqueued", sa.Integer(), nullable=False),
        sa.Column("impossible", JSON, nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.CheckConstraint(
            "scope IN ('subject', 'submission')", name=op.f("ck_erasure_register_scope")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_register")),
    )
    op.create_index(
        op.f("ix_erasure_register_executed_at"), "erasure_register", ["executed_at"], unique=False
    )
    op.create_table(
        "retention_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_at", TS, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_run")),
    )
    op.create_index(op.f("ix_retention_run_run_at"), "retention_run", ["run_at"], unique=False)
    op.create_table(
        "ledger_delete_permit",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_delete_permit")),
    )
    for statement in SQLITE_GUARD if _is_sqlite() else POSTGRESQL_GUARD:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DROP_GUARD if _is_sqlite() else POSTGRESQL_DROP_GUARD:
        op.execute(statement)
    op.drop_table("ledger_delete_permit")
    op.drop_index(op.f("ix_retention_run_run_at"), table_name="retention_run")
    op.drop_table("retention_run")
    op.drop_index(op.f("ix_erasure_register_executed_at"), table_name="erasure_register")
    op.drop_table("erasure_register")
