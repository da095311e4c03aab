"""Delivery housekeeping in the retention run (sharing-and-delivery §3.10, §6.8, §6.13).

* Idempotency records are deleted once they expire (24 h after the request).
* A file-drop batch expires ``file_batch_days`` after it was collected
  (:mod:`notify.file_drop_collection`) or, never collected, after it was built: its CSV and
  manifest are removed from the drop directory (without a directory configured, only the row
changes) and the batch is marked ``expired``; one whose file cannot be removed stays as it is
and is tried again by the next run. The batch
  row (ids, row count, SHA-256: no personal data) and its items stay as long as the ledger
  lines of their deliveries; :func:`forget_batch_items` removes them with those deliveries.

The caller commits. Files are removed before the commit: a file already gone is no error, so a
run that rolls back is finished by the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from notify import delivery_extras_tables as xt
from notify import file_drop

log = logging.getLogger("addresshub.retention")
FILE_BATCH_DAYS: Final = 7
LIVE_BATCH: Final = ("built", "collected")


def purge_idempotency(session: orm.Session, *, now: dt.datetime) -> int:
    """Delete the idempotency records that expired at or before ``now``."""
    table = xt.IdempotencyRecord
    return _rows(session.execute(sa.delete(table).where(table.expires_at <= now)))


def expire_file_batches(
    session: orm.Session, *, now: dt.datetime, days: int, directory: Path | None
) -> int:
    """Mark the batches past their period ``expired``; remove their files from ``directory``."""
    since = now - dt.timedelta(days=days)
    query = sa.select(xt.FileBatch).where(
        xt.FileBatch.state.in_(LIVE_BATCH),
        sa.func.coalesce(xt.FileBatch.collected_at, xt.FileBatch.built_at) <= since,
    )
    batches = list(session.scalars(query))
    expired = 0
    for batch in batches:
        if directory is None or _removed(directory, batch.file_name):
            batch.state = "expired"
            expired += 1
    session.flush()
    return expired


def forget_batch_items(session: orm.Session, delivery_ids: Sequence[str]) -> None:
    """Before deliveries are deleted: drop their batch items, then expired batches left empty."""
    item = xt.FileBatchItem
    batch_ids = sa.select(item.batch_id).where(item.delivery_id.in_(delivery_ids)).distinct()
    touched = list(session.scalars(batch_ids))
    session.execute(sa.delete(item).where(item.delivery_id.in_(delivery_ids)))
    still_used = sa.select(item.batch_id).where(item.batch_id == xt.FileBatch.id)
    session.execute(
        sa.delete(xt.FileBatch).where(
            xt.FileBatch.id.in_(touched),
            xt.FileBatch.state == "expired",
            ~sa.exists(still_used),
        )
    )


def _removed(directory: Path, name: str) -> bool:
    """Remove the CSV and its manifest; False (tried again next run) when one cannot go."""
    try:
        for final in (name, file_drop.manifest_name(name)):
            (directory / final).unlink(missing_ok=True)
    except OSError:
        log.exception("could not remove the expired file-drop file %s", name)
        return False
    return True


def _rows(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
