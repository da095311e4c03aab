"""Finding: each UPRN's point with its preferred label, so PostGIS's nearest is one KNN scan.

Revision ID: 0019_address_point
Revises: 0018_sharing_indexes
Create Date: 2026-11-22

``address_point`` holds, per BLPU with a point and a current list row (LPI, delivery point or
listed address, not historical), the point and the label ``find.summaries_of`` prefers for it
(:mod:`gazetteer.address_points`). Nearest and radius with the default filters scan its GiST
index (SpatiaLite: its R*Tree) alone instead of probing the list rows for every point. Derived
data: the upgrade fills it from the search rows, as a rebuild of the search rows writes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry, alembic_helpers  # noqa: F401 - registers the geospatial ops

revision = "0019_address_point"
down_revision = "0018_sharing_indexes"
branch_labels = None
depends_on = None

# The preferred current list row of each BLPU with a point, as gazetteer.address_points
# writes it (by source: LPI, delivery point, listed; approved first; source key in code point
# order; id): on PostgreSQL by a lateral probe, on SQLite looked up by id.
_ORDER = """ORDER BY CASE a.source WHEN 'lpi' THEN 0 WHEN 'dpa' THEN 1 WHEN 'listed' THEN 2
    ELSE 3 END, CASE WHEN a.label_status IS NULL OR a.label_status = '1' THEN 0 ELSE 1 END,
    a.source_key {collate}, a.id LIMIT 1"""
_PREFERRED = (
    "FROM address_search a WHERE a.uprn = b.uprn AND a.source IN ('lpi', 'dpa', 'listed')"
    " AND a.historical = {false} "
)
_INSERT = "INSERT INTO address_point (uprn, geom, label, source, postcode, classification) "
FILL = {
    "postgresql": _INSERT
    + "SELECT b.uprn, b.geom, best.label, best.source, best.postcode, best.classification"
    + " FROM blpu b CROSS JOIN LATERAL (SELECT a.label, a.source, a.postcode, a.classification "
    + _PREFERRED.format(false="false")
    + _ORDER.format(collate='COLLATE "C"')
    + ") best WHERE b.geom IS NOT NULL",
    "sqlite": _INSERT
    + "SELECT b.uprn, b.geom, c.label, c.source, c.postcode, c.classification"
    + " FROM blpu b JOIN address_search c ON c.id = (SELECT a.id "
    + _PREFERRED.format(false="0")
    + _ORDER.format(collate="")
    + ") WHERE b.geom IS NOT NULL",
}


def upgrade() -> None:
    op.create_geospatial_table(
        "address_point",
        sa.Column(
            "uprn",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(geometry_type="POINT", srid=27700, spatial_index=False),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("classification", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("uprn", name=op.f("pk_address_point")),
    )
    op.execute(FILL[op.get_bind().dialect.name])  # the index is built after the rows
    op.create_geospatial_index(
        "idx_address_point_geom",
        "address_point",
        ["geom"],
        unique=False,
        postgresql_using="gist",
    )


def downgrade() -> None:
    op.drop_geospatial_table("address_point")  # its index and SpatiaLite's R*Tree with it
