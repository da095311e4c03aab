"""The gazetteer's tables: the BS7666 records, the open side tables and the load bookkeeping.

Column names are the domain's field names (gazetteer-standards §3), so a record maps onto its
row without a translation table. There are no foreign keys between record tables: supplies
arrive in any order and a BLPU delete does not cascade (§5.5); indexes stand in for them.
Widths are generous on purpose (§3 "Storage widths"): the validator enforces the spec's
widths, the database only stops nonsense.

Points are ``POINT`` geometries in EPSG:27700, computed in SQL from the stored eastings and
northings; WGS84 latitude and longitude are kept beside them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from core.tables import BNG_SRID, Base

CODE = sa.String(10)
KEY = sa.String(20)
LOAD_RUN_ID = sa.String(36)
POSTCODE = sa.String(10)
NAME = sa.String(120)
TEXT = sa.String(255)
COORDINATE = sa.Double[float]()
SMALL_INT = sa.Integer()
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def point_column() -> orm.MappedColumn[Any]:
    """A BNG point with a spatial index (GiST on PostgreSQL, an R*Tree on SpatiaLite)."""
    return mapped_column(Geometry("POINT", srid=BNG_SRID, spatial_index=True))


class Lifecycle:
    """The four dates every BS7666 record carries."""

    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    last_update_date: Mapped[dt.date | None]
    entry_date: Mapped[dt.date | None]


class Loaded:
    """The load run that last wrote the row (``None`` for rows written by hand)."""

    load_run_id: Mapped[str | None] = mapped_column(LOAD_RUN_ID)


class Tiled:
    """The 5 km tile whose change-only supply last wrote the row (§5.5.3; ``None`` otherwise)."""

    source_tile: Mapped[str | None] = mapped_column(sa.String(12), index=True)


class Street(Lifecycle, Loaded, Base):
    __tablename__ = "street"

    usrn: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    record_type: Mapped[str | None] = mapped_column(CODE)
    swa_org_ref_naming: Mapped[int | None] = mapped_column(SMALL_INT)
    state: Mapped[str | None] = mapped_column(CODE)
    state_date: Mapped[dt.date | None]
    street_surface: Mapped[str | None] = mapped_column(CODE)
    street_classification: Mapped[str | None] = mapped_column(CODE)
    version: Mapped[int | None] = mapped_column(SMALL_INT)
    start_x: Mapped[float | None] = mapped_column(COORDINATE)
    start_y: Mapped[float | None] = mapped_column(COORDINATE)
    start_lat: Mapped[float | None] = mapped_column(COORDINATE)
    start_long: Mapped[float | None] = mapped_column(COORDINATE)
    end_x: Mapped[float | None] = mapped_column(COORDINATE)
    end_y: Mapped[float | None] = mapped_column(COORDINATE)
    end_lat: Mapped[float | None] = mapped_column(COORDINATE)
    end_long: Mapped[float | None] = mapped_column(COORDINATE)
    tolerance: Mapped[int | None] = mapped_column(SMALL_INT)


class StreetDescriptor(Lifecycle, Loaded, Base):
    __tablename__ = "street_descriptor"

    usrn: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(CODE, primary_key=True)
    description: Mapped[str] = mapped_column(TEXT)
    locality: Mapped[str | None] = mapped_column(NAME)
    town_name: Mapped[str | None] = mapped_column(NAME)
    administrative_area: Mapped[str | None] = mapped_column(NAME)


class Blpu(Lifecycle, Loaded, Tiled, Base):
    __tablename__ = "blpu"

    uprn: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    logical_status: Mapped[str] = mapped_column(CODE)
    blpu_state: Mapped[str | None] = mapped_column(CODE)
    blpu_state_date: Mapped[dt.date | None]
    parent_uprn: Mapped[int | None] = mapped_column(index=True)
    x_coordinate: Mapped[float | None] = mapped_column(COORDINATE)
    y_coordinate: Mapped[float | None] = mapped_column(COORDINATE)
    latitude: Mapped[float | None] = mapped_column(COORDINATE)
    longitude: Mapped[float | None] = mapped_column(COORDINATE)
    geom: Mapped[WKBElement | None] = point_column()
    rpc: Mapped[str | None] = mapped_column(CODE)
    local_custodian_code: Mapped[int | None] = mapped_column(SMALL_INT)
    country: Mapped[str | None] = mapped_column(CODE)
    addressbase_postal: Mapped[str | None] = mapped_column(CODE)
    postal_flag_v1: Mapped[str | None] = mapped_column(CODE)
    postcode_locator: Mapped[str | None] = mapped_column(POSTCODE, index=True)
    multi_occ_count: Mapped[int | None] = mapped_column(SMALL_INT)
    # LLPG DTF 7.3 carries these on the BLPU; BLPU_CLASS is kept raw (§2.9).
    blpu_class: Mapped[str | None] = mapped_column(CODE)
    ward_code: Mapped[str | None] = mapped_column(CODE)
    parish_code: Mapped[str | None] = mapped_column(CODE)


class Lpi(Lifecycle, Loaded, Tiled, Base):
    __tablename__ = "lpi"

    lpi_key: Mapped[str] = mapped_column(KEY, primary_key=True)
    uprn: Mapped[int] = mapped_column(index=True)
    usrn: Mapped[int] = mapped_column(index=True)
    language: Mapped[str] = mapped_column(CODE)
    logical_status: Mapped[str] = mapped_column(CODE)
    sao_start_number: Mapped[int | None] = mapped_column(SMALL_INT)
    sao_start_suffix: Mapped[str | None] = mapped_column(CODE)
    sao_end_number: Mapped[int | None] = mapped_column(SMALL_INT)
    sao_end_suffix: Mapped[str | None] = mapped_column(CODE)
    sao_text: Mapped[str | None] = mapped_column(TEXT)
    pao_start_number: Mapped[int | None] = mapped_column(SMALL_INT)
    pao_start_suffix: Mapped[str | None] = mapped_column(CODE)
    pao_end_number: Mapped[int | None] = mapped_column(SMALL_INT)
    pao_end_suffix: Mapped[str | None] = mapped_column(CODE)
    pao_text: Mapped[str | None] = mapped_column(TEXT)
    usrn_match_indicator: Mapped[str | None] = mapped_column(CODE)
    area_name: Mapped[str | None] = mapped_column(NAME)
    level: Mapped[str | None] = mapped_column(NAME)
    official_flag: Mapped[str | None] = mapped_column(CODE)
    # LLPG DTF 7.3 carries the postal address on the LPI.
    postal_address: Mapped[str | None] = mapped_column(CODE)
    postcode: Mapped[str | None] = mapped_column(POSTCODE, index=True)
    post_town: Mapped[str | None] = mapped_column(NAME)


class CrossReference(Lifecycle, Loaded, Tiled, Base):
    __tablename__ = "cross_reference"

    xref_key: Mapped[str] = mapped_column(KEY, primary_key=True)
    uprn: Mapped[int] = mapped_column(index=True)
    cross_reference: Mapped[str] = mapped_column(NAME, index=True)
    version: Mapped[int | None] = mapped_column(SMALL_INT)
    source: Mapped[str] = mapped_column(CODE)


class Classification(Lifecycle, Loaded, Tiled, Base):
    """ABP record 32, or a DTF BLPU_CLASS under a surrogate key (``class_key`` NULL, §5.3)."""

    __tablename__ = "classification"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_key: Mapped[str | None] = mapped_column(KEY, unique=True)
    uprn: Mapped[int] = mapped_column(index=True)
    classification_code: Mapped[str] = mapped_column(CODE)
    class_scheme: Mapped[str | None] = mapped_column(NAME)
    scheme_version: Mapped[str | None] = mapped_column(CODE)


class Organisation(Lifecycle, Loaded, Tiled, Base):
    """ABP record 31, or a DTF BLPU ORGANISATION under a surrogate key (``org_key`` NULL)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_key: Mapped[str | None] = mapped_column(KEY, unique=True)
    uprn: Mapped[int] = mapped_column(index=True)
    organisation: Mapped[str] = mapped_column(TEXT)
    legal_name: Mapped[str | None] = mapped_column(TEXT)


