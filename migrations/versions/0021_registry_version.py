"""The registry's version: one row that every write to a registry table moves.

Revision ID: 0021_registry_version
Revises: 0020_delivery_inline
Create Date: 2026-11-22

Every submitted move, and every batch of the delivery worker, asks whether the registry
changed since it was last read. On PostgreSQL that was a fingerprint of every registry row
(per table its row count and the sum of its rows' ``xmin``): one scan of each table, about
0.3 ms a move with 50 partners and growing with the registry. Now a trigger on each registry
table sets one row (``version``, a new number from a sequence) before each registry row is
written, and the question reads that row. A statement that writes no row moves nothing.
Each statement writing a registry table first locks that row (a statement trigger), before
it locks any registry row, so registry writers (rare: the registry file, an operator) queue
there instead of deadlocking. A rolled-back write (or savepoint) puts the row back; sequences
do not roll back, so the next write sets a number never seen before, and a version once read
never comes back with other registry rows. SQLite counts its changes its own way.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_registry_version"
down_revision = "0020_delivery_inline"
branch_labels = None
depends_on = None

#: The tables the registry is read from, as at this revision.
TABLES = (
    "partner", "partner_service", "partner_coverage", "purpose", "source_restriction",
    "data_sharing_agreement", "dsa_party", "sharing_rule", "endpoint", "subscription",
)  # fmt: skip
FUNCTION = """
CREATE FUNCTION registry_version_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_version SET version = nextval('registry_version_seq') WHERE id = 1;
    IF TG_LEVEL = 'STATEMENT' THEN
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$
"""
#: The row locked as a statement starts, before it locks any registry row, so that registry
#: writers queue there rather than deadlock (the version itself stays).
LOCK = """
CREATE FUNCTION registry_version_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM registry_version WHERE id = 1 FOR UPDATE;
    RETURN NULL;
END
$$
"""
#: The lock as a statement starts; a new version before each row is written (a statement that
#: writes none moves nothing), and on TRUNCATE.
TRIGGERS = (
    "CREATE TRIGGER registry_version_lock BEFORE INSERT OR UPDATE OR DELETE ON {}"
    " FOR EACH STATEMENT EXECUTE FUNCTION registry_version_lock()",
    "CREATE TRIGGER registry_version_move BEFORE INSERT OR UPDATE OR DELETE ON {}"
    " FOR EACH ROW EXECUTE FUNCTION registry_version_move()",
    "CREATE TRIGGER registry_version_truncate BEFORE TRUNCATE ON {}"
    " FOR EACH STATEMENT EXECUTE FUNCTION registry_version_move()",
)


def upgrade() -> None:
    op.create_table(
        "registry_version",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_registry_version_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_version")),
    )
    op.execute("INSERT INTO registry_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE registry_version_seq")
    op.execute(LOCK)
    op.execute(FUNCTION)
    for table in TABLES:
        for trigger in TRIGGERS:
            op.execute(trigger.format(table))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS registry_version_lock ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS registry_version_move ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS registry_version_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS registry_version_move()")
        op.execute("DROP FUNCTION IF EXISTS registry_version_lock()")
        op.execute("DROP SEQUENCE IF EXISTS registry_version_seq")
    op.drop_table("registry_version")
