"""The gazetteer: BS7666 records, open side tables, boundaries and load bookkeeping.

Revision ID: 0001_gazetteer
Revises:
Create Date: 2026-11-21

Creates the spatial machinery first: the ``postgis`` and ``pg_trgm`` extensions on
PostgreSQL, SpatiaLite's metadata tables on SQLite. Geometry tables go through GeoAlchemy2's
Alembic operations so that on SpatiaLite each geometry column is registered in
``geometry_columns`` and its spatial index is an R*Tree.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry, alembic_helpers  # noqa: F401 - registers the geospatial ops
from sqlalchemy.dialects import postgresql

revision = "0001_gazetteer"
down_revision = None
branch_labels = None
depends_on = None


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


PLAIN_TABLES = (
    "classification",
    "cross_reference",
    "delivery_point",
    "gazetteer_change",
    "load_run",
    "lpi",
    "organisation",
    "provenance",
    "street",
    "street_descriptor",
    "successor",
)
SPATIAL_TABLES = ("area", "blpu", "listed_address", "open_uprn", "postcode")
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _geometry(kind: str) -> Geometry:
    # The spatial index is created explicitly below, after the table.
    return Geometry(geometry_type=kind, srid=27700, spatial_index=False)


def _spatial_index(table: str) -> None:
    op.create_geospatial_index(
        f"idx_{table}_geom", table, ["geom"], unique=False, postgresql_using="gist"
    )


def _lifecycle() -> list[sa.Column[object]]:
    """The four record dates and the load run that last wrote the row, in table order."""
    return [
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("last_update_date", sa.Date(), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=True),
        sa.Column("load_run_id", sa.String(length=36), nullable=True),
    ]


def _enable_spatial_extensions() -> None:
    if _is_sqlite():
        # InitSpatialMetaData() creates spatial_ref_sys and geometry_columns; it must run
        # once, before the first geometry column is registered.
        if op.get_bind().exec_driver_sql("SELECT CheckSpatialMetaData()").scalar_one() < 1:
            op.get_bind().exec_driver_sql("SELECT InitSpatialMetaData()")
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def upgrade() -> None:
    _enable_spatial_extensions()
    op.create_geospatial_table(
        "area",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("geom", _geometry("MULTIPOLYGON"), nullable=True),
        sa.Column("load_run_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
        sa.UniqueConstraint("type", "code", "version", name="uq_area_type_code"),
    )
    _spatial_index("area")
    op.create_geospatial_table(
        "blpu",
        sa.Column(
            "uprn",
            BIGINT,
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("logical_status", sa.String(length=10), nullable=False),
        sa.Column("blpu_state", sa.String(length=10), nullable=True),
        sa.Column("blpu_state_date", sa.Date(), nullable=True),
        sa.Column("parent_uprn", BIGINT, nullable=True),
        sa.Column("x_coordinate", sa.Double(), nullable=True),
        sa.Column("y_coordinate", sa.Double(), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("geom", _geometry("POINT"), nullable=True),
        sa.Column("rpc", sa.String(length=10), nullable=True),
        sa.Column("local_custodian_code", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=10), nullable=True),
        sa.Column("addressbase_postal", sa.String(length=10), nullable=True),
        sa.Column("postal_flag_v1", sa.String(length=10), nullable=True),
        sa.Column("postcode_locator", sa.String(length=10), nullable=True),
        sa.Column("multi_occ_count", sa.Integer(), nullable=True),
        sa.Column("blpu_class", sa.String(length=10), nullable=True),
        sa.Column("ward_code", sa.String(length=10), nullable=True),
        sa.Column("parish_code", sa.String(length=10), nullable=True),
        *_lifecycle(),
        sa.PrimaryKeyConstraint("uprn", name=op.f("pk_blpu")),
    )
    _spatial_index("blpu")
    op.create_index(op.f("ix_blpu_parent_uprn"), "blpu", ["parent_uprn"], unique=False)
    op.create_index(op.f("ix_blpu_postcode_locator"), "blpu", ["postcode_locator"], unique=False)
    op.create_table(
        "classification",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("class_key", sa.String(length=20), nullable=True),
        sa.Column("uprn", BIGINT, nullable=False),
        sa.Column("classification_code", sa.String(length=10), nullable=False),
        sa.Column("class_scheme", sa.String(length=120), nullable=True),
        sa.Column("scheme_version", sa.String(length=10), nullable=True),
        *_lifecycle(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classification")),
        sa.UniqueConstraint("class_key", name=op.f("uq_classification_class_key")),
    )
    op.create_index(op.f("ix_classification_uprn"), "classification", ["uprn"], unique=False)
    op.create_table(
        "cross_reference",
        sa.Column("xref_key", sa.String(length=20), nullable=False),
        sa.Column("uprn", BIGINT, nullable=False),
        sa.Column("cross_reference", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        *_lifecycle(),
        sa.PrimaryKeyConstraint("xref_key", name=op.f("pk_cross_reference")),
    )
    op.create_index(
        op.f("ix_cross_reference_cross_reference"),
        "cross_reference",
        ["cross_reference"],
        unique=False,
    )
    op.create_index(op.f("ix_cross_reference_uprn"), "cross_reference", ["uprn"], unique=False)
    op.create_table(
        "delivery_point",
        sa.Column(
            "udprn",
            BIGINT,
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("uprn", BIGINT, nullable=False),
        sa.Column(
            "parent_addressable_uprn",
            BIGINT,
            nullable=True,
        ),
        sa.Column("organisation_name", sa.String(length=120), nullable=True),
        sa.Column("department_name", sa.String(length=120), nullable=True),
        sa.Column("sub_building_name", sa.String(length=120), nullable=True),
        sa.Column("building_name", sa.String(length=120), nullable=True),
        sa.Column("building_number", sa.Integer(), nullable=True),
        sa.Column("dependent_thoroughfare", sa.String(length=120), nullable=True),
        sa.Column("thoroughfare", sa.String(length=120), nullable=True),
        sa.Column("double_dependent_locality", sa.String(length=120), nullable=True),
        sa.Column("dependent_locality", sa.String(length=120), nullable=True),
        sa.Column("post_town", sa.String(length=120), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("postcode_type", sa.String(length=10), nullable=True),
        sa.Column("delivery_point_suffix", sa.String(length=10), nullable=True),
        sa.Column("welsh_dependent_thoroughfare", sa.String(length=120), nullable=True),
        sa.Column("welsh_thoroughfare", sa.String(length=120), nullable=True),
        sa.Column("welsh_double_dependent_locality", sa.String(length=120), nullable=True),
        sa.Column("welsh_dependent_locality", sa.String(length=120), nullable=True),
        sa.Column("welsh_post_town", sa.String(length=120), nullable=True),
        sa.Column("po_box_number", sa.String(length=10), nullable=True),
        sa.Column("process_date", sa.Date(), nullable=True),
        *_lifecycle(),
        sa.PrimaryKeyConstraint("udprn", name=op.f("pk_delivery_point")),
    )
    op.create_index(
        op.f("ix_delivery_point_postcode"), "delivery_point", ["postcode"], unique=False
    )
    op.create_index(op.f("ix_delivery_point_uprn"), "delivery_point", ["uprn"], unique=False)
    op.create_table(
        "gazetteer_change",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("load_run_id", sa.String(length=36), nullable=True),
        sa.Column("uprn", BIGINT, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("old_label", sa.String(length=500), nullable=True),
        sa.Column("new_label", sa.String(length=500), nullable=True),
        sa.Column("successor_uprn", BIGINT, nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('created', 'changed', 'retired', 'deleted')",
            name=op.f("ck_gazetteer_change_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gazetteer_change")),
    )
    op.create_index(
        op.f("ix_gazetteer_change_load_run_id"), "gazetteer_change", ["load_run_id"], unique=False
    )
    op.create_index(
        op.f("ix_gazetteer_change_occurred_at"), "gazetteer_change", ["occurred_at"], unique=False
    )
    op.create_index(op.f("ix_gazetteer_change_uprn"), "gazetteer_change", ["uprn"], unique=False)
    op.create_geospatial_table(
        "listed_address",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("list_name", sa.String(length=120), nullable=False),
        sa.Column("uprn", BIGINT, nullable=True),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("x_coordinate", sa.Double(), nullable=True),
        sa.Column("y_coordinate", sa.Double(), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("geom", _geometry("POINT"), nullable=True),
        sa.Column("load_run_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listed_address")),
    )
    _spatial_index("listed_address")
    op.create_index(
        op.f("ix_listed_address_list_name"), "listed_address", ["list_name"], unique=False
    )
    op.create_index(
        op.f("ix_listed_address_postcode"), "listed_address", ["postcode"], unique=False
    )
    op.create_index(op.f("ix_listed_address_uprn"), "listed_address", ["uprn"], unique=False)
    op.create_table(
        "load_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("schema_version", sa.String(length=10), nullable=True),
        sa.Column("file_type", sa.String(length=1), nullable=True),
        sa.Column("product", sa.String(length=120), nullable=True),
        sa.Column("area", sa.String(length=120), nullable=True),
        sa.Column("process_date", sa.Date(), nullable=True),
        sa.Column("volumes", sa.Integer(), nullable=True),
        sa.Column(
            "files",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "counts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "warnings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("unchanged", sa.Boolean(), nullable=False),
        sa.Column("report_file", sa.String(length=1000), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requested_by", sa.String(length=120), nullable=True),
        sa.CheckConstraint("file_type IN ('F', 'C')", name=op.f("ck_load_run_file_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_run")),
    )
    op.create_index(
        "ix_load_run_supply",
        "load_run",
        ["format", "product", "area", "process_date"],
        unique=False,
    )
    op.create_table(
        "lpi",
        sa.Column("lpi_key", sa.String(length=20), nullable=False),
        sa.Column("uprn", BIGINT, nullable=False),
        sa.Column("usrn", BIGINT, nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("logical_status", sa.String(length=10), nullable=False),
        sa.Column("sao_start_number", sa.Integer(), nullable=True),
        sa.Column("sao_start_suffix", sa.String(length=10), nullable=True),
        sa.Column("sao_end_number", sa.Integer(), nullable=True),
        sa.Column("sao_end_suffix", sa.String(length=10), nullable=True),
        sa.Column("sao_text", sa.String(length=255), nullable=True),
        sa.Column("pao_start_number", sa.Integer(), nullable=True),
        sa.Column("pao_start_suffix", sa.String(length=10), nullable=True),
        sa.Column("pao_end_number", sa.Integer(), nullable=True),
        sa.Column("pao_end_suffix", sa.String(length=10), nullable=True),
        sa.Column("pao_text", sa.String(length=255), nullable=True),
        sa.Column("usrn_match_indicator", sa.String(length=10), nullable=True),
        sa.Column("area_name", sa.String(length=120), nullable=True),
        sa.Column("level", sa.String(length=120), nullable=True),
        sa.Column("official_flag", sa.String(length=10), nullable=True),
        sa.Column("postal_address", sa.String(length=10), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("post_town", sa.String(length=120), nullable=True),
        *_lifecycle(),
        sa.PrimaryKeyConstraint("lpi_key", name=op.f("pk_lpi")),
    )
    op.create_index(op.f("ix_lpi_postcode"), "lpi", ["postcode"], unique=False)
    op.create_index(op.f("ix_lpi_uprn"), "lpi", ["uprn"], unique=False)
    op.create_index(op.f("ix_lpi_usrn"), "lpi", ["usrn"], unique=False)
    op.create_geospatial_table(
        "open_uprn",
        sa.Column(
            "uprn",
            BIGINT,
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("x_coordinate", sa.Double(), nullable=True),
        sa.Column("y_coordinate", sa.Double(), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("geom", _geometry("POINT"), nullable=True),
        sa.Column("load_run_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("uprn", name=op.f("pk_open_uprn")),
    )
    _spatial_index("open_uprn")
    op.create_table(
        "organisation",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("org_key", sa.String(length=20), nullable=True),
        sa.Column("uprn", BIGINT, nullable=False),
        sa.Column("organisation", sa.String(length=255), nullable=False),
        sa.Column("legal_name", sa.String(length=255), nullable=True),
        *_lifecycle(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("org_key", name=op.f("uq_organisation_org_key")),
    )
    op.create_index(op.f("ix_organisation_uprn"), "organisation", ["uprn"], unique=False)
    op.create_geospatial_table(
        "postcode",
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("positional_quality", sa.Integer(), nullable=True),
        sa.Column("eastings", BIGINT, nullable=True),
        sa.Column("northings", BIGINT, nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("geom", _geometry("POINT"), nullable=True),
        sa.Column("country_code", sa.String(length=10), nullable=True),
        sa.Column("nhs_regional_ha_code", sa.String(length=10), nullable=True),
        sa.Column("nhs_ha_code", sa.String(length=10), nullable=True),
        sa.Column("admin_county_code", sa.String(length=10), nullable=True),
        sa.Column("admin_district_code", sa.String(length=10), nullable=True),
        sa.Column("admin_ward_code", sa.String(length=10), nullable=True),
        sa.Column("load_run_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("postcode", name=op.f("pk_postcode")),
    )
    _spatial_index("postcode")
    op.create_table(
        "provenance",
        sa.Column("prov_key", sa.String(length=20), nullable=False),
        sa.Column("uprn", BIGINT, nullable=False),
        sa.Column("provenance_code", sa.String(length=10), nullable=False),
        sa.Column("annotation", sa.String(length=120), nullable=True),
        *_lifecycle(),
        sa.PrimaryKeyConstraint("prov_key", name=op.f("pk_provenance")),
    )
    op.create_index(op.f("ix_provenance_uprn"), "provenance", ["uprn"], unique=False)
    op.create_table(
        "street",
        sa.Column(
            "usrn",
            BIGINT,
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("record_type", sa.String(length=10), nullable=True),
        sa.Column("swa_org_ref_naming", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=True),
        sa.Column("state_date", sa.Date(), nullable=True),
        sa.Column("street_surface", sa.String(length=10), nullable=True),
        sa.Column("street_classification", sa.String(length=10), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("start_x", sa.Double(), nullable=True),
        sa.Column("start_y", sa.Double(), nullable=True),
        sa.Column("start_lat", sa.Double(), nullable=True),
        sa.Column("start_long", sa.Double(), nullable=True),
        sa.Column("end_x", sa.Double(), nullable=True),
        sa.Column("end_y", sa.Double(), nullable=True),
        sa.Column("end_lat", sa.Double(), nullable=True),
        sa.Column("end_long", sa.Double(), nullable=True),
        sa.Column("tolerance", sa.Integer(), nullable=True),
        *_lifecycle(),
        sa.PrimaryKeyConstraint("usrn", name=op.f("pk_street")),
    )
    op.create_table(
        "street_descriptor",
        sa.Column(
            "usrn",
            BIGINT,
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("locality", sa.String(length=120), nullable=True),
        sa.Column("town_name", sa.String(length=120), nullable=True),
        sa.Column("administrative_area", sa.String(length=120), nullable=True),
        *_lifecycle(),
        sa.PrimaryKeyConstraint("usrn", "language", name=op.f("pk_street_descriptor")),
    )
    op.create_table(
        "successor",
        sa.Column("succ_key", sa.String(length=20), nullable=False),
        sa.Column("uprn", BIGINT, nullable=False),
        sa.Column("successor", BIGINT, nullable=False),
        *_lifecycle(),
        sa.PrimaryKeyConstraint("succ_key", name=op.f("pk_successor")),
    )
    op.create_index(op.f("ix_successor_successor"), "successor", ["successor"], unique=False)
    op.create_index(op.f("ix_successor_uprn"), "successor", ["uprn"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes on both engines. On SpatiaLite, drop_geospatial_table
    # compiles to DropTable(), which also removes the R*Tree and the geometry_columns row.
    for table in PLAIN_TABLES:
        op.drop_table(table)
    for table in SPATIAL_TABLES:
        op.drop_geospatial_table(table)