class Successor(Lifecycle, Loaded, Tiled, Base):
    __tablename__ = "successor"

    succ_key: Mapped[str] = mapped_column(KEY, primary_key=True)
    uprn: Mapped[int] = mapped_column(index=True)
    successor: Mapped[int] = mapped_column(index=True)


class DeliveryPoint(Lifecycle, Loaded, Tiled, Base):
    __tablename__ = "delivery_point"

    udprn: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    uprn: Mapped[int] = mapped_column(index=True)
    parent_addressable_uprn: Mapped[int | None]
    organisation_name: Mapped[str | None] = mapped_column(NAME)
    department_name: Mapped[str | None] = mapped_column(NAME)
    sub_building_name: Mapped[str | None] = mapped_column(NAME)
    building_name: Mapped[str | None] = mapped_column(NAME)
    building_number: Mapped[int | None] = mapped_column(SMALL_INT)
    dependent_thoroughfare: Mapped[str | None] = mapped_column(NAME)
    thoroughfare: Mapped[str | None] = mapped_column(NAME)
    double_dependent_locality: Mapped[str | None] = mapped_column(NAME)
    dependent_locality: Mapped[str | None] = mapped_column(NAME)
    post_town: Mapped[str | None] = mapped_column(NAME)
    postcode: Mapped[str | None] = mapped_column(POSTCODE, index=True)
    postcode_type: Mapped[str | None] = mapped_column(CODE)
    delivery_point_suffix: Mapped[str | None] = mapped_column(CODE)
    welsh_dependent_thoroughfare: Mapped[str | None] = mapped_column(NAME)
    welsh_thoroughfare: Mapped[str | None] = mapped_column(NAME)
    welsh_double_dependent_locality: Mapped[str | None] = mapped_column(NAME)
    welsh_dependent_locality: Mapped[str | None] = mapped_column(NAME)
    welsh_post_town: Mapped[str | None] = mapped_column(NAME)
    po_box_number: Mapped[str | None] = mapped_column(CODE)
    process_date: Mapped[dt.date | None]


