"""File batches collected (sharing-and-delivery §1 transport acknowledgement, §6.13, §3.10).

A file-drop batch is ``built`` once its CSV is in the drop directory. It becomes ``collected``
when the partner has the bytes, which the hub learns in one of four ways (``collected_via``):

* ``download``: the partner's first authenticated download (``GET /v1/file-batches/{id}/file``);
* ``portal``: the partner confirms it (``POST /v1/file-batches/{id}/collected``);
* ``command_line``: the drop directory's consumer confirms it
  (``addresshub filedrop collected BATCH``);
* ``drop_directory``: the CSV has left the drop directory (the consumer took it away), seen by
  the next file-drop run (:func:`sweep`).

Collection is the transport acknowledgement and the moment of disclosure (§6.13): every ledger
line of the batch's deliveries gets ``disclosed_at`` = the collection time and a history row
naming who collected it and how. Collecting a collected batch again changes nothing; a
withdrawn or expired batch cannot be collected. Uncollected batches expire in the retention run
(:mod:`notify.delivery_housekeeping`).

Errors::

    NotFound
    └── FileBatchNotFound          file_batch_not_found
    Conflict
    └── FileBatchNotCollectable    file_batch_not_collectable
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import errors
from notify import delivery_extras_tables as xt
from notify import delivery_repository, paging
from notify.tables import outbox

VIA: Final = ("download", "portal", "command_line", "drop_directory")
SWEEP_ACTOR: Final = "drop-directory"
#: A batch built longer ago is left to expiry (the retention run's default period).
SWEPT: Final = dt.timedelta(days=7)


class FileBatchNotFound(errors.NotFound):
    code = "file_batch_not_found"
    title = "File batch not found"


class FileBatchNotCollectable(errors.Conflict):
    code = "file_batch_not_collectable"
    title = "The file batch was withdrawn or has expired"


@dataclass(frozen=True, kw_only=True, slots=True)
class Collected:
    batch: xt.FileBatch
    already: bool


def owned(session: orm.Session, *, batch_id: str, partner_id: str | None) -> xt.FileBatch:
    """The batch, if ``partner_id`` (None: any partner) is its partner."""
    batch = session.get(xt.FileBatch, batch_id)
    if batch is None or (partner_id is not None and batch.partner_id != partner_id):
        raise FileBatchNotFound("no file batch with this id", details={"batch_id": batch_id})
    return batch


def collect(
    session: orm.Session,
    *,
    batch_id: str,
    actor: str,
    via: str,
    now: dt.datetime,
    partner_id: str | None = None,
) -> Collected:
    """Mark the batch collected (once) and record it on its deliveries' ledger lines."""
    if via not in VIA:
        raise errors.InvalidInput(f"collected_via is one of {', '.join(VIA)}")
    batch = owned(session, batch_id=batch_id, partner_id=partner_id)
    if batch.state == "collected":
        return Collected(batch=batch, already=True)
    if batch.state != "built":
        raise FileBatchNotCollectable(
            f"the file batch is {batch.state}", details={"batch_id": batch_id}
        )
    batch.state, batch.collected_at = "collected", now
    batch.collected_by, batch.collected_via = actor, via
    _ledger(session, batch, now)
    session.flush()
    return Collected(batch=batch, already=False)


def _ledger(session: orm.Session, batch: xt.FileBatch, now: dt.datetime) -> None:
    items = sa.select(xt.FileBatchItem.delivery_id).where(xt.FileBatchItem.batch_id == batch.id)
    query = sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id.in_(items))
    detail = f"file batch {batch.id} collected via {batch.collected_via}"
    for line in session.scalars(query.order_by(outbox.Disclosure.delivery_id)):
        line.disclosed_at = now
        delivery_repository.record_history(session, line, outcome=line.outcome, now=now,
                                           actor=batch.collected_by or SWEEP_ACTOR,
                                           detail=detail)  # fmt: skip


def sweep(
    session: orm.Session, *, directory: Path, now: dt.datetime, within: dt.timedelta = SWEPT
) -> list[str]:
    """Collect every batch written within ``within`` whose CSV has left ``directory``.

    Older uncollected batches are the retention run's to expire (it removes their files: one
    whose expiry did not commit must not look collected)."""
    if not directory.is_dir():
        return []
    query = sa.select(xt.FileBatch).where(
        xt.FileBatch.state == "built",
        xt.FileBatch.written_at.is_not(None),
        xt.FileBatch.built_at > now - within,
    )
    gone = [b for b in session.scalars(query.order_by(xt.FileBatch.id))
            if not (directory / b.file_name).exists()]  # fmt: skip
    for batch in gone:
        collect(session, batch_id=batch.id, actor=SWEEP_ACTOR, via="drop_directory", now=now)
    return [b.id for b in gone]


def content(batch: xt.FileBatch, directory: Path | None) -> bytes:
    """The batch's CSV bytes from the drop directory (gone: not found)."""
    path = directory / batch.file_name if directory is not None else None
    if path is None or batch.state not in ("built", "collected") or not path.is_file():
        raise FileBatchNotFound(
            "the file of this batch is no longer in the drop directory",
            details={"batch_id": batch.id},
        )
    return path.read_bytes()


def listing(
    session: orm.Session,
    *,
    partner_id: str | None,
    state: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[xt.FileBatch]:
    """Batches in id order (time order), one partner's or all (``partner_id=None``)."""
    paging.check_limit(limit)
    query = sa.select(xt.FileBatch).order_by(xt.FileBatch.id).limit(limit)
    if partner_id is not None:
        query = query.where(xt.FileBatch.partner_id == partner_id)
    if state is not None:
        query = query.where(xt.FileBatch.state == state)
    if after is not None:
        query = query.where(xt.FileBatch.id > after)
    return list(session.scalars(query))
