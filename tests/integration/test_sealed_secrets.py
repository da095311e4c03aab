"""Endpoint secrets and bearer tokens rest sealed in the database, on both engines; the
migration that introduced sealing seals rows written before it and opens them on the way down."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm

import migrations
from core import db, sealing
from notify import delivery_tables as dt_tables
from notify.tables import registry
from tests.support import outbox_world

NOW = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
TOKEN = "partner-gateway-token-0123456789"


def _stored(db_url: str, statement: str) -> list[str]:
    engine = db.create_engine(db_url)
    try:
        with engine.connect() as connection:
            return [value for (value,) in connection.execute(sa.text(statement))]
    finally:
        engine.dispose()


def _world_with_token(session: orm.Session) -> outbox_world.World:
    world = outbox_world.build(session, ["https://p0.example/h"], now=NOW)
    endpoint = session.get(registry.Endpoint, world.endpoints["P0"])
    assert endpoint is not None
    endpoint.bearer_token = TOKEN
    session.commit()
    return world


def test_secrets_and_tokens_are_stored_sealed_and_read_back_plain(
    session: orm.Session, db_url: str
) -> None:
    world = _world_with_token(session)
    stored = _stored(db_url, "SELECT secret FROM endpoint_secret")
    assert stored and all(sealing.is_sealed(value) for value in stored)
    assert not any(world.secrets["P0"] in value or "whsec_" in value for value in stored)
    (token,) = _stored(db_url, "SELECT bearer_token FROM endpoint WHERE bearer_token IS NOT NULL")
    assert sealing.is_sealed(token) and TOKEN not in token
    session.expire_all()
    read = session.scalars(sa.select(dt_tables.EndpointSecret.secret)).all()
    assert world.secrets["P0"] in read
    endpoint = session.get(registry.Endpoint, world.endpoints["P0"])
    assert endpoint is not None and endpoint.bearer_token == TOKEN


def test_the_migration_seals_rows_written_before_it_and_opens_them_going_down(
    session: orm.Session, db_url: str
) -> None:
    world = _world_with_token(session)
    session.close()
    migrations.downgrade(db_url, "0025_subscription_feed")
    plain = _stored(db_url, "SELECT secret FROM endpoint_secret")
    assert world.secrets["P0"] in plain
    assert _stored(db_url, "SELECT bearer_token FROM endpoint WHERE bearer_token IS NOT NULL") == [
        TOKEN
    ]
    migrations.upgrade(db_url)
    resealed = _stored(db_url, "SELECT secret FROM endpoint_secret")
    assert len(resealed) == len(plain) and all(sealing.is_sealed(v) for v in resealed)
    key = sealing.deployment_key()
    assert sorted(sealing.unseal(v, key) for v in resealed) == sorted(plain)
