"""Keep the stored lookup documents (``address_document``) in step with the gazetteer.

A UPRN lookup reads its BLPU row and its stored document by primary key
(:func:`gazetteer.facts_query.read`). Every writer of the tables a document is made of (BLPUs,
LPIs, street descriptors, organisations, classifications, cross references, delivery points)
refreshes the documents of the UPRNs it touched, in its own transaction: the repository's
``save_records``, the loaders (``loaders.documents``) and ``addresshub reindex``. A refresh is
set-based: the chosen UPRNs' rows are deleted and written again with one
``INSERT ... SELECT`` of :func:`gazetteer.facts_query.stored_facts`, so a UPRN whose BLPU is
gone loses its document, and nothing passes through Python row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import facts_query, tables
from gazetteer.search_tables import AddressDocument

BATCH: Final = 500


def _table() -> sa.Table:
    table = AddressDocument.__table__
    assert isinstance(table, sa.Table)
    return table


_DOCUMENT: Final = _table()


def refresh(session: orm.Session, uprns: Iterable[int] | None = None) -> None:
    """Write the documents of ``uprns`` (every UPRN when ``None``) afresh from the gazetteer."""
    if uprns is None:
        _replace(session, None)
        return
    chosen = sorted(set(uprns))
    for start in range(0, len(chosen), BATCH):
        batch = chosen[start : start + BATCH]
        _replace(session, batch)


def refresh_selected(session: orm.Session, uprns: sa.Select[Any]) -> None:
    """:func:`refresh` for the UPRNs ``uprns`` selects (a temporary table of a load)."""
    _replace(session, uprns)


def _replace(session: orm.Session, chosen: list[int] | sa.Select[Any] | None) -> None:
    dialect = session.get_bind().dialect.name
    delete = sa.delete(_DOCUMENT)
    blpus = sa.select(tables.Blpu.uprn, facts_query.stored_facts(dialect))
    if chosen is not None:
        delete = delete.where(_DOCUMENT.c.uprn.in_(chosen))
        blpus = blpus.where(tables.Blpu.uprn.in_(chosen))
    session.execute(delete)
    session.execute(sa.insert(_DOCUMENT).from_select(["uprn", "facts"], blpus))