class Provenance(Lifecycle, Loaded, Base):
    __tablename__ = "provenance"

    prov_key: Mapped[str] = mapped_column(KEY, primary_key=True)
    uprn: Mapped[int] = mapped_column(index=True)
    provenance_code: Mapped[str] = mapped_column(CODE)
    annotation: Mapped[str | None] = mapped_column(NAME)


class Postcode(Loaded, Base):
    """Code-Point Open: one row per postcode unit, keyed on the normalised postcode (§5.7)."""

    __tablename__ = "postcode"

    postcode: Mapped[str] = mapped_column(POSTCODE, primary_key=True)
    positional_quality: Mapped[int | None] = mapped_column(SMALL_INT)
    eastings: Mapped[int | None]
    northings: Mapped[int | None]
    latitude: Mapped[float | None] = mapped_column(COORDINATE)
    longitude: Mapped[float | None] = mapped_column(COORDINATE)
    geom: Mapped[WKBElement | None] = point_column()
    country_code: Mapped[str | None] = mapped_column(CODE)
    nhs_regional_ha_code: Mapped[str | None] = mapped_column(CODE)
    nhs_ha_code: Mapped[str | None] = mapped_column(CODE)
    admin_county_code: Mapped[str | None] = mapped_column(CODE)
    admin_district_code: Mapped[str | None] = mapped_column(CODE)
    admin_ward_code: Mapped[str | None] = mapped_column(CODE)


class OpenUprn(Loaded, Base):
    """OS Open UPRN: a full snapshot per release, diffed by UPRN (§5.6)."""

    __tablename__ = "open_uprn"

    uprn: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    x_coordinate: Mapped[float | None] = mapped_column(COORDINATE)
    y_coordinate: Mapped[float | None] = mapped_column(COORDINATE)
    latitude: Mapped[float | None] = mapped_column(COORDINATE)
    longitude: Mapped[float | None] = mapped_column(COORDINATE)
    geom: Mapped[WKBElement | None] = point_column()


