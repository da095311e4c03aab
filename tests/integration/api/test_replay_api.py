"""Dead letters replayed through the API by their partner, on both engines: one resent, an
endpoint's recovered since a time, each audited with the key that asked; another partner's are
not found, a delivery that is not dead is a conflict, a time without its offset is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import orm

from api import app as api_app
from api.keys import domain as key_domain
from api.tables import ApiKey
from core import ids
from core.settings import Settings
from notify import delivery_tables as dt_tables
from notify.tables import outbox
from tests.integration.api import http_world
from tests.support import outbox_world

NOW = dt.datetime.now(dt.UTC)
world = outbox_world.two_partners_fixture(NOW)


@pytest.fixture
def client(db_url: str, world: outbox_world.World) -> Iterator[TestClient]:
    with TestClient(api_app.create_app(Settings(database_url=db_url)),
                    raise_server_exceptions=False) as test_client:  # fmt: skip
        yield test_client


def _dead(session: orm.Session, world: outbox_world.World, died: dt.datetime) -> str:
    delivery = world.enqueue(session, partner="P0", subject_id=ids.new_id(), now=NOW)
    delivery.state, delivery.updated_at = "dead", died
    session.commit()
    return delivery.id


def _states(session: orm.Session, *delivery_ids: str) -> list[str]:
    session.expire_all()
    return [session.get_one(outbox.Delivery, i).state for i in delivery_ids]


def test_a_partner_resends_its_own_dead_delivery(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    dead = _dead(session, world, NOW)
    mine = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P0")
    theirs = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P1")
    assert client.post(f"/v1/deliveries/{dead}/resend", headers=theirs).status_code == 404
    done = client.post(f"/v1/deliveries/{dead}/resend", headers=mine)
    assert (done.status_code, done.json()) == (200, {"resent": [dead]})
    assert _states(session, dead) == ["pending"]
    again = client.post(f"/v1/deliveries/{dead}/resend", headers=mine)
    assert (again.status_code, again.json()["code"]) == (409, "replay_refused")
    (action,) = session.scalars(sa.select(dt_tables.DeliveryAction)).all()
    key = session.scalars(sa.select(ApiKey).where(ApiKey.partner_id == "P0")).one()
    assert (action.delivery_id, action.action, action.actor) == (dead, "resend", key.id)


def test_a_partner_recovers_an_endpoints_dead_letters_since_a_time(
    client: TestClient, session: orm.Session, world: outbox_world.World
) -> None:
    early = _dead(session, world, NOW - dt.timedelta(days=2))
    late = _dead(session, world, NOW - dt.timedelta(hours=1))
    endpoint = world.endpoints["P0"]
    url = f"/v1/endpoints/{endpoint}/recover"
    mine = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P0")
    theirs = http_world.auth(session, key_domain.Role.PARTNER, partner_id="P1")
    assert client.post(url, json={}, headers=theirs).status_code == 404
    naive = client.post(url, json={"since": "2026-01-01T00:00:00"}, headers=mine)
    assert naive.status_code == 422
    since = (NOW - dt.timedelta(days=1)).isoformat()
    done = client.post(url, json={"since": since}, headers=mine)
    assert (done.status_code, done.json()) == (200, {"resent": [late]})
    assert _states(session, early, late) == ["dead", "pending"]
    rest = client.post(url, json={}, headers=http_world.auth(session, key_domain.Role.ADMIN))
    assert rest.json() == {"resent": [early]}
