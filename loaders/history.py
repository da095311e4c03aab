"""The gazetteer change log of a supply: labels before and after, then one row per change.

A UPRN is *created* when it had no BLPU before, *deleted* when it has none after, *retired* when
its BLPU status moves to 8 (historical; with the successor when one is recorded), and *changed*
when its label differs. The rows are written in the load's transaction (§ issue 3).
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
    labels.capture(session, sql.LABELS_BEFORE)


def after(session: orm.Session, *, run_id: str, now: dt.datetime) -> None:
    """The touched search rows, the labels after the apply (mostly read from those rows) and
    the change rows comparing them."""
    # The search index follows in the same transaction, so a loaded address is found at once.
    search_index.rebuild_selected(session, _TOUCHED)
    documents.refresh(session)  # the stored lookup documents, of a wider set of UPRNs
    labels.capture_after(session)
    for statement in _INSERTS:
        text = sa.text(statement).bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True)))
        session.execute(text, {"load_run_id": run_id, "now": now})
    for stage in (sql.LABELS_BEFORE, sql.LABELS_AFTER):
        staging.drop(session, stage)
    session.connection().exec_driver_sql(changesql.DROP_TOUCHED)