class ListedAddress(Loaded, Base):
    """A row of a council's own address list (any CSV with a UPRN and an address)."""

    __tablename__ = "listed_address"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_name: Mapped[str] = mapped_column(NAME, index=True)
    uprn: Mapped[int | None] = mapped_column(index=True)
    address: Mapped[str] = mapped_column(sa.String(500))
    postcode: Mapped[str | None] = mapped_column(POSTCODE, index=True)
    x_coordinate: Mapped[float | None] = mapped_column(COORDINATE)
    y_coordinate: Mapped[float | None] = mapped_column(COORDINATE)
    latitude: Mapped[float | None] = mapped_column(COORDINATE)
    longitude: Mapped[float | None] = mapped_column(COORDINATE)
    geom: Mapped[WKBElement | None] = point_column()


class Area(Loaded, Base):
    """A boundary (ward, parish, district, service area) from a GeoJSON load."""

    __tablename__ = "area"
    __table_args__ = (sa.UniqueConstraint("type", "code", "version", name="uq_area_type_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(40))
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(TEXT)
    version: Mapped[str] = mapped_column(sa.String(40), default="")
    geom: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=BNG_SRID, spatial_index=True)
    )


class LoadRun(Base):
    """One load of one supply, with its outcome and report."""

    __tablename__ = "load_run"
    __table_args__ = (
        sa.CheckConstraint("file_type IN ('F', 'C')", name="file_type"),
        sa.Index("ix_load_run_supply", "format", "product", "area", "process_date"),
    )

    id: Mapped[str] = mapped_column(LOAD_RUN_ID, primary_key=True)
    format: Mapped[str] = mapped_column(sa.String(20))
    schema_version: Mapped[str | None] = mapped_column(CODE)
    file_type: Mapped[str | None] = mapped_column(sa.String(1))
    product: Mapped[str | None] = mapped_column(NAME)
    area: Mapped[str | None] = mapped_column(NAME)
    process_date: Mapped[dt.date | None]
    volumes: Mapped[int | None] = mapped_column(SMALL_INT)
    files: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    unchanged: Mapped[bool] = mapped_column(default=False)
    report_file: Mapped[str | None] = mapped_column(sa.String(1000))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    requested_by: Mapped[str | None] = mapped_column(NAME)


class GazetteerChange(Base):
    """An address created, changed, retired or deleted by a load: the source of change events."""

    __tablename__ = "gazetteer_change"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('created', 'changed', 'retired', 'deleted')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    load_run_id: Mapped[str | None] = mapped_column(LOAD_RUN_ID, index=True)
    uprn: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    old_label: Mapped[str | None] = mapped_column(sa.String(500))
    new_label: Mapped[str | None] = mapped_column(sa.String(500))
    successor_uprn: Mapped[int | None]
    occurred_at: Mapped[dt.datetime] = mapped_column(index=True)
    # A ``changed`` row says what changed (comma-separated ``lpi_text``, ``classification``,
    # ``geometry``) and keeps the compared classification and point before and after.
    changed_attributes: Mapped[str | None] = mapped_column(sa.String(60))
    old_classification: Mapped[str | None] = mapped_column(CODE)
    new_classification: Mapped[str | None] = mapped_column(CODE)
    old_x: Mapped[float | None] = mapped_column(COORDINATE)
    old_y: Mapped[float | None] = mapped_column(COORDINATE)
    new_x: Mapped[float | None] = mapped_column(COORDINATE)
    new_y: Mapped[float | None] = mapped_column(COORDINATE)

    def attributes_changed(self) -> tuple[str, ...]:
        """What a ``changed`` row says changed (rows from before the column: the label)."""
        if self.kind != "changed":
            return ()
        return tuple((self.changed_attributes or "lpi_text").split(","))
