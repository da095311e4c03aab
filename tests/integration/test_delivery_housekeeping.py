"""Delivery housekeeping in the retention run (§3.10, §6.8, §6.13) on both engines: expired
idempotency records go, a file-drop batch past its period loses its files and is marked
expired (not before), and the ledger's own deletion takes the batch rows and acks with it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import orm

from core import db, ids
from notify import delivery_extras_tables as xt
from notify import delivery_gate, file_drop, idempotency, privacy, registry_repository, retention
from notify import partner_tables as pt
from notify.tables import outbox, registry
from tests.integration import channel_world

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)
GATE = delivery_gate.RegistryGate(registry_repository.load)


def _run(session: orm.Session, at: dt.datetime, directory: Path | None) -> dict[str, int]:
    report = retention.run(session=session, now=at, periods=privacy.Periods(ledger_months=1),
                           file_drop_directory=directory, file_batch_days=7)  # fmt: skip
    session.commit()
    return dict(report.counts)


def _store(session: orm.Session, key: str, at: dt.datetime) -> None:
    stored = idempotency.Stored(status_code=200, response={"ok": key})
    idempotency.store(session, actor="partner:P0", key=key, request_sha256="0" * 64,
                      stored=stored, now=at)  # fmt: skip
    session.commit()


def test_expired_idempotency_records_are_deleted_and_live_ones_kept(
    session: orm.Session,
) -> None:
    _store(session, "old", NOW - 2 * DAY)
    _store(session, "fresh", NOW - dt.timedelta(hours=1))
    assert _run(session, NOW, None)["idempotency_records_deleted"] == 1
    left = session.scalars(sa.select(xt.IdempotencyRecord.key)).all()
    assert left == ["fresh"]
    assert _run(session, NOW + DAY, None)["idempotency_records_deleted"] == 1
    assert session.scalars(sa.select(xt.IdempotencyRecord.key)).all() == []


def _dropped(session: orm.Session, factory: db.SessionFactory, drop: Path) -> file_drop.Written:
    world = channel_world.build(session, channel="file_drop", now=NOW)
    channel_world.queued(session, world, 1, now=NOW)
    (written,) = file_drop.run(sessions=factory, directory=drop, gate=GATE, now=NOW)
    return written


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_a_file_batch_expires_after_its_period_with_its_files(
    session: orm.Session, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    written = _dropped(session, session_factory, drop)
    manifest = file_drop.manifest_name(written.file_name)
    assert _files(drop) == sorted([written.file_name, manifest])
    assert _run(session, NOW + 6 * DAY, drop)["file_batches_expired"] == 0
    assert _files(drop) == sorted([written.file_name, manifest])
    assert _run(session, NOW + 7 * DAY, drop)["file_batches_expired"] == 1
    assert _files(drop) == []
    batch = session.get(xt.FileBatch, written.batch_id)
    assert batch is not None and batch.state == "expired"
    assert _run(session, NOW + 8 * DAY, drop)["file_batches_expired"] == 0


def test_a_collected_batch_is_kept_for_its_period_after_collection(
    session: orm.Session, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    written = _dropped(session, session_factory, drop)
    batch = session.get(xt.FileBatch, written.batch_id)
    assert batch is not None
    batch.state, batch.collected_at = "collected", NOW + 5 * DAY
    session.commit()
    assert _run(session, NOW + 11 * DAY, drop)["file_batches_expired"] == 0
    assert written.file_name in _files(drop)
    assert _run(session, NOW + 12 * DAY, drop)["file_batches_expired"] == 1
    assert _files(drop) == []


def test_the_ledger_deletion_takes_the_batch_rows_and_acks_of_its_deliveries(
    session: orm.Session, session_factory: db.SessionFactory, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    written = _dropped(session, session_factory, drop)
    (item,) = session.scalars(sa.select(xt.FileBatchItem)).all()
    session.add(pt.PartnerAck(id=ids.new_id(), delivery_id=item.delivery_id, partner_id="P0",
                              outcome="applied", reason_code=None, message=None,
                              partner_case_ref="CT-1", actor="partner:P0",
                              received_at=NOW))  # fmt: skip
    for agreement in session.scalars(sa.select(registry.Agreement)):
        agreement.ledger_retention_months = 1
    session.commit()
    counts = _run(session, NOW + 40 * DAY, drop)
    assert counts["file_batches_expired"] == 1 and counts["deliveries_deleted"] == 1
    assert session.get(outbox.Delivery, item.delivery_id) is None
    assert session.get(xt.FileBatch, written.batch_id) is None
    assert session.scalars(sa.select(xt.FileBatchItem)).all() == []
    assert session.scalars(sa.select(pt.PartnerAck)).all() == []
