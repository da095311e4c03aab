"""The gazetteer change log of a supply: labels before and after, then one row per change.

A UPRN is *created* when it had no BLPU before, *deleted* when it has none after, *retired* when
its BLPU status moves to 8 (historical; with the successor when one is recorded), and *changed*
when its label, classification or point differs (sharing-and-delivery §5.2). The rows are
written in the load's transaction (§ issue 3).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import sqlalchemy as sa
from sqlalchemy import orm

from gazetteer import search_index
from loaders import changesql, documents, labels, sql, staging

_TOUCHED: Final = sa.select(sa.column("uprn", sa.BigInteger)).select_from(sa.table("touched_uprn"))
_INSERTS: Final = (
    changesql.INSERT_CREATED,
    changesql.INSERT_DELETED,
    changesql.INSERT_RETIRED,
    changesql.INSERT_CHANGED,
)


def before(
    session: orm.Session, entities: tuple[str, ...], *, full: bool, tile: str | None = None
) -> None:
    """Collect the touched UPRNs (with a ``tile``, every UPRN of the tile too) and their labels
    as they are now."""
    connection = session.connection()
    connection.exec_driver_sql(changesql.DROP_TOUCHED)
    connection.exec_driver_sql(changesql.CREATE_TOUCHED[staging.engine_of(session)])
    staging.execute(session, changesql.touch_staged(entities), everything=1 if full else 0)
    if tile is not None:
        staging.execute(session, changesql.TOUCH_TILE, tile=tile)
    documents.collect(session, entities, full=full, tile=tile)
    capture_before(session)


def capture_before(session: orm.Session) -> None:
    """The touched UPRNs' labels, classifications and points as they are now."""
    labels.capture(session, sql.LABELS_BEFORE)
    _facts(session, changesql.FACTS_BEFORE, changesql.INSERT_FACTS_BEFORE)


def after(session: orm.Session, *, run_id: str, now: dt.datetime) -> None:
    """The touched search rows, the labels after the apply (mostly read from those rows) and
    the change rows comparing them."""
    # The search index follows in the same transaction, so a loaded address is found at once.
    search_index.rebuild_selected(session, _TOUCHED)
    documents.refresh(session)  # the stored lookup documents, of a wider set of UPRNs
    labels.capture_after(session)
    _facts(session, changesql.FACTS_AFTER, changesql.INSERT_FACTS_AFTER)
    for statement in _INSERTS:
        text = sa.text(statement).bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True)))
        session.execute(text, {"load_run_id": run_id, "now": now})
    for stage in (sql.LABELS_BEFORE, sql.LABELS_AFTER):
        staging.drop(session, stage)
    connection = session.connection()
    for table in (changesql.FACTS_BEFORE, changesql.FACTS_AFTER):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    connection.exec_driver_sql(changesql.DROP_TOUCHED)


def _facts(session: orm.Session, table: str, statement: str) -> None:
    """The classification and point of the UPRNs ``statement`` names, into ``table``."""
    connection = session.connection()
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    connection.exec_driver_sql(changesql.create_facts(staging.engine_of(session), table))
    connection.exec_driver_sql(statement)
