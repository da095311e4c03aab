"""Keep the stored lookup documents (``address_document``) in step with the gazetteer.

A UPRN lookup reads its BLPU row and its stored document by primary key
(:func:`gazetteer.facts_query.read`). Every writer of the tables a document is made of (BLPUs,
LPIs, street descriptors, organisations, classifications, cross references, delivery points)
refreshes the documents of the UPRNs it touched, in its own transaction: the repository's
``save_records``, the loaders (``loaders.documents``) and ``addresshub reindex``. A refresh is
set-based: the chosen UPRNs' rows are deleted and written again with one
``INSERT ... SELECT``, so a UPRN whose BLPU is gone loses its document, and nothing passes
through Python row by row. The statement is :func:`gazetteer.facts_query.stored_facts` (a
correlated subquery per array, index probes for each UPRN), or on PostgreSQL from
:data:`BULK_FROM` UPRNs on (a full supply, ``reindex`` of everything, a large change-only
supply) :func:`gazetteer.facts_bulk.documents` (one aggregate per table grouped by UPRN),
which gives the same text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import facts_bulk, facts_query, tables
from gazetteer.search_tables import AddressDocument

BATCH: Final = 500
BULK_FROM: Final = {"postgresql": 2000}
"""From this many UPRNs named in a table (a load's), and a twentieth of the BLPUs
(:data:`BULK_SHARE`), or for every UPRN, a refresh aggregates per table rather than per UPRN,
on the engines named (docs/benchmarks.md, "Loading"): the aggregates read whole tables, the
probes only the UPRNs'. On SQLite the per-UPRN probes, in process, stay faster even for every
UPRN; UPRNs listed in the statement (``IN`` lists) are refreshed per UPRN, where the
aggregates did not pay."""
BULK_SHARE: Final = 20
BLPU_ESTIMATE: Final = {
    "postgresql": sa.text("SELECT reltuples FROM pg_class WHERE oid = 'blpu'::regclass"),
    "sqlite": sa.text("SELECT count(*) FROM blpu"),
}
"""The BLPU count, on PostgreSQL the planner's estimate (``-1`` before the first analysis)."""


def _table() -> sa.Table:
    table = AddressDocument.__table__
    assert isinstance(table, sa.Table)
    return table


_DOCUMENT: Final = _table()


def refresh(session: orm.Session, uprns: Iterable[int] | None = None) -> None:
    """Write the documents of ``uprns`` (every UPRN when ``None``) afresh from the gazetteer."""
    if uprns is None:
        _replace(session, None, bulk=_bulk_from(session) is not None)
        return
    chosen = sorted(set(uprns))
    for start in range(0, len(chosen), BATCH):
        _replace(session, chosen[start : start + BATCH], bulk=False)


def refresh_selected(session: orm.Session, uprns: sa.Select[Any]) -> None:
    """:func:`refresh` for the UPRNs ``uprns`` selects (a temporary table of a load)."""
    threshold = _bulk_from(session)
    if threshold is None:
        _replace(session, uprns, bulk=False)
        return
    count = session.scalar(sa.select(sa.func.count()).select_from(uprns.subquery())) or 0
    blpus = session.scalar(BLPU_ESTIMATE[session.get_bind().dialect.name]) or 0
    bulk = count >= max(threshold, blpus / BULK_SHARE)
    _replace(session, uprns, bulk=bulk, narrow=count < blpus / 2)


def _bulk_from(session: orm.Session) -> int | None:
    return BULK_FROM.get(session.get_bind().dialect.name)


def _replace(
    session: orm.Session, chosen: facts_bulk.Chosen, *, bulk: bool, narrow: bool = True
) -> None:
    dialect = session.get_bind().dialect.name
    delete = sa.delete(_DOCUMENT)
    if chosen is not None:
        delete = delete.where(_DOCUMENT.c.uprn.in_(chosen))
    session.execute(delete)
    if bulk:
        rows = facts_bulk.documents(dialect, chosen, narrow=narrow)
    else:
        rows = _per_uprn(dialect, chosen)
    session.execute(sa.insert(_DOCUMENT).from_select(["uprn", "facts"], rows))


def _per_uprn(dialect: str, chosen: facts_bulk.Chosen) -> sa.Select[Any]:
    blpus = sa.select(tables.Blpu.uprn, facts_query.stored_facts(dialect))
    chosen_blpus = blpus if chosen is None else blpus.where(tables.Blpu.uprn.in_(chosen))
    return chosen_blpus  # type: ignore[return-value]


def rows(
    session: orm.Session, uprns: list[int], *, bulk: bool, narrow: bool = True
) -> list[tuple[int, str]]:
    """The ``(uprn, facts)`` rows either path would write for ``uprns`` (for comparison)."""
    dialect = session.get_bind().dialect.name
    if bulk:
        statement = facts_bulk.documents(dialect, uprns, narrow=narrow)
    else:
        statement = _per_uprn(dialect, uprns)
    return [(uprn, facts) for uprn, facts in session.execute(statement.order_by(tables.Blpu.uprn))]
