"""The worker's updates of a delivery change no indexed column, so on PostgreSQL they can stay
on their page without new index entries (migration ``0022_delivery_hot``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from core import db
from notify import delivery_gate, registry_repository
from notify.dispatch import common, finish, prepare
from notify.tables import outbox
from notify.transports import webhook
from tests.support import outbox_world

URLS = ["http://127.0.0.1:9/a"]
CFG = common.Config(worker_id="w1")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _row(factory: db.SessionFactory) -> dict[str, Any]:
    with db.unit_of_work(factory) as session:
        return dict(session.execute(sa.select(outbox.Delivery.__table__)).one()._mapping)


def _claim_and_answer(factory: db.SessionFactory, status: int) -> None:
    gate = delivery_gate.RegistryGate(registry_repository.load)
    with db.unit_of_work(factory) as session:
        claimed = prepare.claim_and_prepare(session, cfg=CFG, gate=gate, now=_now(), k=50)
    assert len(claimed.sends) == 1
    answer = webhook.WebhookResult(status=status)
    results = [common.Result(send=claimed.sends[0], result=answer, finished_at=_now())]
    with db.unit_of_work(factory) as session:
        finish.finish(session, results=results, cfg=CFG)


def _indexed_columns(engine: sa.Engine) -> set[str]:
    inspector = sa.inspect(engine)
    columns = set(inspector.get_pk_constraint("delivery")["constrained_columns"])
    for index in inspector.get_indexes("delivery"):
        columns |= {name for name in index["column_names"] if name is not None}
    for unique in inspector.get_unique_constraints("delivery"):
        columns |= set(unique["column_names"])
    return columns


@pytest.mark.parametrize("status", [204, 500])
def test_the_workers_updates_change_no_indexed_column(
    engine: sa.Engine, session_factory: db.SessionFactory, status: int
) -> None:
    with db.unit_of_work(session_factory) as session:
        outbox_world.build(session, URLS, now=_now()).enqueue(
            session, partner="P0", subject_id="s1", now=_now()
        )
    before = _row(session_factory)
    _claim_and_answer(session_factory, status)
    after = _row(session_factory)
    changed = {name for name in before if before[name] != after[name]}
    assert {"state", "attempt_count"} <= changed  # the row did move on
    assert changed & _indexed_columns(engine) == set()


def test_delivery_pages_keep_room_for_updates_on_postgresql(engine: sa.Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a fill factor is PostgreSQL's")
    with engine.connect() as conn:
        options = conn.execute(
            sa.text("SELECT reloptions FROM pg_class WHERE oid = 'delivery'::regclass")
        ).scalar_one()
    assert "fillfactor=80" in options
