"""The address search index: one row per addressable label, and its word tokens.

Every label a person might type is a row of ``address_search``: each approved, alternative or
historical LPI (geographic), each delivery point (postal) and each council list address
(listed). Rows carry the label for display, its canonical text and the canonical facts the
matcher scores (so scoring needs no further query), plus the columns the filters use.
``address_search_token`` maps each canonical word, number and postcode form to its rows; it
is the candidate retrieval index on both engines. PostgreSQL also has a trigram index on the
canonical text for typo-tolerant search.

The index is derived data: :func:`gazetteer.search_index.rebuild` recomputes it from the
gazetteer tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from core.tables import BNG_SRID, Base

_CODE = sa.String(10)
_SHORT = sa.String(40)
_NAME = sa.String(255)
_LONG = sa.String(500)
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


# What a list of addresses at a postcode reads (gazetteer.search_repository.LIST_COLUMNS and
# the filters): PostgreSQL answers it from the postcode index alone (an index-only scan).
POSTCODE_COVER = (
    "uprn", "source", "source_key", "label", "label_status", "classification", "street_key",
    "pao_number", "pao_suffix", "pao_text", "sao_number", "sao_suffix", "sao_text",
    "blpu_status", "historical", "custodian", "language",
)  # fmt: skip


class AddressSearch(Base):
    __tablename__ = "address_search"
    __table_args__ = (
        sa.Index("ix_address_search_street_number", "street_key", "pao_number"),
        sa.Index(
            "ix_address_search_postcode_cover", "postcode", postgresql_include=list(POSTCODE_COVER)
        ),
        sa.Index(
            "ix_address_search_trigram",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uprn: Mapped[int] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(_CODE)
    source_key: Mapped[str] = mapped_column(_SHORT)
    language: Mapped[str] = mapped_column(_CODE)
    label: Mapped[str] = mapped_column(_LONG)
    search_text: Mapped[str] = mapped_column(_LONG)
    label_key: Mapped[str] = mapped_column(_LONG)
    postcode: Mapped[str | None] = mapped_column(_CODE)
    postcode_sector: Mapped[str | None] = mapped_column(_CODE)
    usrn: Mapped[int | None] = mapped_column(index=True)
    street_key: Mapped[str | None] = mapped_column(_NAME)
    sao_number: Mapped[int | None]
    sao_suffix: Mapped[str | None] = mapped_column(_CODE)
    sao_end_number: Mapped[int | None]
    sao_end_suffix: Mapped[str | None] = mapped_column(_CODE)
    sao_text: Mapped[str | None] = mapped_column(_NAME)
    sao_kind: Mapped[str | None] = mapped_column(_CODE)
    pao_number: Mapped[int | None]
    pao_suffix: Mapped[str | None] = mapped_column(_CODE)
    pao_end_number: Mapped[int | None]
    pao_end_suffix: Mapped[str | None] = mapped_column(_CODE)
    pao_text: Mapped[str | None] = mapped_column(_NAME)
    organisation: Mapped[str | None] = mapped_column(_NAME)
    locality: Mapped[str | None] = mapped_column(_NAME)
    town: Mapped[str | None] = mapped_column(_NAME)
    post_town: Mapped[str | None] = mapped_column(_NAME)
    classification: Mapped[str | None] = mapped_column(_CODE)
    blpu_status: Mapped[str | None] = mapped_column(_CODE)
    label_status: Mapped[str | None] = mapped_column(_CODE)
    custodian: Mapped[int | None]
    historical: Mapped[bool] = mapped_column(default=False)


class AddressSearchToken(Base):
    __tablename__ = "address_search_token"

    token: Mapped[str] = mapped_column(_SHORT, primary_key=True)
    search_id: Mapped[int] = mapped_column(primary_key=True, index=True)


class AddressDocument(Base):
    """What a UPRN lookup reads besides the BLPU row, stored so the lookup is a primary-key read.

    ``facts`` is a JSON array of the UPRN's LPIs, street descriptors, open organisations and
    classifications, open cross references and delivery points, each a JSON array of positional
    rows exactly as the live facts statement selects them (:mod:`gazetteer.address_documents`).
    Derived data: every writer of those tables refreshes the documents of the UPRNs it touched,
    in its own transaction; a UPRN without a row is read from the live tables.
    """

    __tablename__ = "address_document"

    uprn: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    facts: Mapped[str] = mapped_column(sa.Text)


class AddressPoint(Base):
    """Each UPRN's point with the label nearest and radius show for it.

    One row per BLPU with a point and a list row that passes the default filters
    (``search_repository.Filters()``): its ``geom`` and that preferred row's label, source,
    postcode and classification, chosen as ``find.summaries_of`` would
    (:mod:`gazetteer.address_points`). Nearest with the default filters is then one scan of
    this table's spatial index (PostGIS's KNN, SpatiaLite's R*Tree frame), with no read of
    the list rows per point. Derived data, rewritten with the search rows of the UPRNs a
    rebuild touches.
    """

    __tablename__ = "address_point"

    uprn: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=BNG_SRID, spatial_index=True), nullable=False
    )
    label: Mapped[str] = mapped_column(_LONG)
    source: Mapped[str] = mapped_column(_CODE)
    postcode: Mapped[str | None] = mapped_column(_CODE)
    classification: Mapped[str | None] = mapped_column(_CODE)


class MatchReview(Base):
    """A typed address a person must settle: open, then confirmed (with a UPRN) or rejected.

    ``input_key`` is the canonical form of the input; a confirmed decision is reused when the
    same key is matched again.
    """

    __tablename__ = "match_review"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'confirmed', 'rejected')", name="status"),
        sa.Index("ix_match_review_key_status", "input_key", "status"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    input_text: Mapped[str] = mapped_column(_LONG)
    input_key: Mapped[str] = mapped_column(_LONG)
    status: Mapped[str] = mapped_column(_CODE)
    candidates: Mapped[list[Any]] = mapped_column(_JSON, default=list)
    uprn: Mapped[int | None]
    decided_by: Mapped[str | None] = mapped_column(_SHORT)
    created_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]


class MatchJob(Base):
    """A batch of addresses matched in the background; rows and results kept as JSON."""

    __tablename__ = "match_job"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    status: Mapped[str] = mapped_column(_CODE)
    address_column: Mapped[str] = mapped_column(_NAME)
    rows: Mapped[list[Any]] = mapped_column(_JSON, default=list)
    results: Mapped[list[Any] | None] = mapped_column(_JSON)
    processed: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(_JSON, default=dict)
    error: Mapped[str | None] = mapped_column(_LONG)
    created_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
