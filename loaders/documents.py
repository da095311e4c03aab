"""The stored lookup documents of a supply's UPRNs, refreshed in the load's transaction.

Before the apply, :func:`collect` names in a temporary table every UPRN whose document
(``address_document``, :mod:`gazetteer.address_documents`) the supply may change: the UPRN of
every staged BLPU, LPI, organisation, classification, cross reference and delivery point, the
UPRN each staged key belongs to now (a record moved to another UPRN changes the old one's
document too; a full supply names every live BLPU instead), every UPRN with an LPI on a street
whose descriptor is staged, and with a tile every UPRN of the tile's records (the apply deletes
those the tile no longer holds). After the apply, :func:`refresh` rewrites their documents with
one set-based statement each. The set is wider than the search index's (``touched_uprn``),
which follows the labels only; both are built by :func:`loaders.changesql.touched_parts`.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import address_documents
from loaders import changesql, sql, staging

_ENTITIES: Final = (
    "blpu",
    "lpi",
    "organisation",
    "classification",
    "cross_reference",
    "delivery_point",
)
"""The record types a document is made of that carry a UPRN (descriptors go by street)."""
CREATE: Final = {
    sql.POSTGRESQL: "CREATE TEMP TABLE IF NOT EXISTS touched_document (uprn bigint PRIMARY KEY)",
    sql.SQLITE: "CREATE TEMP TABLE IF NOT EXISTS touched_document (uprn INTEGER PRIMARY KEY)",
}
DROP: Final = "DROP TABLE IF EXISTS touched_document"
_UPRN: Final = sa.column("uprn", sa.BigInteger)
_TOUCHED: Final = sa.select(_UPRN).select_from(sa.table("touched_document"))
ADD_SEARCH_TOUCHED: Final = (
    "INSERT INTO touched_document (uprn) SELECT uprn FROM touched_uprn "
    "WHERE uprn IS NOT NULL ON CONFLICT DO NOTHING"
)
"""The search index's touched UPRNs, added to the set (one table for the refresh to read)."""


def touch(entities: tuple[str, ...], *, tile: bool) -> str:
    """The statement filling ``touched_document`` (``:everything = 1`` for a full supply)."""
    parts = changesql.touched_parts(_ENTITIES, entities)
    if tile:
        parts += [f"SELECT uprn FROM {entity} WHERE source_tile = :tile" for entity in _ENTITIES]
    return changesql.insert_touched("touched_document", parts)


def collect(
    session: orm.Session, entities: tuple[str, ...], *, full: bool, tile: str | None
) -> None:
    """Name the UPRNs whose documents the supply may change (before it is applied)."""
    connection = session.connection()
    connection.exec_driver_sql(DROP)
    connection.exec_driver_sql(CREATE[staging.engine_of(session)])
    params = {"everything": 1 if full else 0} | ({"tile": tile} if tile is not None else {})
    staging.execute(session, touch(entities, tile=tile is not None), **params)


def refresh(session: orm.Session) -> None:
    """Rewrite the documents of the UPRNs :func:`collect` named (after the apply), and of the
    search index's touched UPRNs (a subset, unless :func:`collect` was not called)."""
    connection = session.connection()
    connection.exec_driver_sql(CREATE[staging.engine_of(session)])
    connection.exec_driver_sql(ADD_SEARCH_TOUCHED)
    address_documents.refresh_selected(session, _TOUCHED)
    connection.exec_driver_sql(DROP)
