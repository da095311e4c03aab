"""File drop on both engines (§6.13): a CSV per partner service in the drop directory, written
under a temporary name and renamed, recorded in the same ledger as webhooks, rechecked first,
never a row twice, never a half-written file, and a crash between commit and rename finished
by the next run."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from core import db, ids
from notify import delivery_extras_tables as xt
from notify import delivery_gate, file_drop, file_drop_csv, registry_repository
from notify.tables import moves, outbox
from tests.integration import channel_world
from tests.support import outbox_world

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
GATE = delivery_gate.RegistryGate(registry_repository.load)


def _world(session: orm.Session) -> outbox_world.World:
    return channel_world.build(session, channel="file_drop", now=NOW)


def _queue(session: orm.Session, world: outbox_world.World, n: int) -> list[outbox.Delivery]:
    return channel_world.queued(session, world, n, now=NOW)


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    return tmp_path / "drop"


def _run(
    factory: db.SessionFactory,
    directory: Path,
    *,
    now: dt.datetime = NOW,
    interval: dt.timedelta | None = None,
    service: str | None = None,
) -> list[file_drop.Written]:
    return file_drop.run(sessions=factory, directory=directory, gate=GATE, now=now,
                         interval=interval, service=service)  # fmt: skip


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_a_batch_is_written_once_with_the_projected_fields_and_recorded_in_the_ledger(
    session: orm.Session, session_factory: db.SessionFactory, drop: Path
) -> None:
    world = _world(session)
    erased, first, second = _queue(session, world, 3)
    subject = session.get(moves.Subject, _subject(session, erased.id))
    assert subject is not None
    subject.erased_at = NOW
    session.commit()
    written = _run(session_factory, drop)
    assert [(w.rows, w.cancelled, w.partner_service_id) for w in written] == [
        (2, 1, "P0/COUNCIL_TAX")
    ]
    name = written[0].file_name
    assert _files(drop) == sorted([name, name.removesuffix(".csv") + ".manifest.json"])
    rows = _rows(drop / name)
    assert [r["event_id"] for r in rows] == sorted([first.id, second.id], key=_order(session))
    assert list(rows[0]) == file_drop_csv.columns([outbox_world.FIELDS])
    assert rows[0]["person.given_name"] == "Ada" and rows[0]["event_type"].endswith("submitted")
    manifest = json.loads((drop / (name.removesuffix(".csv") + ".manifest.json")).read_text())
    assert manifest["rows"] == 2
    session.expire_all()
    for delivery in (first, second):
        row = session.get(outbox.Delivery, delivery.id)
        assert row is not None and row.state == "delivered" and row.attempt_count == 1
        line = _line(session, delivery.id)
        assert (line.outcome, line.close_reason, line.channel) == (
            "disclosed",
            "delivered",
            "file_drop",
        )
    gone = session.get(outbox.Delivery, erased.id)
    assert gone is not None and gone.close_reason == "cancelled:SUBJECT_ERASED"
    assert _line(session, erased.id).outcome == "not_disclosed"
    # running again writes nothing twice
    assert _run(session_factory, drop) == []
    assert len(_files(drop)) == 2
    assert session.scalar(sa.select(sa.func.count()).select_from(xt.FileBatchItem)) == 2


def test_a_delivery_whose_body_was_purged_is_cancelled_not_written(
    session: orm.Session, session_factory: db.SessionFactory, drop: Path
) -> None:
    world = _world(session)
    purged, kept = _queue(session, world, 2)
    purged.body, purged.body_purge_reason = None, "retention"
    session.commit()
    (written,) = _run(session_factory, drop)
    assert (written.rows, written.cancelled) == (1, 1)
    assert [r["event_id"] for r in _rows(drop / written.file_name)] == [kept.id]
    session.expire_all()
    row = session.get(outbox.Delivery, purged.id)
    assert row is not None and row.close_reason == "cancelled:BODY_PURGED"


def test_an_event_waits_behind_an_earlier_one_for_the_same_person_on_another_channel(
    session: orm.Session, session_factory: db.SessionFactory, drop: Path
) -> None:
    world = outbox_world.build(session, ["https://p0.example/h"], now=NOW)
    person = ids.new_id()
    earlier = world.enqueue(session, partner="P0", subject_id=person, now=NOW)  # a webhook
    channel_world.subscribe(session, world, channel="file_drop", now=NOW)
    later = world.enqueue(session, partner="P0", subject_id=person, now=NOW)
    later.endpoint_id = None
    session.commit()
    assert earlier.ordering_key == later.ordering_key and earlier.seq < later.seq
    assert _run(session_factory, drop) == []
    earlier.state = "delivered"
    session.commit()
    (written,) = _run(session_factory, drop)
    assert [r["event_id"] for r in _rows(drop / written.file_name)] == [later.id]


def test_the_schedule_writes_a_subscription_again_only_after_its_interval(
    session: orm.Session, session_factory: db.SessionFactory, drop: Path
) -> None:
    world = _world(session)
    _queue(session, world, 1)
    day = dt.timedelta(days=1)
    assert len(_run(session_factory, drop, interval=day)) == 1
    _queue(session, world, 1)
    assert _run(session_factory, drop, interval=day, now=NOW + dt.timedelta(hours=1)) == []
    later = _run(session_factory, drop, interval=day, now=NOW + day)
    assert [w.rows for w in later] == [1]
    assert _run(session_factory, drop, service="P9/NOTHING") == []


def test_a_failed_write_leaves_no_file_and_marks_nothing(
    session: orm.Session,
    session_factory: db.SessionFactory,
    drop: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = _world(session)
    (queued,) = _queue(session, world, 1)

    def full_disk(directory: Path, name: str, content: bytes, manifest: bytes) -> None:
        (directory / f".{name}.partial").write_bytes(content[:10])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(file_drop, "_write_temporary", full_disk)
    with pytest.raises(OSError):
        _run(session_factory, drop)
    assert _files(drop) == []
    session.expire_all()
    row = session.get(outbox.Delivery, queued.id)
    assert row is not None and row.state == "pending"
    assert session.scalar(sa.select(sa.func.count()).select_from(xt.FileBatch)) == 0
    monkeypatch.undo()
    assert [w.rows for w in _run(session_factory, drop)] == [1]


def test_a_crash_between_commit_and_rename_is_finished_by_the_next_run(
    session: orm.Session,
    session_factory: db.SessionFactory,
    drop: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = _world(session)
    _queue(session, world, 2)

    def crash(directory: Path, name: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(file_drop, "_publish", crash)
    with pytest.raises(KeyboardInterrupt):
        _run(session_factory, drop)
    assert all(n.endswith(".partial") for n in _files(drop)) and len(_files(drop)) == 2
    monkeypatch.undo()
    assert _run(session_factory, drop) == []  # nothing new: the batch was committed
    names = _files(drop)
    assert len(names) == 2 and not any(n.endswith(".partial") for n in names)
    csv_name = next(n for n in names if n.endswith(".csv"))
    assert len(_rows(drop / csv_name)) == 2
    session.expire_all()
    batch = session.scalars(sa.select(xt.FileBatch)).one()
    assert batch.written_at is not None and batch.file_name == csv_name


def _subject(session: orm.Session, delivery_id: str) -> str:
    query = sa.select(outbox.DeliverySubject.subject_id).where(
        outbox.DeliverySubject.delivery_id == delivery_id
    )
    return session.scalars(query).one()


def _line(session: orm.Session, delivery_id: str) -> outbox.Disclosure:
    query = sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id == delivery_id)
    return session.scalars(query).one()


def _order(session: orm.Session) -> Callable[[str], tuple[str, int]]:
    def key(delivery_id: str) -> tuple[str, int]:
        row = session.get(outbox.Delivery, delivery_id)
        assert row is not None
        return (row.ordering_key, row.seq)

    return key
