"""File drop for legacy back offices (sharing-and-delivery §6.13): a CSV per partner service.

A ``file_drop`` subscription's deliveries are written, on its schedule (every
``file_drop_interval_seconds``, or now with ``addresshub filedrop run``), as one CSV batch in
the configured directory, with a JSON manifest beside it. Every item is rechecked first, as the
worker does before a webhook (§3.7): one no longer permitted is cancelled with its reason and
never written; a held one holds back the rest of its lane (order per person and partner).

Never a half-written file, never a row twice:

1. one transaction picks the due deliveries (their lanes locked, none a worker has leased),
   marks them ``delivered`` by channel ``file_drop`` with their ledger lines ``disclosed``
   (the same ledger as webhooks and the feed), and records the batch and one
   ``file_batch_item`` per delivery (the delivery is its key: it cannot go in twice);
2. the CSV and manifest are written under temporary names in the same directory and fsynced
   *before* that transaction commits (a failed write rolls it back: nothing is marked);
3. after the commit they are renamed to their final names (atomic) and the directory is
   fsynced; the batch is marked ``written_at``. A crash between commit and rename is finished
   by the next run, which renames what a committed batch left behind; a CSV gone is collected.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import orm

from core import db, ids
from notify import delivery_body, delivery_gate, file_drop_csv, lifecycle, recheck
from notify import delivery_extras_tables as xt
from notify import delivery_repository as repo
from notify import file_drop_collection as collection
from notify.tables import outbox, registry

log = logging.getLogger("addresshub.file_drop")
ACTOR: Final = "file-drop"
CHANNEL: Final = "file_drop"
_DELIVERED: Final = lifecycle.Step(
    state="delivered", lane="advance", close_reason="delivered", ledger="disclosed"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Written:
    batch_id: str
    subscription_id: str
    partner_service_id: str
    file_name: str
    rows: int
    cancelled: int


@dataclass(frozen=True, kw_only=True, slots=True)
class _Staged:
    batch: xt.FileBatch
    content: bytes
    manifest: bytes
    cancelled: int


def run(
    *,
    sessions: db.SessionFactory,
    directory: Path,
    gate: delivery_gate.Gate,
    now: dt.datetime,
    interval: dt.timedelta | None = None,
    service: str | None = None,
) -> list[Written]:
    """Write a batch for every due file-drop subscription (all when ``interval`` is None)."""
    directory.mkdir(parents=True, exist_ok=True)
    finish_pending(sessions=sessions, directory=directory, now=now)
    with db.unit_of_work(sessions, immediate=True) as session:
        collection.sweep(session, directory=directory, now=now)  # CSVs taken away: collected
        due = due_subscriptions(session, now=now, interval=interval, service=service)
    written = [_one(sessions, directory, gate, sid, now) for sid in due]
    return [w for w in written if w is not None]


def due_subscriptions(
    session: orm.Session, *, now: dt.datetime, interval: dt.timedelta | None, service: str | None
) -> list[str]:
    """Active file-drop subscriptions whose last batch is at least ``interval`` old."""
    query = sa.select(registry.Subscription.id).where(
        registry.Subscription.channel == CHANNEL, registry.Subscription.status == "active"
    )
    if service is not None:
        query = query.where(registry.Subscription.partner_service_id == service)
    found = list(session.scalars(query.order_by(registry.Subscription.id)))
    if interval is None:
        return found
    query_last = (
        sa.select(xt.FileBatch.subscription_id, sa.func.max(xt.FileBatch.built_at))
        .where(xt.FileBatch.subscription_id.in_(found))
        .group_by(xt.FileBatch.subscription_id)
    )
    last = {sid: at for sid, at in session.execute(query_last)}
    return [s for s in found if s not in last or _aware(last[s]) + interval <= now]


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _one(
    sessions: db.SessionFactory,
    directory: Path,
    gate: delivery_gate.Gate,
    subscription_id: str,
    now: dt.datetime,
) -> Written | None:
    written: Written | None = None
    try:
        with db.unit_of_work(sessions, immediate=True) as session:
            staged = build(session, subscription_id=subscription_id, gate=gate, now=now)
            if staged is None:
                return None
            batch = staged.batch
            written = Written(batch_id=batch.id, subscription_id=subscription_id,
                              partner_service_id=batch.partner_service_id,
                              file_name=batch.file_name, rows=batch.rows,
                              cancelled=staged.cancelled)  # fmt: skip
            _write_temporary(directory, batch.file_name, staged.content, staged.manifest)
    except BaseException:
        if written is not None:
            _discard(directory, written.file_name)
        raise
    _publish(directory, written.file_name)
    with db.unit_of_work(sessions, immediate=True) as session:
        _mark_written(session, written.batch_id, now)
    return written


def build(
    session: orm.Session, *, subscription_id: str, gate: delivery_gate.Gate, now: dt.datetime
) -> _Staged | None:
    """Recheck the due deliveries and record the batch; None when no row is left to write."""
    subscription = session.get(registry.Subscription, subscription_id)
    if subscription is None:
        return None
    due = _due(session, subscription_id, now)
    verdicts = gate.check(session, due, now)
    rows, cancelled = _sort(session, due, verdicts, now)
    if not rows:
        return None
    batch = _batch(session, subscription, rows, now)
    events = [(json.loads(d.body or b"{}"), d.fields_sent or []) for d in rows]
    content = file_drop_csv.render(events)
    batch.sha256 = _sha256(content)
    manifest = file_drop_csv.manifest(batch_id=batch.id, rows=len(rows), content=content,
                                      created_at=now.isoformat())  # fmt: skip
    repo.wake_lanes(session, ordering_keys={d.ordering_key for d in rows}, now=now)
    session.flush()
    return _Staged(batch=batch, content=content, manifest=manifest, cancelled=cancelled)


def _due(session: orm.Session, subscription_id: str, now: dt.datetime) -> list[outbox.Delivery]:
    """Fetchable deliveries of the subscription not yet in a batch, lanes locked, in order.

    The lanes are locked first (none a worker has leased), then the deliveries read: a worker
    step that finished meanwhile is seen, and none can start on these lanes until commit.
    """
    in_batch = sa.select(xt.FileBatchItem.delivery_id).where(
        xt.FileBatchItem.delivery_id == outbox.Delivery.id
    )
    wanted = sa.and_(
        outbox.Delivery.subscription_id == subscription_id,
        outbox.Delivery.not_before <= now,
        repo.fetchable_without_endpoint(),
        ~sa.exists(in_batch),
    )
    free = _free_lanes(session, sa.select(outbox.Delivery.ordering_key).where(wanted))
    if not free:
        return []
    query = (
        sa.select(outbox.Delivery)
        .where(wanted, outbox.Delivery.ordering_key.in_(sorted(free)))
        .order_by(outbox.Delivery.ordering_key, outbox.Delivery.seq)
        .execution_options(populate_existing=True)
    )
    return _heads_first(session, list(session.scalars(query)))


def _heads_first(session: orm.Session, found: list[outbox.Delivery]) -> list[outbox.Delivery]:
    """Only deliveries nothing earlier in their lane still waits before (another channel's)."""
    keys = sorted({d.ordering_key for d in found})
    query = (
        sa.select(outbox.Delivery.ordering_key, outbox.Delivery.id)
        .where(
            outbox.Delivery.ordering_key.in_(keys),
            outbox.Delivery.state.not_in(sorted(lifecycle.TERMINAL)),
        )
        .order_by(outbox.Delivery.ordering_key, outbox.Delivery.seq)
    )
    waiting: dict[str, list[str]] = {}
    for key, delivery_id in session.execute(query):
        waiting.setdefault(key, []).append(delivery_id)
    mine = {d.id for d in found}
    open_lanes = {
        k: list(itertools.takewhile(mine.__contains__, ids_)) for k, ids_ in waiting.items()
    }
    return [d for d in found if d.id in open_lanes.get(d.ordering_key, [])]


def _free_lanes(session: orm.Session, keys: sa.Select[str]) -> set[str]:
    """Lock the lanes no worker has leased (a leased one waits for the next run)."""
    query = (
        sa.select(outbox.DeliveryLane.ordering_key)
        .where(
            outbox.DeliveryLane.ordering_key.in_(keys),
            outbox.DeliveryLane.state != "leased",
        )
        .with_for_update(skip_locked=True)
    )
    return set(session.scalars(query))


def _sort(
    session: orm.Session,
    due: Sequence[outbox.Delivery],
    verdicts: dict[str, recheck.Recheck],
    now: dt.datetime,
) -> tuple[list[outbox.Delivery], int]:
    """Cancel the refused, stop each lane at a hold, mark the rest delivered (in order)."""
    rows: list[outbox.Delivery] = []
    held: set[str] = set()
    cancelled = 0
    for delivery in due:
        verdict = verdicts[delivery.id]
        if delivery.ordering_key in held:
            continue
        if verdict.action == "hold":
            held.add(delivery.ordering_key)
        elif verdict.action == "cancel" or delivery.body is None:
            reason = verdict.reason if verdict.action == "cancel" else None
            _cancel(session, delivery, reason or "BODY_PURGED", now)
            cancelled += 1
        else:
            _deliver(session, delivery, verdict, now)
            rows.append(delivery)
    return rows, cancelled


def _cancel(session: orm.Session, delivery: outbox.Delivery, reason: str, now: dt.datetime) -> None:
    step = lifecycle.cancelled(reason, possibly_received=delivery.possibly_received)
    repo.apply_step(delivery, step, now)
    repo.record_disclosure(session, delivery=delivery, outcome=step.ledger,
                           close_reason=step.close_reason, now=now, actor=ACTOR)  # fmt: skip


def _deliver(
    session: orm.Session, delivery: outbox.Delivery, verdict: recheck.Recheck, now: dt.datetime
) -> None:
    """Narrow the body if the rule now permits less; the file build is the attempt."""
    assert delivery.body is not None
    if tuple(verdict.fields) != tuple(delivery.fields_planned):
        delivery.body = delivery_body.narrow(delivery.body, verdict.fields)
    delivery.fields_sent = list(verdict.fields)
    attempt = repo.start_attempt(session, delivery=delivery, worker=ACTOR, now=now, kids=[],
                                 recheck=_recheck_record(verdict))  # fmt: skip
    attempt.phase, attempt.finished_at, attempt.possibly_received = "finished", now, True
    repo.apply_step(delivery, _DELIVERED, now)
    repo.record_disclosure(session, delivery=delivery, outcome="disclosed",
                           close_reason="delivered", now=now, actor=ACTOR,
                           versions=_versions(verdict))  # fmt: skip
    delivery.last_error_kind = None


def _recheck_record(verdict: recheck.Recheck) -> dict[str, Any]:
    return {"action": verdict.action, "reason": verdict.reason, "fields": list(verdict.fields)}


def _versions(verdict: recheck.Recheck) -> dict[str, Any]:
    found = {
        "rule_version": verdict.rule_version,
        "dsa_id": verdict.dsa_id,
        "dsa_version": verdict.dsa_version,
        "channel": CHANNEL,
    }
    return {k: v for k, v in found.items() if v is not None} | {"fields": list(verdict.fields)}


def _batch(
    session: orm.Session,
    subscription: registry.Subscription,
    rows: Sequence[outbox.Delivery],
    now: dt.datetime,
) -> xt.FileBatch:
    batch_id = ids.new_id()
    batch = xt.FileBatch(
        id=batch_id,
        subscription_id=subscription.id,
        partner_id=rows[0].partner_id,
        partner_service_id=subscription.partner_service_id,
        state="built",
        file_name=file_name(subscription.partner_service_id, batch_id, now),
        rows=len(rows),
        sha256="",
        built_at=now,
    )
    session.add(batch)
    session.flush()
    for row_no, delivery in enumerate(rows, start=1):
        session.add(xt.FileBatchItem(delivery_id=delivery.id, batch_id=batch_id, row_no=row_no))
    return batch


def file_name(partner_service_id: str, batch_id: str, now: dt.datetime) -> str:
    """``<partner>_<service>_<UTC time>_<batch id>.csv``, safe on any file system."""
    service = re.sub(r"[^A-Za-z0-9]+", "_", partner_service_id).strip("_")
    return f"{service}_{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}_{batch_id}.csv"


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# -- files ----------------------------------------------------------------------------------


def manifest_name(name: str) -> str:
    """The manifest beside the CSV ``name``."""
    return name.removesuffix(".csv") + ".manifest.json"


def _temporary(name: str) -> str:
    return f".{name}.partial"


def _write_temporary(directory: Path, name: str, content: bytes, manifest: bytes) -> None:
    for final, data in ((name, content), (manifest_name(name), manifest)):
        path = directory / _temporary(final)
        with path.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


def _discard(directory: Path, name: str) -> None:
    """Remove the temporary files of a batch whose transaction did not commit."""
    for final in (name, manifest_name(name)):
        (directory / _temporary(final)).unlink(missing_ok=True)


def _publish(directory: Path, name: str) -> None:
    """Rename both files to their final names (the CSV first), then fsync the directory."""
    for final in (name, manifest_name(name)):
        temporary = directory / _temporary(final)
        if temporary.exists():
            os.replace(temporary, directory / final)
    with _directory_handle(directory) as fd:
        os.fsync(fd)


@contextlib.contextmanager
def _directory_handle(directory: Path) -> Iterator[int]:
    fd = os.open(directory, os.O_RDONLY)
    try:
        yield fd
    finally:
        os.close(fd)


def _mark_written(session: orm.Session, batch_id: str, now: dt.datetime) -> None:
    batch = session.get(xt.FileBatch, batch_id)
    if batch is not None and batch.written_at is None:
        batch.written_at = now


def finish_pending(*, sessions: db.SessionFactory, directory: Path, now: dt.datetime) -> int:
    """Rename what committed batches left under temporary names (a crash after commit)."""
    with db.unit_of_work(sessions, immediate=True) as session:
        pending = list(
            session.scalars(
                sa.select(xt.FileBatch).where(
                    xt.FileBatch.written_at.is_(None), xt.FileBatch.state == "built"
                )
            )
        )
        for batch in pending:
            if not (directory / batch.file_name).exists():
                if not (directory / _temporary(batch.file_name)).exists():
                    log.warning("file batch %s has no file in %s", batch.id, directory)
                    continue
                _publish(directory, batch.file_name)
            batch.written_at = now
    return len(pending)
