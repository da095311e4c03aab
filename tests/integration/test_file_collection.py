"""File batches collected on both engines (§6.13): the partner's first download, its
confirmation, the consumer's command or the CSV leaving the drop directory marks a batch
``collected`` once, records it on every ledger line of the batch (the disclosure time and a
history row naming who and how), and withdrawn or expired batches cannot be collected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from core import db
from core.settings import Settings
from notify import delivery_extras_tables as xt
from notify import delivery_gate, file_drop, file_drop_collection, registry_repository
from notify.tables import outbox
from tests.integration import channel_world
from tests.integration.api import http_world

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
LATER = NOW + dt.timedelta(hours=3)
GATE = delivery_gate.RegistryGate(registry_repository.load)


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    return tmp_path / "drop"


def _written(session: orm.Session, factory: db.SessionFactory, drop: Path) -> file_drop.Written:
    world = channel_world.build(session, channel="file_drop", now=NOW)
    channel_world.queued(session, world, 2, now=NOW)
    (written,) = file_drop.run(sessions=factory, directory=drop, gate=GATE, now=NOW)
    return written


def _lines(session: orm.Session, batch_id: str) -> list[outbox.Disclosure]:
    items = sa.select(xt.FileBatchItem.delivery_id).where(xt.FileBatchItem.batch_id == batch_id)
    query = sa.select(outbox.Disclosure).where(outbox.Disclosure.delivery_id.in_(items))
    return list(session.scalars(query.execution_options(populate_existing=True)))


def _history(session: orm.Session, line_id: str) -> list[tuple[str, str | None]]:
    table = outbox.DisclosureHistory
    query = sa.select(table.actor, table.detail).where(table.disclosure_id == line_id)
    return [(actor, detail) for actor, detail in session.execute(query.order_by(table.at))]


def test_collection_is_recorded_once_on_every_ledger_line_of_the_batch(
    session: orm.Session, session_factory: db.SessionFactory, drop: Path
) -> None:
    written = _written(session, session_factory, drop)
    assert {line.disclosed_at for line in _lines(session, written.batch_id)} == {NOW}
    done = file_drop_collection.collect(session, batch_id=written.batch_id, actor="sftp-user",
                                        via="command_line", now=LATER)  # fmt: skip
    session.commit()
    assert not done.already
    batch = session.get(xt.FileBatch, written.batch_id)
    assert batch is not None
    assert (batch.state, batch.collected_at, batch.collected_by, batch.collected_via) == (
        "collected",
        LATER,
        "sftp-user",
        "command_line",
    )
    lines = _lines(session, written.batch_id)
    assert len(lines) == 2 and {line.disclosed_at for line in lines} == {LATER}
    assert {line.outcome for line in lines} == {"disclosed"}
    detail = f"file batch {written.batch_id} collected via command_line"
    assert all(("sftp-user", detail) in _history(session, line.id) for line in lines)
    next_day = LATER + dt.timedelta(days=1)
    again = file_drop_collection.collect(session, batch_id=written.batch_id, actor="other",
                                         via="portal", now=next_day)  # fmt: skip
    session.commit()
    assert again.already and again.batch.collected_by == "sftp-user"
    assert sum(len(_history(session, line.id)) for line in lines) == len(lines) * 2


def test_a_csv_taken_from_the_drop_directory_is_collected_by_the_next_run(
    session: orm.Session, session_factory: db.SessionFactory, drop: Path
) -> None:
    written = _written(session, session_factory, drop)
    file_drop.run(sessions=session_factory, directory=drop, gate=GATE, now=LATER)
    batch = session.get(xt.FileBatch, written.batch_id)
    assert batch is not None and batch.state == "built"  # still there: not collected
    session.rollback()
    (drop / written.file_name).rename(drop.parent / written.file_name)
    file_drop.run(sessions=session_factory, directory=drop, gate=GATE, now=LATER)
    session.rollback()
    batch = session.get(xt.FileBatch, written.batch_id)
    assert batch is not None
    assert (batch.state, batch.collected_via, batch.collected_at) == (
        "collected",
        "drop_directory",
        LATER,
    )


def test_an_expired_or_unknown_batch_cannot_be_collected(
    session: orm.Session, session_factory: db.SessionFactory, drop: Path
) -> None:
    written = _written(session, session_factory, drop)
    batch = session.get(xt.FileBatch, written.batch_id)
    assert batch is not None
    batch.state = "expired"
    session.commit()
    with pytest.raises(file_drop_collection.FileBatchNotCollectable):
        file_drop_collection.collect(session, batch_id=batch.id, actor="x", via="portal", now=LATER)
    with pytest.raises(file_drop_collection.FileBatchNotFound):
        file_drop_collection.collect(session, batch_id="nope", actor="x", via="portal", now=LATER)
    with pytest.raises(file_drop_collection.FileBatchNotFound):
        file_drop_collection.owned(session, batch_id=batch.id, partner_id="P9")


@pytest.fixture
def client(db_url: str, drop: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, file_drop_directory=drop)
    with TestClient(api_app.create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_partner_downloads_its_batch_and_the_first_download_collects_it(
    client: TestClient, session: orm.Session, session_factory: db.SessionFactory, drop: Path
) -> None:
    written = _written(session, session_factory, drop)
    partner = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P0")
    stranger = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P1")
    listed = client.get("/v1/file-batches", headers=partner).json()
    assert [(b["id"], b["state"], b["rows"]) for b in listed["items"]] == [
        (written.batch_id, "built", 2)
    ]
    assert client.get("/v1/file-batches", headers=stranger).json()["items"] == []
    unknown = client.get("/v1/file-batches", params={"state": "sent"}, headers=partner)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "state"
    url = f"/v1/file-batches/{written.batch_id}"
    assert client.get(f"{url}/file", headers=stranger).status_code == 404
    got = client.get(f"{url}/file", headers=partner)
    assert got.status_code == 200, got.text
    assert got.content == (drop / written.file_name).read_bytes()
    assert got.headers["content-type"].startswith("text/csv")
    shown = client.get("/v1/file-batches", params={"state": "collected"}, headers=partner)
    (item,) = shown.json()["items"]
    assert (item["collected_via"], item["collected_at"] is not None) == ("download", True)
    confirm = client.post(f"{url}/collected", headers=partner)
    assert confirm.status_code == 200 and confirm.json()["already_collected"] is True
    assert confirm.json()["batch"]["collected_via"] == "download"
    agent = http_world.auth(session, key_domain.Role.AGENT)
    assert client.post(f"{url}/collected", headers=agent).status_code == 403


def test_the_sweep_leaves_batches_past_their_period_to_expiry(
    session: orm.Session, session_factory: db.SessionFactory, drop: Path
) -> None:
    written = _written(session, session_factory, drop)
    (drop / written.file_name).unlink()  # e.g. an expiry that removed it but did not commit
    late = NOW + file_drop_collection.SWEPT
    assert file_drop_collection.sweep(session, directory=drop, now=late) == []
    assert file_drop_collection.sweep(session, directory=drop, now=LATER) == [written.batch_id]
